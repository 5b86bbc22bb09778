import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { openRepoRoot, type RepoRoot } from "./repo-root.js";

/**
 * The commit a local repository is at, for labels and the default tag, read without leaving it.
 * `git rev-parse` would follow whatever the repository's `.git` points at — a `gitdir:` file, a
 * `commondir`, a ref that is a symlink — and print what it finds there (another repository's
 * commit, or any 40-hex file on the machine) into the image's labels. So:
 * - `.git` is a folder: HEAD and its ref are read through the repository jail (RepoRoot), which
 *   refuses links that lead out; anything unusual (commondir, a ref outside) means no revision.
 * - `.git` is a `gitdir:` file (a worktree): trusted only when that git folder names this very
 *   checkout as its worktree (`gitdir` back-link, written by `git worktree add`); then git asks.
 * - no `.git`: the folder is inside someone's checkout (a monorepo's subfolder); git asks.
 */
export async function localRevision(dir: string): Promise<string | null> {
  let root: RepoRoot;
  try {
    root = await openRepoRoot(dir);
  } catch {
    return null;
  }
  // A ConfigError (a link leading out) or any link at all: not the repository's own metadata.
  const dotGit = await root.resolve(".git").catch(() => null);
  if (dotGit === null || dotGit.viaLink || dotGit.dangling) return null;
  if (!dotGit.stats) return gitRevision(root.path);
  if (dotGit.stats.isDirectory()) return jailedHead(root);
  if (dotGit.stats.isFile() && (await isRegisteredWorktree(root))) return gitRevision(root.path);
  return null;
}

const HEX = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const REF = /^refs\/[A-Za-z0-9._/-]+$/;

async function jailedHead(root: RepoRoot): Promise<string | null> {
  const read = (rel: string) => root.readConfigFile(rel, { maxBytes: 64 * 1024 }).then((r) => r.text, () => null);
  // A worktree's metadata lives in another repository (commondir): not followed.
  const commondir = await root.resolve(".git/commondir").catch(() => null);
  if (commondir === null || commondir.stats !== null || commondir.dangling) return null;
  let text = (await read(".git/HEAD"))?.trim() ?? "";
  for (let depth = 0; depth < 5; depth++) {
    if (HEX.test(text)) return text;
    const ref = /^ref: (\S+)$/.exec(text)?.[1];
    if (!ref || !REF.test(ref) || ref.split("/").includes("..")) return null;
    const loose = await read(`.git/${ref}`);
    if (loose !== null) {
      text = loose.trim();
      continue;
    }
    const packed = (await read(".git/packed-refs")) ?? "";
    const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
    return line && HEX.test(line.split(" ")[0]!) ? line.split(" ")[0]! : null;
  }
  return null;
}

/** `.git` says `gitdir: X`, and X/gitdir (git's back-link) says this checkout's `.git`. */
async function isRegisteredWorktree(root: RepoRoot): Promise<boolean> {
  try {
    const pointer = /^gitdir: (.+)$/m.exec((await root.readConfigFile(".git", { maxBytes: 4096 })).text)?.[1]?.trim();
    if (!pointer) return false;
    const gitDir = path.resolve(root.path, pointer);
    const backLink = path.join(gitDir, "gitdir");
    // Only compared, never shown; a regular file of a path's length (never a FIFO that would block).
    const st = await lstat(backLink);
    if (!st.isFile() || st.size > 4096) return false;
    const back = (await readFile(backLink, "utf8")).trim();
    return path.resolve(gitDir, back) === path.join(root.path, ".git");
  } catch {
    return false;
  }
}

async function gitRevision(dir: string): Promise<string | null> {
  const r = await execa("git", ["-C", dir, "rev-parse", "HEAD"], { reject: false });
  return r.exitCode === 0 ? String(r.stdout).trim() : null;
}
