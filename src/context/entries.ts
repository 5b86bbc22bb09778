/**
 * The context as entries with their content read on demand, for builders that ask for files one
 * by one (BuildKit's file sync through the Docker daemon's session, engine/daemon-filesync.ts):
 * the same layout and the same checks as the tar (verify.ts). Each repository entry is checked
 * against the walk when it is described and again when its bytes are read, so a file swapped
 * during the build fails it.
 */
import fs from "node:fs";
import { planLayout, type LayoutEntry } from "./layout.js";
import type { ContextSelection, ExtraFile } from "./types.js";
import { checkWalkedDir, checkWalkedSymlink, openWalkedFile, readAt, readError, sizeChangedError } from "./verify.js";

export type { LayoutEntry };

export interface ContextEntries {
  /** The repository folder the entries come from. */
  root: string;
  /** Every entry, parents before children (planLayout's order). */
  entries: LayoutEntry[];
  /** Throws (a ConfigError) when a repository directory or symlink is no longer what the walk saw. */
  check(e: LayoutEntry): void;
  /** A regular file's bytes in chunks of at most `chunkSize`; throws when the file changed since the walk. */
  chunks(e: LayoutEntry, chunkSize: number): AsyncGenerator<Buffer>;
}

async function* fileChunks(root: string, e: LayoutEntry, chunkSize: number): AsyncGenerator<Buffer> {
  if (e.content) {
    for (let at = 0; at < e.content.length; at += chunkSize) yield e.content.subarray(at, at + chunkSize);
    return;
  }
  const f = e.source;
  if (!f || e.type !== "file") return;
  const fd = openWalkedFile(root, f);
  try {
    let at = 0;
    for (;;) {
      // One byte more than is left is asked for at the end: getting it means the file grew.
      const buf = Buffer.allocUnsafe(Math.min(chunkSize, Math.max(f.size - at, 0) + 1));
      const n = await readAt(fd, buf, at).catch((err: unknown) => {
        throw readError(f.rel, err);
      });
      if (n === 0) break;
      at += n;
      if (at > f.size) throw sizeChangedError(f, at, true);
      yield buf.subarray(0, n);
    }
    if (at !== f.size) throw sizeChangedError(f, at, false);
  } finally {
    fs.closeSync(fd);
  }
}

export function contextEntries(sel: ContextSelection, opts: { prefix: string; extra: ExtraFile[] }): ContextEntries {
  const entries = planLayout(sel, opts.prefix, opts.extra); // throws ConfigError synchronously
  return {
    root: sel.root,
    entries,
    check(e) {
      if (!e.source) return;
      if (e.type === "dir") checkWalkedDir(sel.root, e.source);
      else if (e.type === "symlink") checkWalkedSymlink(sel.root, e.source);
    },
    chunks: (e, chunkSize) => fileChunks(sel.root, e, chunkSize),
  };
}
