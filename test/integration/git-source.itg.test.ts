/** A git URL with a ref: cloned to a temp dir (removed afterwards), built at that branch, labelled with its commit. */
import { readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type BuildRepoResult } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { writeTree } from "../helpers/repo.js";
import { buildOptions, inspect, Scope, sh } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

const clones = async () => new Set((await readdir(os.tmpdir())).filter((n) => n.startsWith("r2d-clone-")));

describe("file:// git URL with ref set to a branch", () => {
  let image: string;
  let result: BuildRepoResult;
  let featureCommit: string;
  let mainCommit: string;
  let leftovers: string[];

  beforeAll(async () => {
    const dir = await scope.repo({ "app.py": "print('main branch')\n", "branch.txt": "main\n" });
    const git = async (...args: string[]) =>
      String((await execa("git", ["-c", "user.name=r2d test", "-c", "user.email=r2d@example.invalid", "-C", dir, ...args])).stdout).trim();
    await git("init", "-q", "-b", "main");
    await git("add", "-A");
    await git("commit", "-q", "-m", "main");
    mainCommit = await git("rev-parse", "HEAD");
    await git("checkout", "-q", "-b", "feature");
    await writeTree(dir, { "branch.txt": "feature\n", "feature.py": "print('feature')\n" });
    await git("add", "-A");
    await git("commit", "-q", "-m", "feature");
    featureCommit = await git("rev-parse", "HEAD");
    await git("checkout", "-q", "main");

    const before = await clones();
    image = scope.image("git");
    result = await buildRepo(`file://${dir}`, buildOptions(infra, { imageName: image, ref: "feature" }));
    // Other r2d runs on this machine may be cloning at the same time: only clones of this repository count.
    const url = `file://${dir}`;
    leftovers = [];
    for (const name of [...(await clones())].filter((n) => !before.has(n))) {
      const origin = await execa("git", ["-C", path.join(os.tmpdir(), name), "remote", "get-url", "origin"], { reject: false });
      if (String(origin.stdout).trim() === url) leftovers.push(name);
    }
  });

  it("builds the branch, not the checked-out main", async () => {
    expect(featureCommit).not.toBe(mainCommit);
    expect(await sh(infra, image, "cat branch.txt; ls")).toBe("feature\napp.py\nbranch.txt\nfeature.py");
    // .git is never sent.
    expect(await sh(infra, image, "test ! -e .git && echo no-git")).toBe("no-git");
  });

  it("labels the image with the commit and the ref", async () => {
    const labels = (await inspect(infra, image)).Config.Labels ?? {};
    expect(labels["org.opencontainers.image.revision"]).toBe(featureCommit);
    expect(labels["repo2docker.ref"]).toBe("feature");
    expect(labels["org.opencontainers.image.source"]).toMatch(/^file:\/\//);
    expect(result.plan.labels["org.opencontainers.image.revision"]).toBe(featureCommit);
  });

  it("removes the temporary clone", () => {
    expect(leftovers).toEqual([]);
  });
});
