import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EngineError } from "../../src/errors.js";
import { engineOf } from "../../src/engine/adapters/index.js";
import { formatCommand } from "../../src/engine/exec.js";
import { inspectImage, parseHistory, parseLoadOutput, parsePushDigest, pushCommand, pushImage, removeImage } from "../../src/engine/image.js";
import { runCommand, runContainer } from "../../src/engine/run.js";
import type { Command, Engine, RunRequest } from "../../src/engine/types.js";
import { caught, cleanupTempDirs, fakeNodeBin, readRecord, tempDir } from "./helpers.js";

afterAll(cleanupTempDirs);

const classic: Engine = engineOf("docker", { client: "/usr/bin/docker", version: "20.10.24", reason: "t" });
const buildx: Engine = engineOf("buildx", { client: "/usr/local/bin/docker", version: "27.3.1", buildxVersion: "0.17.1", reason: "t", env: { DOCKER_HOST: "tcp://127.0.0.1:2375" } });
const buildctl: Engine = engineOf("buildctl", { client: "/usr/bin/buildctl", dockerClient: "/usr/bin/docker", version: "0.13.2", reason: "t" });
const buildctlAlone: Engine = { ...buildctl, dockerClient: undefined };

const base: RunRequest = { image: "r2d/x:1", command: [], env: [], publish: [], volumes: [], remove: true, interactive: false, tty: false };

const rows: { name: string; engine: Engine; req: Partial<RunRequest>; want: Command }[] = [
  {
    name: "minimal",
    engine: classic,
    req: {},
    want: { file: "/usr/bin/docker", args: ["run", "--rm", "r2d/x:1"], env: {}, stdin: "none" },
  },
  {
    name: "every option",
    engine: buildx,
    req: {
      command: ["jupyter", "lab", "--ip=0.0.0.0"],
      env: ["A=1", "HOME"],
      publish: ["127.0.0.1:8888:8888"],
      volumes: ["/data:/home/jovyan/data:ro"],
      user: "1000:1000",
      workdir: "/home/jovyan",
      network: "none",
      memory: "256m",
      cpus: "1",
      shmSize: "1g",
      platform: "linux/amd64",
      gpus: "all",
      name: "r2d-x",
      interactive: true,
      tty: true,
      readOnly: true,
      extra: ["--init"],
    },
    want: {
      file: "/usr/local/bin/docker",
      args: [
        "run", "--rm", "-i", "-t", "--name", "r2d-x", "--user", "1000:1000", "--workdir", "/home/jovyan",
        "--network", "none", "--memory", "256m", "--cpus", "1", "--shm-size", "1g", "--platform", "linux/amd64",
        "--gpus", "all", "--read-only", "-e", "A=1", "-e", "HOME", "-p", "127.0.0.1:8888:8888",
        "-v", "/data:/home/jovyan/data:ro", "--init", "r2d/x:1", "jupyter", "lab", "--ip=0.0.0.0",
      ],
      env: { DOCKER_HOST: "tcp://127.0.0.1:2375" },
      stdin: "none",
    },
  },
  {
    name: "buildctl runs through its docker client, container kept",
    engine: buildctl,
    req: { remove: false, command: ["sh"] },
    want: { file: "/usr/bin/docker", args: ["run", "r2d/x:1", "sh"], env: {}, stdin: "none" },
  },
];

describe("runCommand", () => {
  it.each(rows)("$name", ({ engine, req, want }) => {
    expect(runCommand(engine, { ...base, ...req })).toEqual(want);
  });

  it("needs a docker client", () => {
    expect(() => runCommand(buildctlAlone, base)).toThrow(EngineError);
    expect(() => pushCommand(buildctlAlone, "x")).toThrow(/no docker client/);
  });

  it("formats a command line for the debug log", () => {
    expect(formatCommand(runCommand(classic, { ...base, command: ["sh", "-c", "echo 'hi there'"] }))).toBe(
      `/usr/bin/docker run --rm r2d/x:1 sh -c 'echo '\\''hi there'\\'''`,
    );
  });
});

async function fakeEngine(vars: Record<string, string> = {}): Promise<{ engine: Engine; record: () => ReturnType<typeof readRecord> }> {
  const dir = await tempDir();
  const recordFile = path.join(dir, "record.jsonl");
  const docker = await fakeNodeBin(dir, "docker", { FAKE_RECORD: recordFile, ...vars });
  return { engine: engineOf("docker", { client: docker, version: "20.10.24", reason: "t" }), record: () => readRecord(recordFile) };
}

