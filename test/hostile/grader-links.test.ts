/**
 * The graders on a hostile repository and a hostile image: test-data folders found by convention
 * must really be the repository's (a link out is never mounted into the container or read as
 * expected outputs), model.yaml and message.txt are not read through links, and what the container
 * wrote to its output folder is never followed out (a link there to a host file is not an output).
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compareOutputs } from "../../src/grader/compare.js";
import { findDataFolders, findModzyCases, isRepoDir, readInside } from "../../src/grader/data.js";

let tmp: string;
let repo: string;
let outside: string;
let marker: string;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "r2d-grader-links-"));
  repo = path.join(tmp, "repo");
  outside = path.join(tmp, "outside");
  marker = `r2d-outside-${randomBytes(6).toString("hex")}`;
  for (const rel of ["input/a.txt", "expected/a.txt", "case1/input/a.txt", "case1/output/a.txt", "secret.txt", "model.yaml"]) {
    await mkdir(path.dirname(path.join(outside, rel)), { recursive: true });
    await writeFile(path.join(outside, rel), `${marker}\n`);
  }
  await mkdir(repo);
});
afterEach(() => rm(tmp, { recursive: true, force: true }));

async function link(rel: string, target: string): Promise<void> {
  await mkdir(path.dirname(path.join(repo, rel)), { recursive: true });
  await symlink(target, path.join(repo, rel));
}

describe("test-data folders found by convention", () => {
  it.each([
    ["sample_data -> outside", "sample_data", "input"],
    ["sample_data -> ../outside/input (relative)", "sample_data", "../outside/input"],
  ])("%s is not the repository's input folder", async (_, rel, target) => {
    await link(rel, target.startsWith("..") ? target : path.join(outside, target));
    expect(await findDataFolders(repo, {})).toEqual({ source: "no input folder found" });
  });

  it("tests -> outside: tests/input below it does not count either", async () => {
    await link("tests", outside);
    expect((await findDataFolders(repo, {})).input).toBeUndefined();
  });

  it("a real input folder with its expected folder linked out: the input is used, the expected folder is not", async () => {
    await mkdir(path.join(repo, "sample_data"));
    await writeFile(path.join(repo, "sample_data/a.txt"), "1\n");
    await link("sample_output", path.join(outside, "expected"));
    const d = await findDataFolders(repo, {});
    expect(d.input).toBe(path.join(repo, "sample_data"));
    expect(d.expected).toBeUndefined();
  });

  it("links inside the repository still count", async () => {
    await mkdir(path.join(repo, "datasets/v1"), { recursive: true });
    await writeFile(path.join(repo, "datasets/v1/a.txt"), "1\n");
    await link("sample_data", "datasets/v1");
    expect((await findDataFolders(repo, {})).input).toBe(path.join(repo, "sample_data"));
    expect(await isRepoDir(repo, path.join(repo, "sample_data"))).toBe(true);
  });

  it("Modzy: an examples folder, a case's input or output, and message.txt through links out are not used", async () => {
    await link("tests/data/examples", outside);
    expect((await findModzyCases(repo, { inputs: [], outputs: [] }, {})).examples).toEqual([]);
    await rm(path.join(repo, "tests"), { recursive: true });
    await mkdir(path.join(repo, "tests/data/examples/case1/input"), { recursive: true });
    await writeFile(path.join(repo, "tests/data/examples/case1/input/a.txt"), "1\n");
    await link("tests/data/examples/case1/output", path.join(outside, "case1/output"));
    await mkdir(path.join(repo, "tests/data/validation-error/bad/input"), { recursive: true });
    await writeFile(path.join(repo, "tests/data/validation-error/bad/input/a.txt"), "x\n");
    await link("tests/data/validation-error/bad/message.txt", path.join(outside, "secret.txt"));
    const found = await findModzyCases(repo, { inputs: [], outputs: [] }, {});
    expect(found.examples.map((c) => c.name)).toEqual(["case1"]);
    expect([...found.examples[0]!.expected.values()]).toEqual([]);
    expect(found.errors[0]?.errorMessage).toBe("");
    expect(JSON.stringify(found)).not.toContain(outside);
  });
});

describe("reading what the container wrote", () => {
  it("compareOutputs does not follow a link the container left where an expected output should be", async () => {
    const expected = path.join(tmp, "expected.txt");
    await writeFile(expected, "expected line\n");
    const actual = path.join(tmp, "actual");
    await mkdir(actual);
    await symlink(path.join(outside, "secret.txt"), path.join(actual, "out.txt"));
    await mkdir(path.join(actual, "sub"));
    await symlink(path.join(outside, "input"), path.join(actual, "dir"));
    const diffs = await compareOutputs(new Map([["out.txt", expected], ["dir/a.txt", expected]]), actual);
    expect(diffs.map((d) => d.detail)).toEqual([expect.stringMatching(/^missing/), expect.stringMatching(/^missing/)]);
    expect(JSON.stringify(diffs)).not.toContain(marker);
  });

  it("readInside reads a regular file inside, and nothing through a link or a path with ..", async () => {
    await writeFile(path.join(repo, "model.yaml"), "memory: 1g\n");
    expect((await readInside(repo, "model.yaml"))?.toString()).toBe("memory: 1g\n");
    await rm(path.join(repo, "model.yaml"));
    await link("model.yaml", path.join(outside, "model.yaml"));
    expect(await readInside(repo, "model.yaml")).toBeNull();
    await rm(path.join(repo, "model.yaml"));
    await writeFile(path.join(repo, "real.yaml"), "cpus: 1\n");
    await link("model.yaml", "real.yaml");
    expect((await readInside(repo, "model.yaml"))?.toString()).toBe("cpus: 1\n");
    expect(await readInside(repo, "../outside/secret.txt")).toBeNull();
  });
});
