import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { BuildError, EngineError } from "../../src/errors.js";
import { engineOf } from "../../src/engine/adapters/index.js";
import { buildCommand } from "../../src/engine/build-command.js";
import { runBuild } from "../../src/engine/build.js";
import type { BuildRequest, Engine, ProgressEvent, RunBuildOptions } from "../../src/engine/types.js";
import { caught, cleanupTempDirs, fakeNodeBin, fixture, readRecord, tarContext, tempDir } from "./helpers.js";

afterAll(cleanupTempDirs);

const IID = `sha256:${"a".repeat(64)}`;

async function setup(vars: Record<string, string>, kind: Engine["kind"] = "docker") {
  const dir = await tempDir();
  const recordFile = path.join(dir, "record.jsonl");
  const docker = await fakeNodeBin(dir, "docker", { FAKE_RECORD: recordFile, ...vars });
  let engine: Engine;
  if (kind === "docker") {
    engine = engineOf(kind, { client: docker, version: "20.10.24+dfsg1", reason: "test" });
  } else if (kind === "buildx") {
    engine = engineOf(kind, { client: docker, version: "27.3.1", buildxVersion: "0.17.1", reason: "test" });
  } else {
    const buildctl = await fakeNodeBin(dir, "buildctl", { FAKE_RECORD: recordFile, FAKE_ROLE: "buildctl", ...vars });
    engine = engineOf(kind, { client: buildctl, dockerClient: docker, version: "0.13.2", buildkitHost: "tcp://127.0.0.1:1234", reason: "test" });
  }
  const req: BuildRequest = {
    dockerfile: "r2d/Dockerfile",
    tags: ["r2d-test/img:1"],
    labels: { "repo2docker.ref": "abc" },
    buildArgs: {},
    secrets: [],
    cacheFrom: [],
    cacheTo: [],
    noCache: false,
    push: false,
    load: true,
    iidFile: path.join(dir, "out", "iid"),
    metadataFile: path.join(dir, "out", "metadata.json"),
    progress: "plain",
  };
  return { dir, engine, req, record: () => readRecord(recordFile) };
}

const context = (bytes = 10_000) => tarContext(() => Readable.from([Buffer.alloc(bytes, 7)]));

async function rejection<T extends Error>(p: Promise<unknown>, cls: new (...a: never[]) => T): Promise<T> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(cls);
  return err as T;
}