describe("runContainer", () => {
  it("returns the exit code and output, naming the container", async () => {
    const { engine, record } = await fakeEngine({ FAKE_EXIT: "3" });
    const res = await runContainer(engine, { ...base, command: ["python", "-c", "exit(3)"] }, { stdio: "pipe" });
    expect(res).toEqual({ exitCode: 3, stdout: "hello from the container\n", stderr: "a warning from the container\n" });
    const [call] = await record();
    expect(call?.argv.slice(0, 3)).toEqual(["run", "--rm", "--name"]);
    expect(call?.argv[3]).toMatch(/^r2d-run-[0-9a-f]{12}$/);
    expect(call?.argv.slice(4)).toEqual(["r2d/x:1", "python", "-c", "exit(3)"]);
  });

  it("removes the container on abort and rejects with an AbortError", async () => {
    const { engine, record } = await fakeEngine({ FAKE_HANG: "1", FAKE_IGNORE_INT: "1" });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 400);
    const err = await caught(runContainer(engine, { ...base, name: "r2d-abort-me" }, { signal: ac.signal, stdio: "pipe", killGraceMs: 200 }));
    expect(err.name).toBe("AbortError");
    expect((await record()).map((c) => c.argv)).toContainEqual(["rm", "-f", "r2d-abort-me"]);
  });

  it("is an EngineError when docker cannot be run", async () => {
    await expect(runContainer({ ...classic, client: "/nonexistent/docker" }, base, { stdio: "pipe" })).rejects.toThrow(EngineError);
  });
});

describe("images", () => {
  it("pushes and reports the digest", async () => {
    const { engine, record } = await fakeEngine();
    expect(await pushImage(engine, "reg.example/o/r:1")).toEqual({ digest: `sha256:${"d".repeat(64)}` });
    expect((await record())[0]?.argv).toEqual(["push", "reg.example/o/r:1"]);
  });

  it("turns a failed push into an EngineError with a login hint", async () => {
    const { engine } = await fakeEngine({ FAKE_PUSH_EXIT: "1" });
    const err = await caught<EngineError>(pushImage(engine, "reg.example/o/r:1"));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.hint).toContain("docker login");
  });

  it("inspects an image, with its history, or says null when there is none", async () => {
    const { engine, record } = await fakeEngine();
    const info = await inspectImage(engine, "r2d-test/img:1", { history: true });
    expect(info).toEqual({
      id: `sha256:${"e".repeat(64)}`,
      size: 123456,
      labels: { "repo2docker.ref": "abc" },
      user: "1000",
      env: ["PATH=/usr/bin", "HOME=/home/jovyan"],
      workdir: "/home/jovyan",
      cmd: ["jupyter", "lab"],
      entrypoint: null,
      repoTags: ["r2d-test/img:1"],
      repoDigests: [],
      created: "2025-01-15T10:00:00.123Z",
      history: [
        { createdBy: "RUN /bin/sh -c echo hi # buildkit", size: 42, comment: "buildkit.dockerfile.v0", created: "2025-01-15T10:00:00Z" },
        { createdBy: "/bin/sh -c #(nop) ADD file:abc in / ", size: 1000, comment: "", created: "2025-01-14T10:00:00Z" },
      ],
    });
    expect(await inspectImage(engine, "r2d-test/missing:1")).toBeNull();
    expect((await record()).map((c) => c.argv.slice(0, 2))).toEqual([
      ["image", "inspect"],
      ["history", "--no-trunc"],
      ["image", "inspect"],
    ]);
  });

  it("removes an image; a missing one is fine", async () => {
    const { engine, record } = await fakeEngine();
    await removeImage(engine, "r2d-test/img:1", { force: true });
    await removeImage(engine, "r2d-test/missing:1");
    expect((await record()).map((c) => c.argv)).toEqual([
      ["image", "rm", "--force", "r2d-test/img:1"],
      ["image", "rm", "r2d-test/missing:1"],
    ]);
  });

  it("parses push, load and history output", () => {
    expect(parsePushDigest(`The push refers to repository [x]\nlatest: digest: sha256:${"1".repeat(64)} size: 528\n`)).toBe(`sha256:${"1".repeat(64)}`);
    expect(parsePushDigest("denied: requested access to the resource is denied")).toBeUndefined();
    expect(parseLoadOutput(`Loaded image: r2d/x:1\nLoaded image: r2d/x:latest\n`)).toEqual({ imageId: undefined, names: ["r2d/x:1", "r2d/x:latest"] });
    expect(parseLoadOutput(`Loaded image ID: sha256:${"2".repeat(64)}\n`)).toEqual({ imageId: `sha256:${"2".repeat(64)}`, names: [] });
    expect(parseHistory("not json\n")).toEqual([]);
  });
});
