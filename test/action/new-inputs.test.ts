/**
 * The action's newer inputs, run the way a runner runs them (INPUT_* variables) with the engine
 * stubbed at the process boundary: a fake docker client records every command line it is given.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readInputs, secretValues, toBuildOptions } from "../../src/action/inputs.js";
import { runAction } from "../../src/action/run.js";
import { cleanupTempDirs, fakeNodeBin, readRecord, tempDir, type Recorded } from "../engine/helpers.js";
import { writeTree } from "../helpers/repo.js";

afterAll(cleanupTempDirs);

const IID = `sha256:${"b".repeat(64)}`;
const SECRET = "hf-SeCrEt-value-4321";

interface Run {
  code: number;
  out: string;
  builds: Recorded[];
  all: Recorded[];
  workspace: string;
}

let docker: { file: string; record: string };

/** A workspace with a Python repository, and a fake docker client (classic, or buildx with `buildx`). */
async function setup(vars: Record<string, string> = {}): Promise<void> {
  const dir = await tempDir();
  const record = path.join(dir, "record.jsonl");
  const file = await fakeNodeBin(dir, "docker", { FAKE_RECORD: record, FAKE_IID: IID, ...vars });
  docker = { file, record };
  vi.stubEnv("R2D_DOCKER", file);
}

async function run(inputs: Record<string, string>, files: Record<string, string> = {}): Promise<Run> {
  const workspace = await tempDir();
  await writeTree(workspace, { "repo/requirements.txt": "numpy\n", ...files });
  const env: Record<string, string> = { GITHUB_WORKSPACE: workspace, INPUT_REPO: "repo" };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  let out = "";
  const code = await runAction(env, { write: (s) => void (out += s), cwd: workspace });
  const all = await readRecord(docker.record);
  return { code, out, all, builds: all.filter((r) => r.argv.includes("build")), workspace };
}

const argOf = (r: Recorded | undefined, flag: string): string[] => (r ? r.argv.flatMap((a, i) => (r.argv[i - 1] === flag ? [a] : [])) : []);

beforeEach(() => setup());
afterEach(() => vi.unstubAllEnvs());

