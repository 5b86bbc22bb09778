/**
 * Reading `.dockerignore` / `.containerignore` without leaving the repository: a link (the file
 * itself, or its folder) that leads outside the root is an error naming it, the file is opened
 * without following a final symlink and must be a regular file, and its size is capped.
 */

import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { formatBytes } from "./describe.js";
import { errCode, isInside } from "./paths.js";
import { clip, OPEN_FILE_FLAGS } from "./verify.js";

/** Far beyond any real ignore file (each line is a pattern tested against every walked path). */
export const IGNORE_FILE_MAX_BYTES = 1024 * 1024;

function kindName(st: fs.Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  return "a device";
}

function tooBig(rel: string, size: number): ConfigError {
  return new ConfigError(`it is ${formatBytes(size)}; r2d reads ignore files up to ${formatBytes(IGNORE_FILE_MAX_BYTES)}`, {
    location: { file: rel },
    hint: "an ignore file lists patterns, one a line: shorten it, or exclude whole folders",
  });
}

/** Where a symlinked ignore file or folder leads, for the message (link text or resolved path, clipped). */
function whereItLeads(abs: string, real: string): string {
  try {
    if (fs.lstatSync(abs).isSymbolicLink()) return `it is a symlink to ${clip(fs.readlinkSync(abs))}`;
  } catch {
    /* fall through */
  }
  return `a folder on its path is a symlink; it resolves to ${clip(real)}`;
}

/** Reads the bytes of an open ignore file, at most the cap. */
function readCapped(fd: number, rel: string): string {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(64 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    total += n;
    if (total > IGNORE_FILE_MAX_BYTES) throw tooBig(rel, total);
    chunks.push(buf.subarray(0, n));
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The content of the ignore file `rel`, or undefined when there is none (absent, or a symlink that
 * leads nowhere: a warning). `viaFd`: /proc/self/fd paths work, so the opened file's real location
 * can be checked after opening (a swap between the check and the open is caught).
 */
export function readIgnoreFile(root: string, realRoot: string, rel: string, viaFd: boolean, warnings: string[]): string | undefined {
  const abs = path.join(root, ...rel.split("/"));
  let real: string;
  try {
    if (!fs.lstatSync(abs, { throwIfNoEntry: false })) return undefined;
    real = fs.realpathSync(abs);
  } catch (err) {
    const code = errCode(err);
    if (code === "ENOTDIR") return undefined;
    if (code === "ENOENT" || code === "ELOOP") {
      warnings.push(`${rel} is a symlink that leads nowhere: not read, nothing excluded by it`);
      return undefined;
    }
    throw new ConfigError(`cannot read it: ${(err as Error).message}`, { location: { file: rel }, hint: "fix its permissions", cause: err });
  }
  const outside = () =>
    new ConfigError(`${whereItLeads(abs, real)}, outside the repository: r2d reads nothing outside the repository`, {
      location: { file: rel },
      hint: "make it a regular file in the repository (or a symlink to one)",
    });
  if (!isInside(realRoot, real)) throw outside();

  let fd: number;
  try {
    fd = fs.openSync(real, OPEN_FILE_FLAGS);
  } catch (err) {
    if (errCode(err) === "ELOOP" || errCode(err) === "ENOENT") {
      throw new ConfigError("it changed while r2d was reading it", { location: { file: rel }, hint: "run again once nothing is writing into the repository", cause: err });
    }
    throw new ConfigError(`cannot read it: ${(err as Error).message}`, { location: { file: rel }, hint: "fix its permissions", cause: err });
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      throw new ConfigError(`it is ${kindName(st)}, not a file of patterns`, { location: { file: rel }, hint: `remove or rename it` });
    }
    if (viaFd && !isInside(realRoot, fs.readlinkSync(`/proc/self/fd/${fd}`))) throw outside();
    if (st.size > IGNORE_FILE_MAX_BYTES) throw tooBig(rel, st.size);
    return readCapped(fd, rel);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot read it: ${(err as Error).message}`, { location: { file: rel }, hint: "fix its permissions", cause: err });
  } finally {
    fs.closeSync(fd);
  }
}
