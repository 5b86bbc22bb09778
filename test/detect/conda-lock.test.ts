import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parseCondaLock } from "../../src/detect/conda-lock.js";
import { planRepo } from "../../src/index.js";
import { tmpRepo } from "../helpers/repo.js";
import { expectConfigError } from "./helpers.js";

const FIXTURE = readFileSync(new URL("../../fixtures/conda-lock/repo/conda-lock.yml", import.meta.url), "utf8");
const ROOT = { uid: 0, name: "root" };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { await Promise.all(cleanups.splice(0).map((c) => c())); });

async function plan(files: Record<string, string>, options: { platform?: string; target?: "dev" } = {}) {
  const repo = await tmpRepo(files);
  cleanups.push(repo.cleanup);
  return (await planRepo(repo.root, { invoking: ROOT, ...options })).plan;
}

describe("conda-lock.yml", () => {
  it("reads every package with its manager, platform, hashes, category and line", () => {
    const lock = parseCondaLock(FIXTURE);
    expect(lock.platforms).toEqual(["linux-64", "osx-arm64"]);
    expect(lock.packages.map((p) => `${p.manager}:${p.name}@${p.platform}:${p.category}`)).toEqual([
      "conda:_libgcc_mutex@linux-64:main", "conda:python@linux-64:main", "conda:pip@linux-64:main", "conda:pytest@linux-64:dev", "pip:requests@linux-64:main", "conda:python@osx-arm64:main",
    ]);
    const requests = lock.packages[4]!;
    expect(requests.sha256).toBe("sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f");
    expect(FIXTURE.split("\n")[requests.line! - 1]).toBe("- name: requests");
  });

  const entry = (fields: string) => `version: 1\nmetadata:\n  platforms: [linux-64]\npackage:\n- name: x\n  version: '1.0'\n  platform: linux-64\n${fields}`;
  const MD5 = "d".repeat(32);
  it.each([
    [entry(`  manager: conda\n  url: https://c.org/linux-64/x-1.0-0.conda\n  hash: {md5: nothex${"0".repeat(26)}}\n`), 5, /md5 "nothex0+", which is not 32 hex/],
    [entry(`  manager: conda\n  url: https://c.org/linux-64/x-1.0-0.conda\n`), 5, /md5 missing/],
    [entry(`  manager: conda\n  url: file:///etc/x-1.0-0.conda\n  hash: {md5: ${MD5}}\n`), 5, /URL "file:.*does not accept/],
    [entry(`  manager: conda\n  url: https://c.org/linux-64/x.whl\n  hash: {md5: ${MD5}}\n`), 5, /not a conda package file/],
    [entry(`  manager: pip\n  url: https://f.org/x-1.0.whl\n  hash: {md5: ${MD5}}\n`), 5, /hash missing/],
    [entry(`  manager: npm\n`), 5, /manager is "npm"/],
    [`version: 1\nmetadata:\n  platforms: [linux-64]\npackage:\n- name: "x; rm -rf /"\n  version: '1'\n  manager: conda\n`, 5, /not a conda package name/],
    ["version: 2\nmetadata: {platforms: []}\npackage: []\n", undefined, /version 2/],
    ["version: 1\npackage: []\n", undefined, /metadata.platforms/],
    ["version: 1\nmetadata:\n  platforms: [linux-64\n", 4, /not valid YAML/],
  ])("refuses bad input, naming the file and line (%#)", (text, line, message) => {
    expectConfigError(() => parseCondaLock(text, "binder/conda-lock.yml"), { file: "binder/conda-lock.yml", line, message });
  });

  it("refuses a target platform the lock does not have, naming the platforms it has", async () => {
    await expect(plan({ "conda-lock.yml": FIXTURE }, { platform: "linux/arm64" })).rejects.toThrow(/conda-lock\.yml: has no packages for linux-aarch64, the image's platform \(it has linux-64, osx-arm64\)/);
  });

  it("is chosen after an explicit list and before environment.yml", async () => {
    expect((await plan({ "conda-lock.yml": FIXTURE, "environment.yml": "dependencies: [python=3.12]\n" }, { platform: "linux/amd64" })).buildpack).toBe("conda-lock");
    const explicit = "@EXPLICIT\nhttps://conda.anaconda.org/conda-forge/linux-64/python-3.11.9-h_0.conda#" + "a".repeat(32) + "\n";
    expect((await plan({ "conda-lock.yml": FIXTURE, "conda-linux-64.lock": explicit }, { platform: "linux/amd64" })).buildpack).toBe("conda-explicit");
  });

  it("the dev category goes into the dev image only: micromamba install of its explicit list, no solve", async () => {
    const runtime = await plan({ "conda-lock.yml": FIXTURE }, { platform: "linux/amd64" });
    expect(runtime.dev).toBeNull();
    expect(runtime.pinnedFiles!.map((f) => f.content).join("")).not.toContain("pytest");
    const dev = await plan({ "conda-lock.yml": FIXTURE }, { platform: "linux/amd64", target: "dev" });
    expect(dev.dev!.files!.map((f) => f.name)).toEqual(["conda-lock-dev-explicit.txt"]);
    expect(dev.dev!.files![0]!.content).toMatch(/@EXPLICIT\nhttps:\/\/conda\.anaconda\.org\/conda-forge\/noarch\/pytest-8\.2\.0-pyhd8ed1ab_0\.conda#088ff7e08f4f0a6fc3b06b1a4e1b1b2d\n$/);
    expect(dev.dev!.steps[0]!.commands[0]).toMatch(/ micromamba install --yes --prefix \/srv\/conda\/envs\/notebook --file \/usr\/local\/lib\/r2d\/conda-lock-dev-explicit\.txt$/);
  });

  it("needs pip in the environment for pip packages", async () => {
    const noPip = FIXTURE.replace("- name: pip\n", "- name: pipx\n");
    await expect(plan({ "conda-lock.yml": noPip }, { platform: "linux/amd64" })).rejects.toThrow(/lists pip packages \(requests, …\) for linux-64 but no conda package pip/);
  });
});
