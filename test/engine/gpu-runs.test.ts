/**
 * --gpu at the process boundary: buildRepo builds and runs with a stand-in docker client (no GPU
 * and no engine here), and the recorded `docker run` command lines say which GPUs were asked for.
 */
import { afterAll, describe, expect, it } from "vitest";
import { buildRepo, type BuildRepoOptions } from "../../src/build-repo.js";
import { runGpus } from "../../src/run-gpus.js";
import { TempFiles } from "../helpers/repo.js";
import { cleanupTempDirs, fakeNodeBin, readRecord, tempDir } from "./helpers.js";

const temp = new TempFiles();
afterAll(async () => {
  await temp.cleanup();
  await cleanupTempDirs();
});

/** The `docker run` argv of a build-and-run (or a graded run) with these options. */
async function runArgv(options: BuildRepoOptions): Promise<string[][]> {
  const repo = await temp.repo({ "requirements.txt": "numpy\n", "run.sh": "#!/bin/sh\necho hi\n", "sample_data/a.csv": "1\n" });
  const dir = await tempDir();
  const record = `${dir}/record.jsonl`;
  const docker = await fakeNodeBin(dir, "docker", { FAKE_RECORD: record, FAKE_IID: `sha256:${"a".repeat(64)}`, FAKE_WRITE: "/output/predictions.csv" });
  await buildRepo(repo, { engine: "docker", docker, imageName: "r2d-test/gpu:1", userId: 1000, userName: "jovyan", ...options });
  return (await readRecord(record)).map((c) => c.argv).filter((a) => a[0] === "run" && !a.includes("--entrypoint"));
}

const gpusOf = (argv: string[]): string | null => (argv.includes("--gpus") ? argv[argv.indexOf("--gpus") + 1]! : null);

describe("the GPUs of runs", () => {
  it("one rule: --gpus as given, else all with --gpu; none gives none", () => {
    expect(runGpus(true, undefined)).toBe("all");
    expect(runGpus(true, "device=0")).toBe("device=0");
    expect(runGpus(true, "none")).toBeUndefined();
    expect(runGpus(false, undefined)).toBeUndefined();
    expect(runGpus(undefined, "1")).toBe("1");
  });

  it("--gpu: the built image is run with --gpus all, on the CUDA base", async () => {
    const [run] = await runArgv({ gpu: true });
    expect(gpusOf(run!)).toBe("all");
    expect(run!.indexOf("--gpus")).toBeLessThan(run!.indexOf("r2d-test/gpu:1"));
  });

  it("--gpu --gpus device=0 passes the devices given; --gpus none runs without GPUs", async () => {
    expect(gpusOf((await runArgv({ gpu: true, runOptions: { gpus: "device=0" } }))[0]!)).toBe("device=0");
    expect(gpusOf((await runArgv({ gpu: true, runOptions: { gpus: "none" } }))[0]!)).toBeNull();
  });

  it("without --gpu no GPUs are asked for", async () => {
    expect(gpusOf((await runArgv({}))[0]!)).toBeNull();
  });

  it("a grader's run gets --gpus all with --gpu, as Synapse's guide asks of GPU models", async () => {
    const runs = await runArgv({ gpu: true, grader: { profile: "synapse", timeoutMs: 60_000 } });
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) expect(gpusOf(run)).toBe("all");
    expect(runs[0]).toContain("--network");
  });
});