describe("runBuild with a fake docker", () => {
  it("streams the context, parses progress, reads the image ID from the iidfile", async () => {
    const { engine, req, record } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_IID: IID });
    const events: ProgressEvent[] = [];
    const debug: string[] = [];
    const result = await runBuild(engine, req, { context: context(), onEvent: (e) => events.push(e), onDebug: (m) => debug.push(m) });

    expect(result.imageId).toBe(IID);
    expect(result.digest).toBeUndefined();
    expect(result.metadata).toEqual({});
    expect(result.log).toBe(readFileSync(fixture("plain-success.txt"), "utf8"));
    expect(result.steps).toHaveLength(8);
    expect(result.steps[5]).toEqual({
      name: '[3/4] RUN echo "line one" && echo "line two" >&2 && for i in 1 2 3; do echo "tick $i"; done',
      status: "done",
      durationMs: 0,
    });
    expect(events.filter((e) => e.type === "log").map((e) => (e as { text: string }).text)).toContain("greeting: hello");

    const [call] = await record();
    expect(call?.argv).toEqual(buildCommand(engine, req).args);
    expect(call?.env.DOCKER_BUILDKIT).toBe("1");
    expect(call?.stdinBytes).toBe(10_000);
    expect(debug[0]).toMatch(/^build: DOCKER_BUILDKIT=1 .*\/docker build --progress=plain --iidfile .* -$/);
  });

  it("throws BuildError naming the failing step, with the log tail", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-failure.txt"), FAKE_EXIT: "1" });
    const err = await rejection(runBuild(engine, req, { context: context() }), BuildError);
    expect(err.step).toBe('[3/4] RUN echo "installing things"; echo "oops: something broke" >&2; exit 3');
    expect(err.message).toBe(`the build step ${err.step} failed (exit code 3)`);
    expect(err.log).toContain("#6 0.047 oops: something broke");
    expect(err.log.split("\n").length).toBeLessThanOrEqual(60);
    expect((err.cause as { exitCode: number }).exitCode).toBe(1);
  });

  it("throws BuildError with the builder's message when no step failed", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-parse-error.txt"), FAKE_EXIT: "1" });
    const err = await rejection(runBuild(engine, req, { context: context() }), BuildError);
    expect(err.step).toBeUndefined();
    expect(err.message).toBe(
      "the build failed: failed to solve with frontend dockerfile.v0: failed to create LLB definition: dockerfile parse error line 2: unknown instruction: FOO",
    );
  });

  it("throws EngineError when the daemon goes away mid-build", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-daemon-eof.txt"), FAKE_EXIT: "1" });
    const err = await rejection(runBuild(engine, req, { context: context() }), EngineError);
    expect(err.message).toContain("stopped answering during the build");
    expect(err.message).toContain("error reading from server: EOF");

    const dir = await tempDir();
    const sample = path.join(dir, "down.txt");
    await writeFile(sample, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n");
    const down = await setup({ FAKE_SAMPLE: sample, FAKE_EXIT: "1" });
    await rejection(runBuild(down.engine, down.req, { context: context() }), EngineError);
  });

  it("says the daemon has no bridge network when a RUN step cannot start (dockerd --bridge=none)", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-no-bridge.txt"), FAKE_EXIT: "1" });
    const err = await rejection(runBuild(engine, req, { context: context() }), EngineError);
    expect(err.message).toMatch(/^the Docker daemon has no bridge network, so the build step \[3\/4\] RUN .* could not start/);
    expect(err.hint).toContain("--build-network host");
  });

  it("does not trust an iidfile left by an earlier build", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-failure.txt"), FAKE_EXIT: "1" });
    await runBuild(engine, { ...req }, { context: context() }).catch(() => undefined);
    await writeFile(req.iidFile, "sha256:stale");
    const err = await rejection(runBuild(engine, req, { context: context() }), BuildError);
    expect((err.cause as { imageId?: string }).imageId).toBeUndefined();
    expect(existsSync(req.iidFile)).toBe(false);
  });

  it("tags, then pushes each tag after a classic build", async () => {
    const { engine, req, record } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_IID: IID });
    const result = await runBuild(engine, { ...req, push: true, tags: ["reg.example/o/r:1", "reg.example/o/r:latest"] }, { context: context() });
    expect(result.digest).toBe(`sha256:${"d".repeat(64)}`);
    expect((await record()).slice(1).map((c) => c.argv)).toEqual([
      ["tag", IID, "reg.example/o/r:1"],
      ["tag", IID, "reg.example/o/r:latest"],
      ["push", "reg.example/o/r:1"],
      ["push", "reg.example/o/r:latest"],
    ]);
  });

  it("runs buildx with rawjson progress and reads the metadata file", async () => {
    const metadata = { "containerimage.config.digest": IID, "containerimage.digest": `sha256:${"b".repeat(64)}`, "image.name": "r2d-test/img:1" };
    const { engine, req, record } = await setup(
      { FAKE_SAMPLE: fixture("rawjson-success.jsonl"), FAKE_IID: IID, FAKE_METADATA: JSON.stringify(metadata) },
      "buildx",
    );
    const events: ProgressEvent[] = [];
    const result = await runBuild(engine, { ...req, progress: "rawjson" }, { context: context(), onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ imageId: IID, digest: metadata["containerimage.digest"], metadata });
    expect(result.steps.map((s) => s.status)).toEqual(["done", "done", "cached", "done", "done", "done", "done"]);
    expect(result.log).toContain("#5 [2/3] RUN echo hello\n#5 hello\n#5 world\n");
    expect(events.some((e) => e.type === "warning")).toBe(true);
    const [call] = await record();
    expect(call?.argv.slice(0, 3)).toEqual(["buildx", "build", "--progress=rawjson"]);
    expect(call?.env.DOCKER_BUILDKIT).toBeUndefined();
  });

  it("keeps metadata written by a failed buildx build", async () => {
    const { engine, req } = await setup(
      { FAKE_SAMPLE: fixture("rawjson-failure.jsonl"), FAKE_EXIT: "1", FAKE_METADATA: '{"buildx.build.ref":"default/default/xyz"}' },
      "buildx",
    );
    const err = await rejection(runBuild(engine, { ...req, progress: "rawjson" }, { context: context() }), BuildError);
    expect(err.step).toBe("[2/3] RUN pip install nope");
    expect(err.message).toBe("the build step [2/3] RUN pip install nope failed (exit code 1)");
    expect(err.log).toContain("#5 ERROR: No matching distribution found for nope");
    expect((err.cause as { metadata: unknown }).metadata).toEqual({ "buildx.build.ref": "default/default/xyz" });
  });

  it("builds with buildctl from the context directory, then docker-loads the tarball", async () => {
    const metadata = { "containerimage.config.digest": IID, "containerimage.descriptor": { mediaType: "x" } };
    const { dir, engine, req, record } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_METADATA: JSON.stringify(metadata) }, "buildctl");
    const workDir = path.join(dir, "work");
    await mkdir(workDir);
    const materialized: string[] = [];
    const source = {
      tar: () => {
        throw new Error("buildctl reads a folder, not a tar");
      },
      entries: () => {
        throw new Error("buildctl reads a folder, not entries");
      },
      materialize: async (into: string) => {
        materialized.push(into);
        await mkdir(into, { recursive: true });
        await writeFile(path.join(into, "marker"), "context");
      },
    };
    const result = await runBuild(engine, req, { context: source, workDir });
    expect(materialized).toEqual([path.join(workDir, "context")]);
    expect(existsSync(path.join(workDir, "context")), "the context folder is removed after the build").toBe(false);
    expect(result.imageId).toBe(IID);
    expect(await readFile(req.iidFile, "utf8")).toBe(IID); // written for the client that has no --iidfile
    const calls = await record();
    expect(calls.map((c) => [c.role, c.argv[0] === "--addr" ? c.argv[2] : c.argv[0]])).toEqual([
      ["buildctl", "build"],
      ["docker", "load"],
      ["docker", "tag"],
    ]);
    expect(calls[0]?.argv).toContain(`context=${path.join(workDir, "context")}`);
    expect(calls[0]?.argv).toEqual(buildCommand(engine, req, path.join(workDir, "context")).args);
    expect(calls[1]?.argv).toEqual(["load", "-i", `${req.iidFile}.docker.tar`]);
    expect(calls[2]?.argv).toEqual(["tag", IID, "r2d-test/img:1"]);
    expect(existsSync(`${req.iidFile}.docker.tar`)).toBe(false);
  });

  it("kills the client on abort (SIGINT) and rejects with an AbortError", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_HANG: "1" });
    const ac = new AbortController();
    const started = Date.now();
    const p = runBuild(engine, req, {
      context: context(),
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type === "step" && e.name === "exporting to image") ac.abort(new Error("ctrl-c"));
      },
    });
    const err = await caught(p);
    expect(err.name).toBe("AbortError");
    expect((err.cause as Error).message).toBe("ctrl-c");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("kills a client that ignores SIGINT with SIGKILL after the grace time", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_HANG: "1", FAKE_IGNORE_INT: "1" });
    const ac = new AbortController();
    const p = runBuild(engine, req, { context: context(), signal: ac.signal, killGraceMs: 200 });
    setTimeout(() => ac.abort(), 500);
    const err = await caught(p);
    expect(err.name).toBe("AbortError");
  });

  it("rejects at once when already aborted", async () => {
    const { engine, req, record } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt") });
    const err = await caught(runBuild(engine, req, { context: context(), signal: AbortSignal.abort() }));
    expect(err.name).toBe("AbortError");
    expect(await record()).toEqual([]);
  });

  it("reports a client that cannot be run, a broken context stream, a missing context", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_HANG: "1" });
    const gone = await rejection(runBuild({ ...engine, client: "/nonexistent/docker" }, req, { context: context() }), EngineError);
    expect(gone.message).toContain("cannot run /nonexistent/docker: ENOENT");

    const broken = () =>
      new Readable({
        read() {
          this.destroy(new Error("cannot read repo/file.bin"));
        },
      });
    await expect(runBuild(engine, req, { context: tarContext(broken) })).rejects.toThrow("cannot read repo/file.bin");
    await expect(runBuild(engine, req, {} as RunBuildOptions)).rejects.toThrow(TypeError);
  });

  it("passes on an exception from onEvent", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_IID: IID });
    const p = runBuild(engine, req, {
      context: context(),
      onEvent: () => {
        throw new Error("display broke");
      },
    });
    await expect(p).rejects.toThrow("display broke");
  });
});
