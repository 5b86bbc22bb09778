/**
 * A fingerprint of a directory tree that changes when anything in it changes: every name (as
 * bytes, so names that are not UTF-8 count), its type, mode, owner, size, modification and change
 * times, a regular file's content (sparse giants by size and times alone), a link's text. Read
 * without following links and without opening FIFOs or sockets. r2d must leave it unchanged.
 */
import { createHash } from "node:crypto";
import { lstatSync, openSync, readdirSync, readlinkSync, readSync, closeSync, type Stats } from "node:fs";

/** Files bigger than this (the corpus's sparse ones) are compared by size and times only. */
const HASH_CONTENT_UP_TO = 16 * 1024 * 1024;

function kind(st: Stats): string {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "dir";
  if (st.isSymbolicLink()) return "link";
  if (st.isFIFO()) return "fifo";
  if (st.isSocket()) return "socket";
  return "device";
}

function contentHash(file: Buffer): string {
  const h = createHash("sha256");
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}

/** One line per entry, sorted by name bytes: easy to diff when a test fails. */
export function treeListing(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: Buffer, rel: string) => {
    const names = (readdirSync(dir, { encoding: "buffer" }) as Buffer[]).sort(Buffer.compare);
    for (const name of names) {
      const abs = Buffer.concat([dir, Buffer.from("/"), name]);
      const relName = `${rel}${name.toString("hex")}`;
      const st = lstatSync(abs);
      const fields = [relName, kind(st), (st.mode & 0o7777).toString(8), `${st.uid}:${st.gid}`, String(st.size), String(st.mtimeMs), String(st.ctimeMs)];
      if (st.isFile()) fields.push(st.size <= HASH_CONTENT_UP_TO ? contentHash(abs) : `blocks=${st.blocks}`);
      if (st.isSymbolicLink()) fields.push(readlinkSync(abs, { encoding: "buffer" }).toString("hex"));
      out.push(`${fields.join(" ")}  # ${name.toString("utf8")}`);
      if (st.isDirectory()) walk(abs, `${relName}/`);
    }
  };
  const top = lstatSync(root);
  out.push(`. ${kind(top)} ${(top.mode & 0o7777).toString(8)} ${top.mtimeMs} ${top.ctimeMs}`);
  walk(Buffer.from(root), "");
  return out;
}
