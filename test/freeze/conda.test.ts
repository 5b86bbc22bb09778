import { afterEach, describe, expect, it, vi } from "vitest";
import { parseCondaExplicit } from "../../src/detect/conda-explicit.js";
import { parseRequirementsTxt } from "../../src/detect/requirements-txt.js";
import { ConfigError } from "../../src/errors.js";
import type { Engine, RunRequest } from "../../src/engine/index.js";
import { planRepo } from "../../src/index.js";
import { TempFiles } from "../helpers/repo.js";

// The process boundary: no container runs in these tests.
const runs: RunRequest[] = [];
let stdout = "";
vi.mock("../../src/engine/index.js", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  runContainer: (_engine: Engine, req: RunRequest) => { runs.push(req); return Promise.resolve({ exitCode: 0, stdout, stderr: "" }); },
}));
const { condaPipText, explicitFromExport, explicitPins, exportConda } = await import("../../src/freeze/conda.js");

const MD5 = "a".repeat(32);
const EXPORT = `# This file may be used to create an environment using:\n# $ conda create --name <env> --file <this file>\n# platform: linux-64\n@EXPLICIT\nhttps://conda.anaconda.org/conda-forge/linux-64/python-3.11.9-hb806964_0_cpython.conda#${MD5}\nhttps://conda.anaconda.org/conda-forge/noarch/pip-24.0-pyhd8ed1ab_0.conda#${"b".repeat(32)}\n`;
const temp = new TempFiles();
afterEach(() => temp.cleanup());

describe("freezing a conda environment", () => {
  it("runs micromamba env export --explicit --md5 of the environment, without network, and writes a list the conda-explicit pack reads", async () => {
    stdout = EXPORT;
    const frozen = await exportConda({} as Engine, "img", { platform: "linux/amd64" });
    expect(runs.at(-1)).toMatchObject({ image: "img", command: ["env", "export", "--explicit", "--md5", "--prefix", "/srv/conda/envs/notebook"], network: "none", extra: ["--entrypoint", "micromamba"], platform: "linux/amd64" });
    expect(frozen.subdir).toBe("linux-64");
    expect(parseCondaExplicit(frozen.text)).toEqual({ platform: "linux-64", python: "3.11", packages: 2 });
    expect([...frozen.pins]).toEqual([["python", "3.11.9"], ["pip", "24.0"]]);
  });

  it("refuses an export with anything but package URLs (nothing else reaches the written file)", () => {
    expect(() => explicitFromExport(`${EXPORT}https://x/evil.conda#${MD5}; rm -rf /\n`)).toThrow(ConfigError);
    expect(() => explicitFromExport(EXPORT.replace("# platform: linux-64\n", "# platform: osx-arm64\n"))).toThrow(/platform osx-arm64/);
  });

  it("reads the previous list's pins for the changes", () => {
    expect([...explicitPins(`# python-0.0-x.conda\nhttps://c/linux-64/python-3.10.1-h_0.tar.bz2#${MD5}\n`)]).toEqual([["python", "3.10.1"]]);
    expect(explicitPins(null).size).toBe(0);
  });

  it("pins pip packages with every hash the index has, checked like a lock file's", () => {
    const text = condaPipText([{ name: "r2d-hello", version: "0.1.0", files: [{ sha256: "c".repeat(64) }, { sha256: "d".repeat(64) }] }]);
    expect(text).toContain(`r2d-hello==0.1.0 --hash=sha256:${"c".repeat(64)} --hash=sha256:${"d".repeat(64)}`);
    expect(parseRequirementsTxt(text).hashed).toBe(true);
    expect(() => condaPipText([{ name: "x\n-e .", version: "1", files: [{ sha256: "c".repeat(64) }] }])).toThrow(ConfigError);
    expect(() => condaPipText([{ name: "x", version: "1", files: [{ sha256: "zz" }] }])).toThrow(ConfigError);
  });
});

describe("the conda-explicit pack with the frozen pip list", () => {
  const list = `@EXPLICIT\nhttps://conda.anaconda.org/conda-forge/linux-64/python-3.11.9-h_0.conda#${MD5}\n`;
  const plan = async (pip: string) => (await planRepo(await temp.repo({ "conda-linux-64.lock": list, "conda-pip-requirements.txt": pip }), { invoking: { uid: 0, name: "root" }, platform: "linux/amd64" })).plan;
  it("installs it with the environment's pip after the conda packages, hashes required", async () => {
    const p = await plan(`r2d-hello==0.1.0 --hash=sha256:${"c".repeat(64)}\n`);
    expect(p.dependencyFiles).toEqual(["conda-linux-64.lock", "conda-pip-requirements.txt"]);
    expect(p.preAssembleSteps.map((s) => s.commands.join(" ")).at(-1)).toMatch(/\/srv\/conda\/envs\/notebook\/bin\/pip install --disable-pip-version-check --no-deps --require-hashes -r conda-pip-requirements\.txt$/);
  });
  it("refuses a list without hashes or naming the repository", async () => {
    await expect(plan("r2d-hello==0.1.0\n")).rejects.toThrow(/conda-pip-requirements\.txt: must pin every package with its hashes/);
    await expect(plan(`-e .\nr2d-hello==0.1.0 --hash=sha256:${"c".repeat(64)}\n`)).rejects.toThrow(/must pin every package/);
  });
});
