/**
 * `--ref` on a local folder: that commit is built from a clone in the run folder, and the user's
 * tree (its files, HEAD, worktrees) stays as it is; a folder outside git is refused before any work.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { buildRepo } from "../../src/build-repo.js";
import { ConfigError } from "../../src/errors.js";
import { TempFiles, writeTree } from "../helpers/repo.js";

const temp = new TempFiles();
afterAll(() => temp.cleanup());

async function gitRepo(): Promise<{ dir: string; git: (...args: string[]) => Promise<string> }> {
  const dir = await temp.repo({ "requirements.txt": "numpy\n", "sub/environment.yml": "dependencies:\n  - python=3.11\n" }, "r2d-ref-");
  const git = async (...args: string[]) => String((await execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", dir, ...args])).stdout).trim();
  await git("init", "-q", "-b", "main");
  await git("add", "-A");
  await git("commit", "-q", "-m", "v1");
  await git("tag", "v1");
  // The working tree moves on: another commit, and uncommitted work on top.
  await git("rm", "-q", "requirements.txt");
  await writeTree(dir, { "Pipfile": "[packages]\nrequests = \"*\"\n" });
  await git("add", "-A");
  await git("commit", "-q", "-m", "v2");
  await writeTree(dir, { "uncommitted.txt": "work in progress\n" });
  return { dir, git };
}

describe("--ref on a local folder", () => {
  it("plans the ref's tree (from a clone), leaving the user's tree, HEAD and worktrees alone", async () => {
    const { dir, git } = await gitRepo();
    const before = { head: await git("rev-parse", "HEAD"), status: await git("status", "--porcelain"), files: (await readdir(dir)).sort() };
    const atRef = await buildRepo(dir, { ref: "v1", build: false });
    expect(atRef.plan.buildpack).toBe("python");
    expect(atRef.plan.detected.map((d) => d.path)).toContain("requirements.txt");
    expect(atRef.facts.root).not.toBe(dir);
    const now = await buildRepo(dir, { build: false });
    expect(now.plan.buildpack).toBe("pipfile");
    expect({ head: await git("rev-parse", "HEAD"), status: await git("status", "--porcelain"), files: (await readdir(dir)).sort() }).toEqual(before);
    expect(await git("worktree", "list")).not.toContain("\n");
  });

  it("a subfolder of the repository keeps its place in the ref's tree", async () => {
    const { dir } = await gitRepo();
    const r = await buildRepo(path.join(dir, "sub"), { ref: "v1", build: false });
    expect(r.plan.buildpack).toBe("conda");
  });

  it("refuses a ref the repository does not have, and a folder outside git", async () => {
    const { dir } = await gitRepo();
    await expect(buildRepo(dir, { ref: "v9", build: false })).rejects.toThrow(/--ref v9 is not a branch, tag or commit/);
    const plain = await temp.repo({ "requirements.txt": "numpy\n" }, "r2d-ref-nogit-");
    const err = await buildRepo(plain, { ref: "main", build: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^--ref: --ref main needs a git repository, and .* is not in one/);
  });
});
