/**
 * Send-time checks shared by contextTar and materializeContext: every entry is read through a
 * descriptor opened without following a final symlink and compared with what the walk saw
 * (device, inode, size, type, link text), so a file swapped during the build fails the build
 * instead of shipping whatever the swap points at. Intermediate directories are followed by
 * open(); a directory swapped for a link to elsewhere leads to another inode, which the
 * device/inode comparison catches.
 */

import fs from "node:fs";
import type { Stats } from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { errCode } from "./paths.js";
import type { ContextFile } from "./types.js";

const C = fs.constants;
/** Regular files: never through a final symlink, never blocking on a FIFO swapped in. */
export const OPEN_FILE_FLAGS = C.O_RDONLY | (C.O_NOFOLLOW ?? 0) | (C.O_NONBLOCK ?? 0);

/** Longest piece of repository-controlled text (a line, a link target) quoted in a message. */
const QUOTE_MAX = 100;

/** Repository-controlled text made safe to print: control characters replaced, cut to ~100 characters. */
export function clip(text: string, max = QUOTE_MAX): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

/** What an lstat result is, in words ("a symlink to ../x", "a FIFO"). */
function kindOf(st: Stats, abs: string): string {
  if (st.isFile()) return `a regular file of ${st.size} bytes`;
  if (st.isDirectory()) return "a directory";
  if (st.isSymbolicLink()) {
    try {
      return `a symlink to ${clip(fs.readlinkSync(abs))}`;
    } catch {
      return "a symlink";
    }
  }
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  if (st.isBlockDevice() || st.isCharacterDevice()) return "a device";
  return "an unknown kind of file";
}

function wasOf(f: ContextFile): string {
  if (f.type === "file") return `a regular file of ${f.size} bytes`;
  if (f.type === "dir") return "a directory";
  return `a symlink to ${clip(f.linkTarget ?? "")}`;
}

function lstatOrUndefined(abs: string): Stats | undefined {
  try {
    return fs.lstatSync(abs, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function changed(f: ContextFile, what: string): ConfigError {
  return new ConfigError(`${f.rel} changed while the build context was being sent (${what})`, {
    hint: "something replaced or rewrote it during the build, so the build was stopped; run it again once nothing is writing into the repository",
  });
}

/**
 * The error for an entry that no longer matches the walk. Looks again (this path only runs on a
 * mismatch) to say what changed: a parent folder that is now a symlink, or the entry itself.
 */
export function changedError(root: string, f: ContextFile, detail?: string): ConfigError {
  const parts = f.rel.split("/");
  for (let i = 1; i < parts.length; i++) {
    const rel = parts.slice(0, i).join("/");
    const abs = path.join(root, ...parts.slice(0, i));
    const st = lstatOrUndefined(abs);
    if (!st) return changed(f, `${rel} is gone; it was a directory`);
    if (!st.isDirectory()) return changed(f, `${rel} is now ${kindOf(st, abs)}; it was a directory`);
  }
  if (detail) return changed(f, `${detail}`);
  const st = lstatOrUndefined(f.abs);
  if (!st) return changed(f, `it is gone; it was ${wasOf(f)}`);
  const now = kindOf(st, f.abs);
  if (now !== wasOf(f)) return changed(f, `it is now ${now}; it was ${wasOf(f)}`);
  const kind = f.type === "dir" ? "directory" : f.type === "symlink" ? "symlink" : "file";
  return changed(f, `it was replaced by another ${kind}`);
}

/** Does a stat result (fstat of the opened descriptor, or lstat) still describe the walked entry? */
export function sameEntry(f: ContextFile, st: Stats): boolean {
  if (st.dev !== f.dev || st.ino !== f.ino) return false;
  if (f.type === "file") return st.isFile() && st.size === f.size;
  if (f.type === "dir") return st.isDirectory();
  return st.isSymbolicLink();
}

export function readError(rel: string, err: unknown, doing = "read"): ConfigError {
  return new ConfigError(`cannot ${doing} ${rel} for the build context: ${(err as Error).message}`, {
    hint: `fix its permissions, or leave it out with a .dockerignore entry or --exclude ${rel}`,
    cause: err,
  });
}

/** Errors from open(O_NOFOLLOW) that mean "not the regular file the walk saw any more". */
const SWAPPED = new Set(["ENOENT", "ENOTDIR", "ELOOP", "ENXIO", "EMLINK", "EISDIR", "ENODEV", "EOPNOTSUPP"]);

/**
 * Opens a walked regular file for reading and checks it is the same inode, still regular, with
 * the walked size. Returns the descriptor (the caller reads through it and closes it).
 */
export function openWalkedFile(root: string, f: ContextFile): number {
  let fd: number;
  try {
    fd = fs.openSync(f.abs, OPEN_FILE_FLAGS);
  } catch (err) {
    if (SWAPPED.has(errCode(err) ?? "")) throw changedError(root, f);
    throw readError(f.rel, err);
  }
  let st: Stats;
  try {
    st = fs.fstatSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    throw readError(f.rel, err);
  }
  if (!sameEntry(f, st)) {
    fs.closeSync(fd);
    const sizeOnly = st.isFile() && st.dev === f.dev && st.ino === f.ino;
    throw changedError(root, f, sizeOnly ? `it is now ${st.size} bytes; it was ${f.size}` : undefined);
  }
  return fd;
}

/** One read at `position` into the whole of `buf`, on the thread pool (large files, read in chunks). */
export function readAt(fd: number, buf: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buf, 0, buf.length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

/** The byte count read through a descriptor did not match the walk. */
export function sizeChangedError(f: ContextFile, read: number, grew: boolean): ConfigError {
  return changed(f, grew ? `it grew past the ${f.size} bytes it had` : `${read} bytes read; it had ${f.size}`);
}

/**
 * Reads a walked regular file whole through its descriptor; the file must end exactly at the
 * walked size. One byte more is asked for: getting it means the file grew. A short read is the
 * end of a regular file, so the usual case costs a single read, as readFileSync does.
 */
export function readWalkedFile(root: string, f: ContextFile): Buffer {
  const fd = openWalkedFile(root, f);
  try {
    const buf = Buffer.allocUnsafe(f.size + 1);
    let got = 0;
    for (;;) {
      const want = buf.length - got;
      const n = fs.readSync(fd, buf, got, want, got);
      got += n;
      if (got > f.size) throw sizeChangedError(f, got, true);
      if (n === 0 || (n < want && got === f.size)) break;
    }
    if (got !== f.size) throw sizeChangedError(f, got, false);
    return buf.subarray(0, f.size);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw readError(f.rel, err);
  } finally {
    fs.closeSync(fd);
  }
}

/** A walked directory must still be the same directory (not a symlink put in its place). */
export function checkWalkedDir(root: string, f: ContextFile): void {
  const st = lstatOrUndefined(f.abs);
  if (!st || !sameEntry(f, st)) throw changedError(root, f);
}

/**
 * A walked symlink must still be the same link with the same text. Only the walked text is ever
 * sent, but a changed link means the repository is being changed under the build.
 */
export function checkWalkedSymlink(root: string, f: ContextFile): void {
  const st = lstatOrUndefined(f.abs);
  if (!st || !sameEntry(f, st)) throw changedError(root, f);
  let text: string;
  try {
    text = fs.readlinkSync(f.abs);
  } catch {
    throw changedError(root, f);
  }
  if (text !== f.linkTarget) {
    throw changed(f, `it is now a symlink to ${clip(text)}; it was a symlink to ${clip(f.linkTarget ?? "")}`);
  }
}
