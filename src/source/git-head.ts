/**
 * The commit a local repository is at, for labels and the default tag, read without running git and
 * without leaving the repository. `git rev-parse` would read the repository's own configuration and
 * follow whatever its `.git` points at — a `gitdir:` file, a `commondir`, a ref that is a symlink —
 * and print what it finds there (another repository's commit, or any 40-hex file on the machine)
 * into the image's labels. So:
 * - `.git` is a folder: HEAD and its ref are read through the repository jail (RepoRoot), which
 *   refuses links that lead out; anything unusual (commondir, a ref outside) means no revision.
 * - `.git` is a `gitdir:` file (a worktree): trusted only when that git folder names this very
 *   checkout as its worktree (`gitdir` back-link, written by `git worktree add`).
 * - no `.git`: a folder inside someone's checkout has no revision of its own (its files need not
 *   be that commit's): none.
 * Nothing read here is ever printed but a commit hash.
 */
import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import { openRepoRoot, type RepoRoot } from "./repo-root.js";

const HEX = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const REF = /^refs\/[A-Za-z0-9._/-]+$/;
const MAX_REFS_FILE = 16 * 1024 * 1024;

export async function localRevision(dir: string): Promise<string | null> {
  let root: RepoRoot;
  try {
    root = await openRepoRoot(dir);
  } catch {
    return null;
  }
  // A ConfigError (a link leading out) or any link at all: not the repository's own metadata.
  const dotGit = await root.resolve(".git").catch(() => null);
  if (dotGit === null || dotGit.viaLink || dotGit.dangling || !dotGit.stats) return null;
  if (dotGit.stats.isDirectory()) return jailedHead(root);
  if (dotGit.stats.isFile()) {
    const gitDir = await registeredWorktree(root);
    return gitDir ? worktreeHead(gitDir) : null;
  }
  return null;
}

/** Follows HEAD to a commit: `ref: refs/...` → a loose ref (which may itself be symbolic) or packed-refs. */
async function followHead(read: (rel: string) => Promise<string | null>, readRefs: (rel: string) => Promise<string | null>): Promise<string | null> {
  let text = (await read("HEAD"))?.trim() ?? "";
  for (let depth = 0; depth < 5; depth++) {
    if (HEX.test(text)) return text;
    const ref = /^ref: (\S+)$/.exec(text)?.[1];
    if (!ref || !REF.test(ref) || ref.split("/").includes("..")) return null;
    const loose = await readRefs(ref);
    if (loose !== null) {
      text = loose.trim();
      continue;
    }
    const packed = (await readRefs("packed-refs")) ?? "";
    const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
    return line && HEX.test(line.split(" ")[0]!) ? line.split(" ")[0]! : null;
  }
  return null;
}

async function jailedHead(root: RepoRoot): Promise<string | null> {
  const read = (rel: string) => root.readConfigFile(`.git/${rel}`, { maxBytes: MAX_REFS_FILE }).then((r) => r.text, () => null);
  // A worktree's metadata lives in another repository (commondir): not followed.
  const commondir = await root.resolve(".git/commondir").catch(() => null);
  if (commondir === null || commondir.stats !== null || commondir.dangling) return null;
  return followHead(read, read);
}

/** A registered worktree: its HEAD in its own git folder, the refs in the main repository's (commondir). */
async function worktreeHead(gitDir: string): Promise<string | null> {
  const common = (await smallFile(path.join(gitDir, "commondir")))?.trim();
  const refsDir = common ? path.resolve(gitDir, common) : gitDir;
  return followHead(
    (rel) => smallFile(path.join(gitDir, rel)),
    async (rel) => (await smallFile(path.join(gitDir, rel))) ?? smallFile(path.join(refsDir, rel), MAX_REFS_FILE),
  );
}

/** `.git` says `gitdir: X`, and X/gitdir (git's back-link) says this checkout's `.git`: X, else null. */
async function registeredWorktree(root: RepoRoot): Promise<string | null> {
  try {
    const pointer = /^gitdir: (.+)$/m.exec((await root.readConfigFile(".git", { maxBytes: 4096 })).text)?.[1]?.trim();
    if (!pointer) return null;
    const gitDir = path.resolve(root.path, pointer);
    const back = (await smallFile(path.join(gitDir, "gitdir")))?.trim();
    return back && path.resolve(gitDir, back) === path.join(root.path, ".git") ? gitDir : null;
  } catch {
    return null;
  }
}

/** A regular file's text (never a FIFO that would block, nor a link), or null. */
async function smallFile(file: string, max = 4096): Promise<string | null> {
  const st = await lstat(file).catch(() => null);
  if (!st?.isFile() || st.size > max) return null;
  return readFile(file, "utf8").catch(() => null);
}
