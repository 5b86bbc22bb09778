/**
 * localRevision: the commit of a local repository for labels and the default tag, the same as
 * `git rev-parse HEAD` for real checkouts (loose and packed refs, detached HEAD, a registered
 * worktree), and null for a folder inside a checkout and whenever `.git` would lead outside.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { localRevision } from "../../src/source/git-head.js";

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tmp(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), "r2d-git-head-"));
  dirs.push(d);
  return d;
}

const git = async (cwd: string, ...args: string[]) => (await run("git", ["-C", cwd, "-c", "user.email=t@example.org", "-c", "user.name=t", ...args])).stdout.trim();

async function checkout(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await git(dir, "init", "-q", "-b", "main");
  await writeFile(path.join(dir, "a.txt"), "a\n");
  await git(dir, "add", "a.txt");
  await git(dir, "commit", "-q", "-m", "one");
  return git(dir, "rev-parse", "HEAD");
}

describe("localRevision on real checkouts: what git says", () => {
  it("a loose ref, then packed refs, then a detached HEAD", async () => {
    const repo = path.join(await tmp(), "repo");
    const head = await checkout(repo);
    expect(await localRevision(repo)).toBe(head);
    await git(repo, "pack-refs", "--all");
    expect(await localRevision(repo)).toBe(head);
    await git(repo, "checkout", "-q", "--detach");
    expect(await localRevision(repo)).toBe(head);
  });

  it("a worktree (its .git file names a git folder that names it back)", async () => {
    const d = await tmp();
    const main = path.join(d, "main");
    const head = await checkout(main);
    await git(main, "worktree", "add", "-q", path.join(d, "wt"));
    expect(await localRevision(path.join(d, "wt"))).toBe(head);
  });

  it("a folder inside a checkout (no .git of its own) has no revision: its files need not be that commit's", async () => {
    const repo = path.join(await tmp(), "repo");
    await checkout(repo);
    await mkdir(path.join(repo, "model"));
    expect(await localRevision(path.join(repo, "model"))).toBeNull();
  });

  it("no git at all: null", async () => {
    expect(await localRevision(await tmp())).toBeNull();
  });
});

describe("localRevision never follows .git out of the repository", () => {
  it.each([
    ["a gitdir: file to another repository", async (repo: string, other: string) => writeFile(path.join(repo, ".git"), `gitdir: ${other}/.git\n`)],
    ["a .git symlink to another repository's .git", async (repo: string, other: string) => symlink(`${other}/.git`, path.join(repo, ".git"))],
    ["a ref that is a symlink to another repository's ref", async (repo: string, other: string) => {
      await checkout(repo);
      await rm(path.join(repo, ".git/refs/heads/main"));
      await symlink(`${other}/.git/refs/heads/main`, path.join(repo, ".git/refs/heads/main"));
    }],
    ["HEAD as a symlink out", async (repo: string, other: string) => {
      await checkout(repo);
      await rm(path.join(repo, ".git/HEAD"));
      await symlink(`${other}/.git/HEAD`, path.join(repo, ".git/HEAD"));
    }],
    ["a commondir pointing at another repository", async (repo: string, other: string) => {
      await mkdir(path.join(repo, ".git/refs"), { recursive: true });
      await writeFile(path.join(repo, ".git/HEAD"), "ref: refs/heads/main\n");
      await writeFile(path.join(repo, ".git/commondir"), `${other}/.git\n`);
    }],
  ])("%s: null, never the other commit", async (_, plant) => {
    const d = await tmp();
    const other = path.join(d, "other");
    const otherHead = await checkout(other);
    const repo = path.join(d, "repo");
    await mkdir(repo);
    await plant(repo, other);
    const got = await localRevision(repo);
    expect(got).not.toBe(otherHead);
    // The ref-link cases keep the repository's own commit unreadable: nothing, rather than a guess.
    expect(got).toBeNull();
  });

  it("a worktree whose git folder does not name it back (a planted gitdir: file): null", async () => {
    const d = await tmp();
    const main = path.join(d, "main");
    await checkout(main);
    await git(main, "worktree", "add", "-q", path.join(d, "wt"));
    const planted = path.join(d, "planted");
    await mkdir(planted);
    await writeFile(path.join(planted, ".git"), `gitdir: ${main}/.git/worktrees/wt\n`);
    expect(await localRevision(planted)).toBeNull();
  });
});
