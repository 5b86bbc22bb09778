import path from "node:path";
import { execa } from "execa";
import { AbortError } from "../engine/exec.js";
import { ConfigError } from "../errors.js";
import { localRevision } from "./git-head.js";

export interface Source {
  /** Local directory to build from. */
  dir: string;
  /** For labels: a URL without credentials, the ref asked for, the commit built. */
  url?: string;
  ref: string | null;
  revision: string | null;
}

/** Looks like something `git clone` takes rather than a local path. */
export function isGitUrl(repo: string): boolean {
  return /^(https?|git|ssh|file):\/\//.test(repo) || /^[\w.-]+@[\w.-]+:/.test(repo);
}

/** Removes user:password@ from a URL so tokens never reach labels or logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)[^/@]*@/i, "$1");
}

/** The commit of a clone r2d made itself (its .git is git's own). Local folders: localRevision. */
async function revisionOf(dir: string): Promise<string | null> {
  const r = await execa("git", ["-C", dir, "rev-parse", "HEAD"], { reject: false });
  return r.exitCode === 0 ? String(r.stdout).trim() : null;
}

/**
 * A local path as is, or a git URL cloned (at --ref) into `cloneDir()`: an empty folder inside the
 * run's private temp folder (src/run-dir.ts), removed with it on every exit path.
 */
export async function openSource(repo: string, opts: { ref?: string; signal?: AbortSignal; cloneDir: () => Promise<string> }): Promise<Source> {
  if (!isGitUrl(repo)) {
    return { dir: path.resolve(repo), ref: null, revision: await localRevision(path.resolve(repo)) };
  }
  const dir = await opts.cloneDir();
  const git = (args: string[]) => execa("git", args, { reject: false, cancelSignal: opts.signal, env: { GIT_TERMINAL_PROMPT: "0" } });
  const clone = opts.ref
    ? await git(["clone", "--quiet", "--recurse-submodules", repo, dir])
    : await git(["clone", "--quiet", "--depth", "1", "--recurse-submodules", "--shallow-submodules", repo, dir]);
  if (opts.signal?.aborted) throw new AbortError("the clone was aborted", { cause: opts.signal.reason });
  if (clone.exitCode !== 0) {
    throw new ConfigError(`could not clone ${redactUrl(repo)}: ${String(clone.stderr).trim().split("\n").pop()}`, {
      location: { file: redactUrl(repo) },
      hint: "check the URL and your access to it (private repositories need git credentials set up)",
    });
  }
  if (opts.ref) {
    let ok = false;
    for (const candidate of [opts.ref, `origin/${opts.ref}`]) {
      if ((await git(["-C", dir, "checkout", "--quiet", "--detach", candidate])).exitCode === 0) {
        ok = true;
        break;
      }
    }
    if (!ok) throw new ConfigError(`--ref ${opts.ref} is not a branch, tag or commit of ${redactUrl(repo)}`, { location: { file: "--ref" } });
    await git(["-C", dir, "submodule", "update", "--init", "--recursive", "--quiet"]);
  }
  return { dir, url: redactUrl(repo), ref: opts.ref ?? null, revision: await revisionOf(dir) };
}
