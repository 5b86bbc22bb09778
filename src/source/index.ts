import { realpath } from "node:fs/promises";
import path from "node:path";
import { AbortError } from "../engine/exec.js";
import { gitCheckout, gitClone, gitTopLevel, gitUpdateSubmodules } from "../engine/git.js";
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


/**
 * A local path as is, or a git URL cloned (at --ref) into `cloneDir()`: an empty folder inside the
 * run's private temp folder (src/run-dir.ts), removed with it on every exit path.
 */
export async function openSource(
  repo: string,
  opts: { ref?: string; signal?: AbortSignal; onDebug?: (message: string) => void; cloneDir: () => Promise<string> },
): Promise<Source> {
  const git = { signal: opts.signal, onDebug: opts.onDebug };
  const url = isGitUrl(repo);
  let within = "";
  let from = repo;
  if (!url) {
    const local = path.resolve(repo);
    if (!opts.ref) return { dir: local, ref: null, revision: await localRevision(local) };
    // --ref on a folder: that commit, from a clone in the run folder; the user's tree stays as it is.
    const top = await gitTopLevel(local, git);
    if (top === null) {
      throw new ConfigError(`--ref ${opts.ref} needs a git repository, and ${repo} is not in one`, {
        location: { file: "--ref" },
        hint: "drop --ref to build the folder as it is, or give a git repository or URL",
      });
    }
    from = top;
    within = path.relative(top, await realpath(local));
  }
  const dir = await opts.cloneDir();
  const clone = await gitClone(from, dir, { ...git, shallow: !opts.ref });
  if (opts.signal?.aborted) throw new AbortError("the clone was aborted", { cause: opts.signal.reason });
  if (clone.exitCode !== 0) {
    throw new ConfigError(`could not clone ${redactUrl(repo)}: ${clone.stderr.trim().split("\n").pop()}`, {
      location: { file: redactUrl(repo) },
      hint: "check the URL and your access to it (private repositories need git credentials set up)",
    });
  }
  if (opts.ref) {
    let ok = false;
    for (const candidate of [opts.ref, `origin/${opts.ref}`]) {
      if (await gitCheckout(dir, candidate, git)) {
        ok = true;
        break;
      }
    }
    if (!ok) throw new ConfigError(`--ref ${opts.ref} is not a branch, tag or commit of ${redactUrl(repo)}`, { location: { file: "--ref" } });
    await gitUpdateSubmodules(dir, git);
  }
  return { dir: path.join(dir, within), url: url ? redactUrl(repo) : undefined, ref: opts.ref ?? null, revision: await localRevision(dir) };
}
