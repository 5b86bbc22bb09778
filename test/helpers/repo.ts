/**
 * The one way tests make a repository, or any tree of files, in a private temporary folder:
 * files with contents and modes, empty directories, symlinks and FIFOs. Every folder is removed
 * by its cleanup (a `TempFiles` removes all of a test file's at once).
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** One entry of a tree: a file (its content, or content and mode), a directory, a symlink or a FIFO. */
export type Entry = string | Buffer | { content: string | Buffer; mode: number } | { dir: true; mode?: number } | { symlink: string } | { fifo: true };

/** Posix paths relative to the root → entries. A path ending in `/` is an empty directory. */
export type Tree = Record<string, Entry>;

/** An executable script. */
export const script = (content: string): Entry => ({ content, mode: 0o755 });

async function writeEntry(abs: string, entry: Entry): Promise<void> {
  if (typeof entry === "string" || Buffer.isBuffer(entry)) return writeFile(abs, entry);
  if ("symlink" in entry) return symlink(entry.symlink, abs);
  if ("fifo" in entry) {
    execFileSync("mkfifo", [abs]);
    return;
  }
  if ("dir" in entry) await mkdir(abs, { recursive: true });
  else await writeFile(abs, entry.content);
  if (entry.mode !== undefined) await chmod(abs, entry.mode);
}

/** Writes a tree under root (parents created, in the order given: a directory's mode comes after its entries). */
export async function writeTree(root: string, tree: Tree): Promise<void> {
  for (const [rel, entry] of Object.entries(tree)) {
    const abs = path.join(root, ...rel.split("/"));
    if (rel.endsWith("/")) {
      await mkdir(abs, { recursive: true });
      if (typeof entry === "object" && "dir" in entry && entry.mode !== undefined) await chmod(abs, entry.mode);
      continue;
    }
    await mkdir(path.dirname(abs), { recursive: true });
    await writeEntry(abs, entry);
  }
}

export interface TempDir {
  path: string;
  cleanup(): Promise<void>;
}

/** A fresh private folder (mkdtemp makes it 0700) under the system's temp folder. */
export async function tempDir(prefix = "r2d-test-"): Promise<TempDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { path: dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A repository at `<tmp>/repo` (so tests can put things next to it, outside), holding the tree. */
export async function tmpRepo(tree: Tree = {}, prefix = "r2d-repo-"): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const d = await tempDir(prefix);
  const root = path.join(d.path, "repo");
  try {
    await mkdir(root);
    await writeTree(root, tree);
  } catch (err) {
    await d.cleanup();
    throw err;
  }
  return { root, cleanup: d.cleanup };
}

/** The temporary folders of one test file; `cleanup()` (in afterEach or afterAll) removes them all. */
export class TempFiles {
  private readonly cleanups: (() => Promise<void>)[] = [];

  /** An empty temporary folder. */
  async dir(prefix?: string): Promise<string> {
    const d = await tempDir(prefix);
    this.cleanups.push(d.cleanup);
    return d.path;
  }

  /** A repository holding the tree; returns its path. */
  async repo(tree: Tree = {}, prefix?: string): Promise<string> {
    const r = await tmpRepo(tree, prefix);
    this.cleanups.push(r.cleanup);
    return r.root;
  }

  async cleanup(): Promise<void> {
    for (const c of this.cleanups.splice(0).reverse()) await c();
  }
}
