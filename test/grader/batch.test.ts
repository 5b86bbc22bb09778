/**
 * The batch run Synapse and crowdAI share, with a stand-in docker client: the folders mounted,
 * the container started under the grader's rules, its outputs listed and judged, the closing
 * checks, and the container removed. No Docker engine needed.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { engineOf } from "../../src/engine/adapters/index.js";
import type { ImageInfo } from "../../src/engine/types.js";
import { crowdai } from "../../src/grader/crowdai.js";
import type { GradeContext } from "../../src/grader/profile.js";
import { synapse } from "../../src/grader/synapse.js";
import type { GraderOptions } from "../../src/grader/types.js";
import type { BuildPlan } from "../../src/plan/types.js";
import { cleanupTempDirs, fakeNodeBin, readRecord, tempDir } from "../engine/helpers.js";

afterAll(cleanupTempDirs);

const INFO: ImageInfo = { id: "sha256:e", size: 1, labels: {}, user: "1000", env: [], workdir: "/home/jovyan", cmd: ["python", "run.py"], entrypoint: null, repoTags: [], repoDigests: [] };

async function setup(vars: Record<string, string>, repoFiles: Record<string, string>, options: Partial<GraderOptions> = {}) {
  const dir = await tempDir();
  const repo = path.join(dir, "repo");
  for (const [rel, text] of Object.entries(repoFiles)) {
    await mkdir(path.dirname(path.join(repo, rel)), { recursive: true });
    await writeFile(path.join(repo, rel), text);
  }
  const tmp = path.join(dir, "grade");
  await mkdir(tmp);
  const recordFile = path.join(dir, "record.jsonl");
  const docker = await fakeNodeBin(dir, "docker", { FAKE_RECORD: recordFile, ...vars });
  const said: string[] = [];
  const debug: string[] = [];
  const ctx: GradeContext = {
    engine: engineOf("docker", { client: docker, version: "20.10.24", reason: "test" }),
    image: "r2d-test/img:1",
    info: INFO,
    plan: { buildpack: "python", repoDir: "/home/crowdai" } as unknown as BuildPlan,
    repoRoot: repo,
    options: { profile: "synapse", timeoutMs: 30_000, memory: "256m", ...options },
    platform: "linux/amd64",
    tmp,
    debug: (t) => debug.push(t),
    say: (t) => said.push(t),
  };
  const calls = async () => (await readRecord(recordFile)).map((c) => c.argv);
  return { ctx, repo, tmp, said, debug, calls };
}

const names = (checks: { name: string }[]) => checks.map((c) => c.name);

describe("the batch run, as Synapse", () => {
  it("mounts /input read-only and /output, runs without the network, judges the outputs, removes the container", async () => {
    const { ctx, repo, tmp, said, debug, calls } = await setup(
      { FAKE_WRITE: "/output/predictions.csv", FAKE_MEMORY: "1048576", FAKE_RUN_MS: "3000" },
      { "sample_data/a.csv": "1\n", "sample_output/predictions.csv": "id,label\n1,rock\n" },
    );
    const run = await synapse.run(ctx);
    expect(names(run.checks)).toEqual(["input-data", "exit-code", "network", "outputs", "expected-outputs", "memory", "timeout"]);
    expect(run.checks.every((c) => c.passed), JSON.stringify(run.checks, null, 2)).toBe(true);
    expect(run.checks.find((c) => c.name === "outputs")?.reason).toBe("wrote 1 file(s) to /output: predictions.csv");
    expect(run.outcome).toMatchObject({ exitCode: 0, durationMs: 1500, peakMemorySource: "exec", peakMemoryBytes: 1048576 });
    expect(run.limits).toEqual({ memory: "256m", cpus: undefined, shmSize: undefined, gpus: undefined, timeoutMs: 30_000, network: "none", platform: "linux/amd64" });
    expect(run.data).toEqual({ input: path.join(repo, "sample_data"), expected: path.join(repo, "sample_output"), source: "input sample_data/ (repository convention), expected sample_output/" });
    expect(said).toEqual(["running r2d-test/img:1 as Synapse does (--network none, /input read-only, /output)"]);

    const argv = await calls();
    const runArgs = argv.find((a) => a[0] === "run")!;
    const name = runArgs[runArgs.indexOf("--name") + 1]!;
    expect(runArgs).toEqual([
      "run", "--name", name, "--network", "none", "--memory", "256m", "--platform", "linux/amd64",
      "-v", `${path.join(repo, "sample_data")}:/input:ro`, "-v", `${path.join(tmp, "output")}:/output:rw`,
      "--memory-swap", "256m", "r2d-test/img:1",
    ]);
    expect(argv.at(-1)).toEqual(["rm", "-f", "-v", name]);
    expect(run.command).toBe(`${ctx.engine.client} run --rm --network none --memory 256m --platform linux/amd64 -v ${path.join(repo, "sample_data")}:/input:ro -v "$PWD"/output:/output:rw r2d-test/img:1`);
    expect(debug[0]).toMatch(/^grade: .* run --name r2d-grade-[0-9a-f]+ --network none/);
  });

  it("a failing run: the exit code, and nothing written to /output, each with a hint", async () => {
    const { ctx } = await setup({ FAKE_EXIT: "3" }, {});
    const run = await synapse.run(ctx);
    expect(names(run.checks)).toEqual(["input-data", "exit-code", "network", "outputs", "memory", "timeout"]);
    const failed = run.checks.filter((c) => !c.passed);
    expect(names(failed)).toEqual(["input-data", "exit-code", "outputs"]);
    expect(failed.find((c) => c.name === "exit-code")?.reason).toMatch(/^the default command \(python run\.py\) exited with code 3/);
    expect(failed.find((c) => c.name === "outputs")?.hint).toBe("it failed before writing anything (see exit-code)");
  });
});

describe("the batch run, as crowdAI", () => {
  it("runs /home/crowdai/run.sh with TEST_DIRECTORY and OUTPUT_PATH on the mounted folders", async () => {
    const { ctx, repo, tmp, calls } = await setup(
      { FAKE_WRITE: "/crowdai-output/predictions.csv" },
      { "run.sh": "#!/bin/sh\n", "test_data/a.csv": "1\n", "expected_output/predictions.csv": "id,label\n1,rock\n" },
      { profile: "crowdai", memory: undefined },
    );
    const run = await crowdai.run(ctx);
    expect(names(run.checks)).toEqual(["entry-point", "input-data", "exit-code", "output-file", "expected-outputs", "memory", "timeout"]);
    expect(run.checks.every((c) => c.passed), JSON.stringify(run.checks, null, 2)).toBe(true);
    expect(run.limits.network).toBe("default");
    expect(run.data.source).toBe("input test_data/ (repository convention), expected expected_output/; OUTPUT_PATH /crowdai-output/predictions.csv");
    const runArgs = (await calls()).find((a) => a[0] === "run")!;
    expect(runArgs.slice(3)).toEqual([
      "--platform", "linux/amd64", "-e", "TEST_DIRECTORY=/crowdai-payload", "-e", "OUTPUT_PATH=/crowdai-output/predictions.csv",
      "-v", `${path.join(repo, "test_data")}:/crowdai-payload:ro`, "-v", `${path.join(tmp, "output")}:/crowdai-output:rw`,
      "r2d-test/img:1", "/home/crowdai/run.sh",
    ]);
  });

  it("with the repository's own Dockerfile, whether run.sh could run is judged by the run", async () => {
    const { ctx } = await setup({ FAKE_EXIT: "127" }, { "run.sh": "#!/bin/sh\n" }, { profile: "crowdai" });
    ctx.plan = { buildpack: "dockerfile", repoDir: "/srv" } as unknown as BuildPlan;
    const run = await crowdai.run(ctx);
    expect(run.checks[0]).toMatchObject({ name: "entry-point", passed: false, reason: "/home/crowdai/run.sh could not run (exit 127)" });
    expect(run.checks.find((c) => c.name === "output-file")).toMatchObject({ passed: false, hint: "run.sh failed before writing anything (see exit-code)" });
  });
});
