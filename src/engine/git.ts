/**
 * git, for sources given as a URL: clone, check out a ref, read the commit. Through the exec
 * layer like every process r2d starts (logged under --debug with any password in the URL masked,
 * stopped on abort). Never prompts: a private repository without credentials fails at once.
 */
import { capture, type CaptureResult, type DebugLog } from "./exec.js";

export interface GitOptions {
  signal?: AbortSignal;
  onDebug?: DebugLog;
}

function git(args: string[], opts: GitOptions): Promise<CaptureResult> {
  return capture("git", args, { env: { GIT_TERMINAL_PROMPT: "0" }, signal: opts.signal, onDebug: opts.onDebug });
}

/** The commit checked out in `dir`, or null (not a git work tree, no git). */
export async function gitRevision(dir: string, opts: GitOptions = {}): Promise<string | null> {
  const r = await capture("git", ["-C", dir, "rev-parse", "HEAD"], { onDebug: opts.onDebug });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** The top folder of the git work tree `dir` is in, or null (not in one, no git). */
export async function gitTopLevel(dir: string, opts: GitOptions = {}): Promise<string | null> {
  const r = await capture("git", ["-C", dir, "rev-parse", "--show-toplevel"], { onDebug: opts.onDebug });
  return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/** `git clone` with submodules into `dir`: shallow unless a ref will be checked out. */
export function gitClone(url: string, dir: string, opts: GitOptions & { shallow: boolean }): Promise<CaptureResult> {
  const args = opts.shallow
    ? ["clone", "--quiet", "--depth", "1", "--recurse-submodules", "--shallow-submodules", url, dir]
    : ["clone", "--quiet", "--recurse-submodules", url, dir];
  return git(args, opts);
}

/** Checks out `ref` (a branch, tag or commit) detached; false when there is no such ref. */
export async function gitCheckout(dir: string, ref: string, opts: GitOptions = {}): Promise<boolean> {
  return (await git(["-C", dir, "checkout", "--quiet", "--detach", ref], opts)).exitCode === 0;
}

/** Brings the submodules to the commits the checked-out ref names. */
export async function gitUpdateSubmodules(dir: string, opts: GitOptions = {}): Promise<void> {
  await git(["-C", dir, "submodule", "update", "--init", "--recursive", "--quiet"], opts);
}
