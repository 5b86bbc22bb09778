/**
 * materializeContext: the same layout as contextTar, written into a directory (for
 * `buildctl --local context=DIR`). Files are hard-linked when possible (same filesystem, allowed),
 * copied otherwise. Nothing is ever written into the repository: hard-linked files are never
 * chmod'ed or touched, generated files are always written as new files.
 */

import { constants } from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { planLayout, type LayoutEntry } from "./layout.js";
import type { ContextSelection, MaterializeOptions } from "./types.js";

const FILE_CONCURRENCY = 32;
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
  for (const d of dirs) await fsp.mkdir(target(d), { recursive: true, mode: 0o700 });

  // 2. Files and symlinks.
  let linksWork = true;
  const leaves = entries.filter((e) => e.type !== "dir");
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < leaves.length) {
      const e = leaves[next++]!;
      const dst = target(e);
      if (e.type === "symlink") {
        await fsp.symlink(e.linkTarget ?? "", dst);
        await fsp.lutimes(dst, e.mtime, e.mtime).catch(() => undefined);
        continue;
      }
      if (e.content) {
        // A generated file: always a fresh inode, never through a link into the repository.
        await fsp.rm(dst, { force: true });
        await fsp.writeFile(dst, e.content, { mode: e.mode });
        await fsp.chmod(dst, e.mode);
        await fsp.utimes(dst, e.mtime, e.mtime);
        continue;
      }
      const src = e.source!;
      if (linksWork) {
        try {
          await fsp.link(src.abs, dst);
          continue; // same inode: mode and mtime are already the repository's; do not touch them
        } catch (err) {
          const code = errCode(err);
          if (code === "EXDEV") linksWork = false; // every other file would fail the same way
          if (!LINK_FALLBACK.has(code ?? "")) throw readError(src.rel, err);
        }
      }
      try {
        await fsp.copyFile(src.abs, dst, constants.COPYFILE_FICLONE);
      } catch (err) {
        throw readError(src.rel, err);
      }
      await fsp.chmod(dst, e.mode);
      await fsp.utimes(dst, e.mtime, e.mtime);
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

function readError(rel: string, err: unknown): ConfigError {
  return new ConfigError(`cannot copy ${rel} into the build context: ${(err as Error).message}`, {
    hint: `fix its permissions, or leave it out with a .dockerignore entry or --exclude ${rel}`,
    cause: err,
  });
}
