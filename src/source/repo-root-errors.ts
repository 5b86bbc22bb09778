import type { Stats } from "node:fs";
import { isUtf8 } from "node:buffer";
import path from "node:path";
import { ConfigError, quoteForMessage, type Location } from "../errors.js";
import type { Resolved } from "./repo-root.js";

/** What RepoRoot refuses, as messages: each names the path, says what is wrong and what to do. */

export interface Where {
  location: Location;
  name: string;
}

/** How a message starts: nothing when the location already names the path (`binder: is a symlink…`). */
export function subject(name: string, location: Location): string {
  return name === location.file ? "" : `${name} `;
}

/** UTF-8 (a leading BOM dropped); invalid bytes are an error naming the line, unless lenient. */
export function decode(buf: Buffer, where: Where, lenient: boolean): string {
  if (!lenient && !isUtf8(buf)) {
    // A newline byte never occurs inside a multi-byte sequence, so lines can be checked one by one.
    let line = 1;
    let start = 0;
    for (let i = 0; i <= buf.length; i++) {
      if (i === buf.length || buf[i] === 0x0a) {
        if (!isUtf8(buf.subarray(start, i))) break;
        line++;
        start = i + 1;
      }
    }
    throw new ConfigError("is not UTF-8 text", {
      location: { file: where.location.file, line },
      hint: "save the file as UTF-8 (most editors offer it under \"Save with encoding\")",
    });
  }
  return new TextDecoder("utf-8").decode(buf);
}

export function checkRegularFile(st: Stats, where: Where): void {
  if (st.isFile()) return;
  const what = st.isDirectory()
    ? "a directory"
    : st.isFIFO()
      ? "a FIFO (named pipe)"
      : st.isSocket()
        ? "a socket"
        : st.isBlockDevice() || st.isCharacterDevice()
          ? "a device"
          : "not a regular file";
  const base = path.posix.basename(where.name);
  throw new ConfigError(`${subject(where.name, where.location)}is ${what}, not a file`, {
    location: where.location,
    hint: `r2d reads ${base} as a config file, so it must be a regular file: ${st.isDirectory() ? "rename the directory" : "replace it with a file"}, or remove it`,
  });
}

export function danglingError(r: Resolved, where: { location?: Location; name?: string }): ConfigError {
  const location = where.location ?? { file: r.rel };
  const start = subject(where.name ?? r.rel, location);
  const { link, target } = r.dangling!;
  const what = link === r.rel ? `${start}is a symlink to ${quoteForMessage(target)}, which does not exist` : `${start}leads through ${link}, a symlink to ${quoteForMessage(target)}, which does not exist`;
  return new ConfigError(what, { location, hint: "point the link at a file inside the repository, or remove it" });
}

export function swapped(where: Where): ConfigError {
  return new ConfigError(`${subject(where.name, where.location)}changed while r2d was reading it (replaced by a link or another file)`, {
    location: where.location,
    hint: "make sure nothing modifies the repository while r2d runs, then run r2d again",
  });
}

export function tooBig(where: Where, size: number, max: number): ConfigError {
  return new ConfigError(`${subject(where.name, where.location)}is ${formatSize(size)}; r2d reads config files up to ${formatSize(max)}`, {
    location: where.location,
    hint: "config files list dependencies and are small: check that this is the file you meant, or shorten it",
  });
}

export function accessError(err: unknown, name: string, location: Location): unknown {
  if (errnoCode(err) !== "EACCES" && errnoCode(err) !== "EPERM") return err;
  const who = typeof process.getuid === "function" ? `uid ${process.getuid()}` : "the current user";
  return new ConfigError(`${subject(name, location)}cannot be read: permission denied`, {
    location,
    hint: `r2d runs as ${who}: make the repository readable (chmod -R a+rX on it) or run r2d as its owner`,
    cause: err,
  });
}

export function formatSize(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${Number.isInteger(n) ? n : n.toFixed(1)} ${units[u]}`;
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}
