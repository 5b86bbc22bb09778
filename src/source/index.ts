import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { ConfigError } from "../errors.js";
import { onCleanup } from "../cleanup.js";

export interface Source {
  /** Local directory to build from. */
  dir: string;
  /** For labels: a URL without credentials, the ref asked for, the commit built. */
  url?: string;
  ref: string | null;
  revision: string | null;
  /** Removes a temporary clone (no-op for local directories). */
  dispose(): Promise<void>;
}

/** Looks like something `git clone` takes rather than a local path. */
export function isGitUrl(repo: string): boolean {
  return /^(https?|git|ssh|file):\/\//.test(repo) || /^[\w.-]+@[\w.-]+:/.test(repo);
}

/** Removes user:password@ from a URL so tokens never reach labels or logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)[^/@]*@/i, "$1");
}

async function revisionOf(dir: string): Promise<string | null> {
  const r = await execa("git", ["-C", dir, "rev-parse", "HEAD"], { reject: false });
  return r.exitCode === 0 ? String(r.stdout).trim() : null;
}

/** A local path as is, or a git URL cloned (at --ref) into a temp dir removed on dispose or Ctrl-C. */
export async function openSource(repo: string, opts: { ref?: string; signal?: AbortSignal } = {}): Promise<Source> {
  if (!isGitUrl(repo)) {
    return { dir: path.resolve(repo), ref: null, revision: await revisionOf(path.resolve(repo)), dispose: async () => {} };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "r2d-clone-"));
  const dispose = onCleanup(() => rm(dir, { recursive: true, force: true }));
  const git = (args: string[]) => execa("git", args, { reject: false, cancelSignal: opts.signal, env: { GIT_TERMINAL_PROMPT: "0" } });
  try {
    const clone = opts.ref
      ? await git(["clone", "--quiet", "--recurse-submodules", repo, dir])
      : await git(["clone", "--quiet", "--depth", "1", "--recurse-submodules", "--shallow-submodules", repo, dir]);
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
    return { dir, url: redactUrl(repo), ref: opts.ref ?? null, revision: await revisionOf(dir), dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
