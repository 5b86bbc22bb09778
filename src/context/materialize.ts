/**
 * materializeContext: the same layout as contextTar, written into a directory (for
 * `buildctl --local context=DIR`). Files are hard-linked when possible (same filesystem, allowed),
 * copied otherwise. Nothing is ever written into the repository: hard-linked files are never
 * chmod'ed or touched, generated files are always written as new files. Every repository entry
 * is checked against the walk as it is placed (verify.ts): a swap fails the materialisation.
 */

import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { planLayout, type LayoutEntry } from "./layout.js";
import type { ContextFile, ContextSelection, MaterializeOptions } from "./types.js";
import {
  changedError,
  checkWalkedDir,
  checkWalkedSymlink,
  openWalkedFile,
  readAt,
  readError,
  sameEntry,
  sizeChangedError,
} from "./verify.js";

const FILE_CONCURRENCY = 32;
const COPY_CHUNK = 1024 * 1024;
/** New files in the context directory: created here, never through an existing name or link. */
const CREATE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0);
/** Errors after which a copy is tried instead of a hard link. */
const LINK_FALLBACK = new Set(["EXDEV", "EPERM", "EACCES", "EMLINK", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function isInside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r === "" || (!r.startsWith(`..${path.sep}`) && r !== ".." && !path.isAbsolute(r));
}

/** realpath of `p`, resolving the longest existing ancestor (p itself may not exist yet). */
async function realpathLoose(p: string): Promise<string> {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return path.join(await fsp.realpath(cur), ...rest.reverse());
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return p;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

export async function materializeContext(sel: ContextSelection, opts: MaterializeOptions): Promise<void> {
  const entries = planLayout(sel, opts.prefix, opts.extra);
  const dir = path.resolve(opts.dir);

  const realRoot = await fsp.realpath(sel.root);
  if (isInside(realRoot, await realpathLoose(dir))) {
    throw new ConfigError(`cannot write the build context into ${dir}: it is inside the repository ${sel.root}`, {
      hint: "materialize into a temporary directory outside the repository",
    });
  }
  try {
    const existing = await fsp.readdir(dir);
    if (existing.length > 0) throw new ConfigError(`cannot write the build context into ${dir}: it is not empty`);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if (errCode(err) !== "ENOENT") throw err;
  }
  await fsp.mkdir(dir, { recursive: true });

  const target = (e: LayoutEntry) => path.join(dir, ...e.name.split("/"));

  // 1. Directories, parents first (the layout lists parents before children). Writable for now.
  const dirs = entries.filter((e) => e.type === "dir");
  for (const d of dirs) {
    if (d.source) checkWalkedDir(sel.root, d.source);
    await fsp.mkdir(target(d), { recursive: true, mode: 0o700 });
  }

  // 2. Files and symlinks.
  const root = sel.root;
  const state = { linksWork: true };
  const leaves = entries.filter((e) => e.type !== "dir");
  let next = 0;
  let failed = false;
  const place = async (e: LayoutEntry): Promise<void> => {
    const dst = target(e);
    if (e.type === "symlink") {
      if (e.source) checkWalkedSymlink(root, e.source);
      await fsp.symlink(e.linkTarget ?? "", dst); // the walk's text, never read again from the repository
      await fsp.lutimes(dst, e.mtime, e.mtime).catch(() => undefined);
    } else if (e.content) {
      await writeGenerated(dst, e.content, e.mode, e.mtime);
    } else {
      await placeFile(root, e.source!, dst, e.mode, e.mtime, state);
    }
  };
  const worker = async (): Promise<void> => {
    while (next < leaves.length && !failed) {
      try {
        await place(leaves[next++]!);
      } catch (err) {
        failed = true; // the others stop too: the directory is thrown away
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FILE_CONCURRENCY, leaves.length) }, worker));

  // 3. Directory modes and mtimes last, deepest first (children's writes would bump the mtimes).
  for (let i = dirs.length - 1; i >= 0; i--) {
    const d = dirs[i]!;
    await fsp.chmod(target(d), d.mode);
    await fsp.utimes(target(d), d.mtime, d.mtime);
  }
}

/** A generated file: always a fresh inode created exclusively, never written through a link. */
async function writeGenerated(dst: string, content: Buffer, mode: number, mtime: Date): Promise<void> {
  await fsp.rm(dst, { force: true });
  const fh = await fsp.open(dst, CREATE_FLAGS, 0o600);
  try {
    await fh.writeFile(content);
    await fh.chmod(mode);
    await fh.utimes(mtime, mtime);
  } finally {
    await fh.close();
  }
}

/**
 * A repository file: hard-linked when the filesystem allows, and the new link must be the inode
 * the walk saw (a folder swapped on the way would link something else); copied otherwise, through
 * a descriptor checked against the walk.
 */
async function placeFile(
  root: string,
  f: ContextFile,
  dst: string,
  mode: number,
  mtime: Date,
  state: { linksWork: boolean },
): Promise<void> {
  if (state.linksWork) {
    try {
      await fsp.link(f.abs, dst); // link() does not follow a final symlink on Linux
      const st = fs.lstatSync(dst); // synchronous: one cheap call, no second thread-pool round trip per file
      if (!sameEntry(f, st)) {
        await fsp.rm(dst, { force: true });
        const sizeOnly = st.isFile() && st.dev === f.dev && st.ino === f.ino;
        throw changedError(root, f, sizeOnly ? `it is now ${st.size} bytes; it was ${f.size}` : undefined);
      }
      return; // same inode: mode and mtime are already the repository's; do not touch them
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      const code = errCode(err);
      if (code === "EXDEV") state.linksWork = false; // every other file would fail the same way
      if (code === "ENOENT" || code === "ENOTDIR") throw changedError(root, f);
      if (!LINK_FALLBACK.has(code ?? "")) throw readError(f.rel, err, "copy");
    }
  }
  await copyWalkedFile(root, f, dst);
  await fsp.chmod(dst, mode);
  await fsp.utimes(dst, mtime, mtime);
}

/** Copies through the checked descriptor into a new file; the byte count must be the walked size. */
async function copyWalkedFile(root: string, f: ContextFile, dst: string): Promise<void> {
  const src = openWalkedFile(root, f);
  const out = await fsp.open(dst, CREATE_FLAGS, 0o600).catch((err: unknown) => {
    fs.closeSync(src);
    throw err;
  });
  try {
    const buf = Buffer.allocUnsafe(Math.min(Math.max(f.size, 1), COPY_CHUNK) + 1);
    let copied = 0;
    for (;;) {
      const bytesRead = await readAt(src, buf, copied);
      if (bytesRead === 0) break;
      if (copied + bytesRead > f.size) throw sizeChangedError(f, copied + bytesRead, true);
      await out.write(buf, 0, bytesRead);
      copied += bytesRead;
    }
    if (copied !== f.size) throw sizeChangedError(f, copied, false);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw readError(f.rel, err, "copy");
  } finally {
    fs.closeSync(src);
    await out.close();
  }
}
