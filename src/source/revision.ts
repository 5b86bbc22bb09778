/**
 * The commit a local checkout is at, read from its `.git` without running git: a repository is
 * untrusted input, and git reads its configuration (hooks, fsmonitor, aliases) from it. Only the
 * top level of a checkout has a revision (a folder inside another repository's work tree has none:
 * its files need not be that commit's). Nothing read here is ever printed but a commit hash.
 */
import { lstat, readFile } from "node:fs/promises";
import path from "node:path";

const HASH = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const REF = /^refs\/[A-Za-z0-9._\/-]+$/;
const MAX_PACKED_REFS = 16 * 1024 * 1024;

export async function gitRevision(dir: string): Promise<string | null> {
  const gitDir = await findGitDir(dir);
  if (!gitDir) return null;
  const head = (await small(path.join(gitDir, "HEAD")))?.trim() ?? "";
  if (HASH.test(head)) return head; // a detached HEAD
  const ref = /^ref: (\S+)$/.exec(head)?.[1];
  if (!ref || !REF.test(ref) || ref.split("/").includes("..")) return null;
  // A linked worktree keeps its HEAD; the refs live in the common folder.
  const common = (await small(path.join(gitDir, "commondir")))?.trim();
  const refDirs = [gitDir, ...(common ? [path.resolve(gitDir, common)] : [])];
  for (const base of refDirs) {
    const loose = (await small(path.join(base, ref)))?.trim();
    if (loose && HASH.test(loose)) return loose;
  }
  for (const base of refDirs) {
    const packed = await small(path.join(base, "packed-refs"), MAX_PACKED_REFS);
    for (const line of packed?.split("\n") ?? []) {
      const [hash, name] = line.trim().split(" ");
      if (name === ref && hash && HASH.test(hash)) return hash;
    }
  }
  return null;
}

/** `<dir>/.git` as a folder, or the folder a `.git` file (worktree, submodule) names. */
async function findGitDir(dir: string): Promise<string | null> {
  const dotGit = path.join(dir, ".git");
  const st = await lstat(dotGit).catch(() => null);
  if (st?.isDirectory()) return dotGit;
  if (!st?.isFile()) return null;
  const target = /^gitdir: (.+)$/m.exec((await small(dotGit)) ?? "")?.[1]?.trim();
  return target ? path.resolve(dir, target) : null;
}

/** A small file's text, or undefined (missing, unreadable, too big, not a regular file). */
async function small(file: string, max = 4096): Promise<string | undefined> {
  const st = await lstat(file).catch(() => null);
  if (!st?.isFile() || st.size > max) return undefined;
  return readFile(file, "utf8").catch(() => undefined);
}
