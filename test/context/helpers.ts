import fs from "node:fs/promises";
import path from "node:path";
import tar from "tar-stream";
import type { ContextSelection } from "../../src/context/index.js";

export function rels(sel: ContextSelection): string[] {
  return sel.files.map((f) => (f.type === "dir" ? `${f.rel}/` : f.rel));
}

export function excludedMap(sel: ContextSelection): Record<string, string> {
  return Object.fromEntries(sel.excluded.map((e) => [e.path, e.reason]));
}

export interface TarEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: Date;
  linkname: string | null;
  size: number;
  body: Buffer;
}

/** Read a tar stream back with tar-stream's extract. */
export async function readTar(stream: NodeJS.ReadableStream): Promise<TarEntry[]> {
  const ex = tar.extract();
  const out: TarEntry[] = [];
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (h, s, next) => {
      const chunks: Buffer[] = [];
      s.on("data", (c: unknown) => chunks.push(c as Buffer));
      s.on("end", () => {
        out.push({
          name: h.name,
          type: h.type,
          mode: h.mode,
          uid: h.uid,
          gid: h.gid,
          uname: h.uname,
          gname: h.gname,
          mtime: h.mtime,
          linkname: h.linkname ?? null,
          size: h.size,
          body: Buffer.concat(chunks),
        });
        next();
      });
    });
    ex.on("finish", () => resolve());
    ex.on("error", reject);
    stream.on("error", reject);
  });
  (stream).pipe(ex);
  await done;
  return out;
}

export async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Every path under root with lstat mode/mtime/size/ino: to prove nothing was written. */
export async function snapshot(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      const st = await fs.lstat(abs);
      out.push(`${path.relative(root, abs)} ${st.mode.toString(8)} ${st.mtimeMs} ${st.size} ${st.ino}`);
      if (e.isDirectory()) await walk(abs);
    }
  };
  await walk(root);
  return out.sort();
}
