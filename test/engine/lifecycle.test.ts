/**
 * The build's lifecycle with a fake client: tags only after success, an aborted build's image
 * removed, the client's whole process group stopped, secret files gone when the client exits,
 * and each engine failure told apart from the repository's own (exit 3 vs exit 1).
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { BuildError, EngineError } from "../../src/errors.js";
import { engineOf } from "../../src/engine/adapters/index.js";
import { runBuild } from "../../src/engine/build.js";
import { shortStepName } from "../../src/engine/build-failure.js";
import { clearProbeCache, probeEngine } from "../../src/engine/probe.js";
import type { BuildRequest, Engine } from "../../src/engine/types.js";
import { caught, cleanupTempDirs, fakeNodeBin, fixture, readRecord, tarContext, tempDir, writeExecutable } from "./helpers.js";

afterAll(cleanupTempDirs);
beforeEach(() => clearProbeCache());

const IID = `sha256:${"a".repeat(64)}`;
const context = tarContext(() => Readable.from([Buffer.alloc(1000, 7)]));

async function setup(vars: Record<string, string>, kind: "docker" | "buildx" = "docker") {
  const dir = await tempDir();
  const recordFile = path.join(dir, "record.jsonl");
  const docker = await fakeNodeBin(dir, "docker", { FAKE_RECORD: recordFile, ...vars });
  const engine: Engine =
    kind === "docker"
      ? engineOf(kind, { client: docker, version: "20.10.24+dfsg1", reason: "test" })
      : engineOf(kind, { client: docker, version: "27.3.1", buildxVersion: "0.17.1", reason: "test" });
  const req: BuildRequest = {
    dockerfile: "r2d/Dockerfile",
    tags: ["r2d-test/img:1"],
    labels: {},
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
  const calls = async () => (await readRecord(recordFile)).map((c) => c.argv);
  return { dir, engine, req, calls };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

describe("tag after success", () => {
  it("builds without a name, then tags the image ID once the client succeeded", async () => {
    const { engine, req, calls } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_IID: IID });
    const result = await runBuild(engine, req, { context });
    expect(result.imageId).toBe(IID);
    const argv = await calls();
    expect(argv[0]).not.toContain("-t");
    expect(argv[0]?.join(" ")).not.toContain("r2d-test/img:1");
    expect(argv.slice(1)).toEqual([["tag", IID, "r2d-test/img:1"]]);
  });

  it("a failed build calls no `docker tag`", async () => {
    const { engine, req, calls } = await setup({ FAKE_SAMPLE: fixture("plain-failure.txt"), FAKE_EXIT: "1", FAKE_IID: IID });
    await caught(runBuild(engine, req, { context }));
    expect((await calls()).map((a) => a[0])).toEqual(["build"]);
  });

  it("a failing `docker tag` is an engine error naming the image and the tag", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_IID: IID, FAKE_TAG_EXIT: "1" });
    const err = await caught(runBuild(engine, req, { context }));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toContain(`tagging the built image ${IID} as r2d-test/img:1 failed`);
  });
});

describe("abort", () => {
  const untagged = JSON.stringify({ Id: IID, RepoTags: [], Config: {} });
  const tagged = JSON.stringify({ Id: IID, RepoTags: ["someone/else:1"], Config: {} });

  it("removes the unnamed image the engine made before the client stopped", async () => {
    const { engine, req, calls } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_HANG: "1", FAKE_IID: IID, FAKE_IID_EARLY: "1", FAKE_INSPECT: untagged });
    const ac = new AbortController();
    const p = runBuild(engine, req, { context, signal: ac.signal });
    // Stopped once the engine has written the image ID (the export finished, the tag not yet set).
    expect(await waitFor(() => existsSync(req.iidFile))).toBe(true);
    ac.abort();
    expect((await caught(p)).name).toBe("AbortError");
    const argv = await calls();
    expect(argv.map((a) => a.slice(0, 2).join(" "))).toEqual([expect.stringMatching(/^build/), "image inspect", "image rm"]);
    expect(argv[2]).toEqual(["image", "rm", IID]);
    expect(argv.some((a) => a[0] === "tag")).toBe(false);
  });

  it("knows the image from the progress output when the client stopped before writing the iidfile", async () => {
    const { engine, req, calls } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_HANG: "1", FAKE_INSPECT: untagged });
    const ac = new AbortController();
    const p = runBuild(engine, req, { context, signal: ac.signal, onEvent: (e) => e.type === "step" && e.name === "exporting to image" && e.status === "done" && ac.abort() });
    await caught(p);
    const made = "sha256:ec758ad6c254744b7e6f82fda28c2eebeb6122ba8e9e89ce29f634fa2a84ca38";
    expect((await calls()).slice(1)).toEqual([
      ["image", "inspect", "--format", "{{json .}}", made],
      ["image", "rm", made],
    ]);
  });

  it("leaves an image that something else names (the same build, cached, under another tag)", async () => {
    const { engine, req, calls } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_HANG: "1", FAKE_IID: IID, FAKE_IID_EARLY: "1", FAKE_INSPECT: tagged });
    const ac = new AbortController();
    const p = runBuild(engine, req, { context, signal: ac.signal });
    // Stopped once the engine has written the image ID (the export finished, the tag not yet set).
    expect(await waitFor(() => existsSync(req.iidFile))).toBe(true);
    ac.abort();
    await caught(p);
    expect((await calls()).map((a) => a.slice(0, 2).join(" "))).toEqual([expect.stringMatching(/^build/), "image inspect"]);
  });

  it("stops the client's whole process group (a plugin child dies with it)", async () => {
    const { dir, engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_HANG: "1", FAKE_CHILD_PID: "" });
    const pidFile = path.join(dir, "child.pid");
    const withChild = await fakeNodeBin(dir, "docker-child", { FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_HANG: "1", FAKE_CHILD_PID: pidFile });
    const ac = new AbortController();
    const p = runBuild({ ...engine, client: withChild }, req, { context, signal: ac.signal });
    expect(await waitFor(() => existsSync(pidFile))).toBe(true);
    const child = Number(await readFile(pidFile, "utf8"));
    expect(alive(child)).toBe(true);
    ac.abort();
    expect((await caught(p)).name).toBe("AbortError");
    expect(await waitFor(() => !alive(child))).toBe(true);
  });
});

describe("secret files", () => {
  it("onClientExit runs when the client exits, before load and tag", async () => {
    const { dir, engine, req, calls } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_IID: IID });
    const secret = path.join(dir, "pip.conf");
    await writeFile(secret, "[global]\nindex-url = https://user:token@example.org/simple\n");
    let callsAtExit: string[][] = [];
    await runBuild(engine, { ...req, secrets: [{ id: "pip", src: secret }] }, {
      context,
      onClientExit: async () => {
        callsAtExit = await calls();
      },
    });
    expect(callsAtExit.map((a) => a[0])).toEqual(["build"]);
    expect((await calls()).map((a) => a[0])).toEqual(["build", "tag"]);
  });

  it("beforeClient runs once the context folder is written, right before the client starts", async () => {
    const { dir, req } = await setup({});
    const recordFile = path.join(dir, "buildctl-record.jsonl");
    const metadata = JSON.stringify({ "containerimage.config.digest": IID });
    const vars = { FAKE_RECORD: recordFile, FAKE_SAMPLE: fixture("plain-success.txt"), FAKE_METADATA: metadata };
    const docker = await fakeNodeBin(dir, "docker-for-buildctl", vars);
    const client = await fakeNodeBin(dir, "buildctl", { ...vars, FAKE_ROLE: "buildctl" });
    const engine = engineOf("buildctl", { client, dockerClient: docker, version: "0.13.2", reason: "test" });
    const order: string[] = [];
    const source = {
      tar: () => Readable.from([]),
      entries: () => {
        throw new Error("buildctl reads a folder");
      },
      materialize: async (into: string) => {
        order.push("context written");
        await mkdir(into, { recursive: true });
      },
    };
    await runBuild(engine, req, {
      context: source,
      workDir: dir,
      beforeClient: async () => void order.push(`before the client (${(await readRecord(recordFile)).length} commands run)`),
      onClientExit: async () => void order.push(`client exited (${(await readRecord(recordFile)).map((c) => c.role).join(", ")})`),
    });
    expect(order).toEqual(["context written", "before the client (0 commands run)", "client exited (buildctl)"]);
  });

  it("an abort between beforeClient and the client still runs onClientExit", async () => {
    const { engine, req, calls } = await setup({ FAKE_SAMPLE: fixture("plain-success.txt") });
    const ac = new AbortController();
    const order: string[] = [];
    const err = await caught(
      runBuild(engine, req, {
        context,
        signal: ac.signal,
        beforeClient: () => {
          order.push("before");
          ac.abort();
        },
        onClientExit: () => void order.push("exit"),
      }),
    );
    expect(err.name).toBe("AbortError");
    expect(order).toEqual(["before", "exit"]);
    expect(await calls()).toEqual([]);
  });
});

describe("engine failures (exit 3) against the repository's own (exit 1)", () => {
  it("a pip install that cannot reach the index from --build-network none: the cause and the fix", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-network-none.txt"), FAKE_EXIT: "1" });
    const err = await caught(runBuild(engine, { ...req, network: "none" }, { context }));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toContain('could not reach a server because the build network is "none": Failed to establish a new connection: [Errno 111] Connection refused');
    expect((err as EngineError).hint).toContain("--build-network host");
  });

  it("apt-get from --build-network none", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-network-none-apt.txt"), FAKE_EXIT: "1" });
    const err = await caught(runBuild(engine, { ...req, network: "none" }, { context }));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toContain("Temporary failure resolving");
  });

  it("the same output with another build network is the repository's step failing", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-network-none.txt"), FAKE_EXIT: "1" });
    const err = await caught(runBuild(engine, { ...req, network: "host" }, { context }));
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).step).toMatch(/pip install/);
  });

  it("a base image that cannot be fetched names the image and how to get it", async () => {
    const { engine, req } = await setup({ FAKE_SAMPLE: fixture("plain-missing-base.txt"), FAKE_EXIT: "1" });
    const err = await caught(runBuild(engine, req, { context }));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toMatch(/^the base image docker\.io\/r2d-engine-probe\/does-not-exist:1 could not be fetched: failed to do request/);
    expect((err as EngineError).hint).toContain("docker pull docker.io/r2d-engine-probe/does-not-exist:1");
    expect((err as EngineError).hint).toContain("--base-image");
  });

  it("no space left on device: prune hints", async () => {
    const dir = await tempDir();
    const sample = path.join(dir, "full.txt");
    const text = (await readFile(fixture("plain-failure.txt"), "utf8")).replace("#6 0.047 oops: something broke", "#6 0.047 OSError: [Errno 28] No space left on device: '/srv/venv/lib/big.bin'");
    await writeFile(sample, text);
    const { engine, req } = await setup({ FAKE_SAMPLE: sample, FAKE_EXIT: "1" });
    const err = await caught(runBuild(engine, req, { context }));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toContain("ran out of disk space");
    expect(err.message).toContain("No space left on device");
    expect((err as EngineError).hint).toContain("docker builder prune");
    expect((err as EngineError).hint).toContain("docker system prune");
  });

  it("the daemon killed mid-build (the classic client's last words) names the daemon's address", async () => {
    const dir = await tempDir();
    const sample = path.join(dir, "killed.txt");
    await writeFile(sample, "#5 [2/2] RUN echo start; sleep 60\n#5 sha256:1573c6\n#5 0.056 start\ncannot write /tmp/r2d-1-abcdef/iid because server did not provide an image ID\n");
    const { engine, req } = await setup({ FAKE_SAMPLE: sample, FAKE_EXIT: "1" });
    const err = await caught(runBuild({ ...engine, env: { DOCKER_HOST: "unix:///run/private.sock" } }, req, { context }));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toMatch(/^the Docker daemon at unix:\/\/\/run\/private\.sock stopped answering during the build: cannot write/);
    expect((err as EngineError).hint).toContain("docker info");
  });

  it("an unexplained failure: the daemon is asked whether it still answers", async () => {
    const dir = await tempDir();
    const sample = path.join(dir, "odd.txt");
    await writeFile(sample, "#1 [internal] load remote build context\n#1 DONE 0.0s\nsomething odd happened\n");
    const down = await setup({ FAKE_SAMPLE: sample, FAKE_EXIT: "1", FAKE_DAEMON_DOWN: "1" });
    const gone = await caught(runBuild(down.engine, down.req, { context }));
    expect(gone).toBeInstanceOf(EngineError);
    expect(gone.message).toContain("stopped answering during the build");
    expect((await down.calls()).map((a) => a[0])).toEqual(["build", "version"]);

    const up = await setup({ FAKE_SAMPLE: sample, FAKE_EXIT: "1" });
    const failed = await caught(runBuild(up.engine, up.req, { context }));
    expect(failed).toBeInstanceOf(BuildError);
    expect(failed.message).toBe("the build failed: something odd happened");
  });

  it("step names in messages lose their --mount options and stay short", () => {
    const name = "[stage-0 7/8] RUN --mount=type=cache,id=r2d-pip-1000,target=/tmp/c     --mount=type=secret,id=r2d-pip-conf,uid=1000     pip install -r requirements.txt";
    expect(shortStepName(name)).toBe("[stage-0 7/8] RUN pip install -r requirements.txt");
    expect(shortStepName(`[1/2] RUN ${"x".repeat(300)}`)).toHaveLength(100);
  });
});

describe("a daemon that accepts the connection and never answers", () => {
  it("is an engine error within ~5 s that says so and names the address", async () => {
    const dir = await tempDir();
    const sock = path.join(dir, "silent.sock");
    const server = net.createServer(() => {});
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      // A client that, like docker, waits for the daemon forever.
      const docker = await writeExecutable(path.join(dir, "docker"), "#!/bin/sh\nexec /bin/sleep 60\n");
      const t0 = Date.now();
      const err = await caught(probeEngine({ docker, env: { PATH: dir, DOCKER_HOST: `unix://${sock}` } }));
      expect(Date.now() - t0).toBeLessThan(9000);
      expect(err).toBeInstanceOf(EngineError);
      expect(err.message).toContain(`the Docker daemon at unix://${sock} accepted the connection but did not answer within 5 s`);
      expect((err as EngineError).hint).toContain("DOCKER_HOST");
    } finally {
      server.close();
    }
  }, 15_000);
});