describe("secrets and secret-files", () => {
  it("reach the build as --secret files, masked first and never printed; value files are gone after the build", async () => {
    const r = await run(
      { secrets: `hf_token=${SECRET}`, "secret-files": "r2d-pip-conf=conf/pip.conf" },
      { "conf/pip.conf": "[global]\nindex-url = http://127.0.0.1:1/simple\n" },
    );
    expect(r.code, r.out).toBe(0);
    const secrets = argOf(r.builds[0], "--secret");
    expect(secrets).toContainEqual(`id=r2d-pip-conf,src=${path.join(r.workspace, "conf/pip.conf")}`);
    const own = secrets.find((s) => s.startsWith("id=hf_token,src="));
    expect(own).toBeDefined();
    expect(existsSync(own!.slice("id=hf_token,src=".length))).toBe(false);
    const lines = r.out.split("\n");
    const masks = lines.slice(0, lines.findIndex((l) => !l.startsWith("::add-mask::")));
    expect(masks).toContain(`::add-mask::${SECRET}`);
    expect(lines.filter((l) => l.includes(SECRET)).every((l) => l.startsWith("::add-mask::"))).toBe(true);
    expect(JSON.stringify(r.all)).not.toContain(SECRET);
    // hf_token is only for a repository's own Dockerfile: the generated one never mounts it.
    expect(r.out).toMatch(/secret hf_token is passed to the build, but r2d's generated Dockerfile mounts only r2d-pip-conf/);
  });

  it("a secret's value is masked whatever its id is called", () => {
    expect(secretValues({ INPUT_SECRETS: "plain=abc-123-xyz\nother=x=y=z" })).toEqual(expect.arrayContaining(["abc-123-xyz", "x=y=z"]));
  });

  it.each([
    [{ "secret-files": "r2d-pip-conf=missing.conf" }, /input secret-files: r2d-pip-conf: there is no file at .*missing\.conf/],
    [{ secrets: "r2d-pip-conf=x", "pip-index-url": "http://127.0.0.1:1/simple" }, /--secret: secret r2d-pip-conf replaces what pip-index-url/],
    [{ secrets: "r2d-other=x" }, /ids starting with r2d- are r2d's own/],
    [{ secrets: "bad,id=x" }, /secret id "bad,id" is not a plain word/],
    [{ secrets: "a=1", "secret-files": "a=f" }, /secret id a is given twice/],
  ])("refuses %j before building", async (inputs, message) => {
    const r = await run(inputs, { f: "x" });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(message);
    expect(r.builds).toEqual([]);
  });
});

describe("builder, provenance and sbom", () => {
  it("the classic docker engine refuses a builder and attestations before building", async () => {
    for (const [inputs, message] of [
      [{ builder: "ci" }, /cannot use the builder "ci": builders are a buildx feature/],
      [{ provenance: "mode=max" }, /cannot attach provenance attestation \(provenance=mode=max\)/],
      [{ sbom: "true" }, /cannot attach an SBOM attestation/],
    ] as const) {
      const r = await run(inputs);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(message);
      expect(r.out).toMatch(/^::error title=r2d::/m);
      expect(r.builds).toEqual([]);
    }
  });

  it("provenance false is what the classic engine does anyway: it builds", async () => {
    const r = await run({ provenance: "false", sbom: "false" });
    expect(r.code, r.out).toBe(0);
    expect(r.builds[0]?.argv.join(" ")).not.toMatch(/provenance|sbom/);
  });

  it("buildx gets --builder, --provenance and --sbom as given", async () => {
    await setup({ FAKE_BUILDX: "0.17.1", FAKE_VERSION: "27.3.1" });
    const r = await run({ builder: "builder-1", provenance: "mode=max", sbom: "true" });
    expect(r.code, r.out).toBe(0);
    const argv = r.builds[0]!.argv;
    expect(argv.slice(0, 4)).toEqual(["buildx", "build", "--builder", "builder-1"]);
    expect(argv).toEqual(expect.arrayContaining(["--provenance=mode=max", "--sbom=true"]));
  });
});

describe("load", () => {
  it("with push, load keeps the image local too; without it only the push", async () => {
    await setup({ FAKE_BUILDX: "0.17.1", FAKE_VERSION: "27.3.1" });
    const pushed = await run({ "image-name": "registry.example.org/o/m:1", push: "true" });
    expect(pushed.builds[0]!.argv).toContain("--push");
    expect(pushed.builds[0]!.argv).not.toContain("--load");
    await setup({ FAKE_BUILDX: "0.17.1", FAKE_VERSION: "27.3.1" });
    const loaded = await run({ "image-name": "registry.example.org/o/m:1", push: "true", load: "true" });
    expect(loaded.code, loaded.out).toBe(0);
    expect(loaded.builds[0]!.argv).toEqual(expect.arrayContaining(["--load", "--push"]));
  });
});

describe("appendix, target, grader inputs and the image user", () => {
  const read = (inputs: Record<string, string>) => {
    const env: Record<string, string> = { GITHUB_WORKSPACE: "/ws" };
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
    return toBuildOptions(readInputs(env, "/elsewhere"));
  };

  it("appendix and target pass through", () => {
    expect(read({ appendix: "RUN echo one\nRUN echo two", target: "dev" })).toMatchObject({ appendix: "RUN echo one\nRUN echo two", target: "dev" });
    expect(() => read({ target: "prod" })).toThrow(/input target: must be runtime or dev, got "prod"/);
  });

  it("grader inputs: paths from the workspace, the limits, the run kept for grading", () => {
    const o = read({ grader: "synapse", "grader-input": "repo/sample_data", "grader-expected": "/abs/out", memory: "512m", cpus: "0.5", timeout: "2m" });
    expect(o).toMatchObject({ run: true, push: false, command: undefined });
    expect(o.grader).toEqual({ profile: "synapse", inputDir: "/ws/repo/sample_data", expectedDir: "/abs/out", timeoutMs: 120_000, memory: "512m", cpus: "0.5" });
  });

  it.each([
    [{ "grader-input": "x" }, /input grader-input: grader-input only applies with grader/],
    [{ timeout: "5m" }, /input timeout: timeout only applies with grader/],
    [{ grader: "synapse", "run-check": "true" }, /input grader: grader and run-check both run the built image/],
    [{ grader: "kaggle" }, /input grader: must be synapse, crowdai or modzy/],
    [{ grader: "synapse", memory: "lots" }, /input memory: must be a size/],
  ])("refuses %j", (inputs, message) => {
    expect(() => read(inputs)).toThrow(message);
  });

  it("the image user is jovyan/1000 unless given, or the crowdai grader's contract names its own", () => {
    expect(read({})).toMatchObject({ userId: "1000", userName: "jovyan" });
    expect(read({ "user-name": "model" })).toMatchObject({ userId: "1000", userName: "model" });
    expect(read({ "user-id": "1001", "user-name": "runner" })).toMatchObject({ userId: "1001", userName: "runner" });
    const crowdai = read({ grader: "crowdai" });
    expect(crowdai.userId).toBeUndefined(); // buildRepo applies crowdai/1001 from the grader's defaults
    expect(crowdai.userName).toBeUndefined();
  });
});
