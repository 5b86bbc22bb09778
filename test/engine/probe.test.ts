import { mkdir, symlink } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { EngineError } from "../../src/errors.js";
import { buildCommand } from "../../src/engine/build-command.js";
import { clearProbeCache, probeEngine, whichAll } from "../../src/engine/probe.js";
import type { ProbeOptions } from "../../src/engine/types.js";
import { cleanupTempDirs, fakeShBuildctl, fakeShDocker, tempDir } from "./helpers.js";

afterAll(cleanupTempDirs);
beforeEach(() => clearProbeCache());

/** Two PATH dirs (first, second) and a well-known path that does not exist. */
async function setup(): Promise<{ first: string; second: string; root: string; opts: (env?: Record<string, string>, more?: Partial<ProbeOptions>) => ProbeOptions }> {
  const root = await tempDir();
  const first = path.join(root, "first");
  const second = path.join(root, "second");
  await mkdir(first);
  await mkdir(second);
  const opts = (env: Record<string, string> = {}, more: Partial<ProbeOptions> = {}): ProbeOptions => ({
    env: { PATH: `${first}:${second}`, ...env },
    wellKnownDockers: [path.join(root, "usr-bin", "docker")],
    ...more,
  });
  return { first, second, root, opts };
}

async function rejection(p: Promise<unknown>): Promise<EngineError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

describe("probeEngine", () => {
  it("skips a Docker 28 client without buildx and uses a 20.10 client later on PATH", async () => {
    const { first, second, opts } = await setup();
    await fakeShDocker(path.join(first, "docker"), { version: "28.2.2" });
    await fakeShDocker(path.join(second, "docker"), { version: "20.10.24+dfsg1" });
    const engine = await probeEngine(opts());
    expect(engine).toMatchObject({ kind: "docker", client: path.join(second, "docker"), version: "20.10.24+dfsg1", serverVersion: "20.10.24+dfsg1" });
    expect(engine.reason).toContain("older than 23");
    expect(engine.reason).toContain(`skipped ${path.join(first, "docker")}: Docker 28.2.2, no buildx plugin`);
    expect(engine.reason).not.toContain("\n");
  });

  it("prefers any client with the buildx plugin, wherever it is on PATH", async () => {
    const { first, second, opts } = await setup();
    await fakeShDocker(path.join(first, "docker"), { version: "20.10.24" });
    await fakeShDocker(path.join(second, "docker"), { version: "27.3.1", buildx: "0.17.1" });
    const engine = await probeEngine(opts());
    expect(engine).toMatchObject({ kind: "buildx", client: path.join(second, "docker"), version: "27.3.1", buildxVersion: "0.17.1" });
    expect(engine.reason).toContain("has the buildx plugin 0.17.1");
  });

  it("falls back to buildctl with BUILDKIT_HOST, keeping a docker client for run and load", async () => {
    const { first, second, opts } = await setup();
    await fakeShDocker(path.join(first, "docker"), { version: "28.2.2" });
    await fakeShBuildctl(path.join(second, "buildctl"), { version: "0.13.2" });
    const engine = await probeEngine(opts({ BUILDKIT_HOST: "tcp://127.0.0.1:1234" }));
    expect(engine).toMatchObject({
      kind: "buildctl",
      client: path.join(second, "buildctl"),
      dockerClient: path.join(first, "docker"),
      version: "0.13.2",
      buildkitHost: "tcp://127.0.0.1:1234",
    });
  });

  it("lists every candidate and what to install when nothing fits", async () => {
    const { first, second, root, opts } = await setup();
    await fakeShDocker(path.join(first, "docker"), { version: "28.2.2" });
    await fakeShDocker(path.join(second, "docker"), { version: "not-a-version" , notDocker: true });
    await fakeShBuildctl(path.join(second, "buildctl"), { version: "0.13.2" });
    const err = await rejection(probeEngine(opts()));
    expect(err.message).toContain("no BuildKit-capable build client was found");
    expect(err.message).toContain(
      `${path.join(first, "docker")}: Docker 28.2.2 client without the buildx plugin: Docker 23+ refuses DOCKER_BUILDKIT=1 builds without buildx`,
    );
    expect(err.message).toContain(`${path.join(second, "docker")}: does not look like a docker client`);
    expect(err.message).toContain(`${path.join(root, "usr-bin", "docker")}: not present`);
    expect(err.message).toContain(`buildctl (${path.join(second, "buildctl")}): 0.13.2, but BUILDKIT_HOST is not set`);
    expect(err.message).toMatch(/docker-buildx-plugin/);
    expect(err.message).toMatch(/bookworm's docker\.io/);
    expect(err.message).toMatch(/buildctl, BuildKit's own client, with BUILDKIT_HOST/);
    expect(err.hint).toContain("--docker /usr/bin/docker");
    expect(err.hint).toContain("R2D_DOCKER");
  });

  it("says so when there is nothing at all", async () => {
    const { opts } = await setup();
    const err = await rejection(probeEngine(opts()));
    expect(err.message).toContain("buildctl: not found on PATH");
    expect(err.message).toContain("usr-bin/docker: not present");
  });

  it("looks at a binary reached through two PATH entries once", async () => {
    const { first, root } = await setup();
    await fakeShDocker(path.join(first, "docker"), { version: "28.2.2" });
    const alias = path.join(root, "alias");
    await symlink(first, alias);
    expect(await whichAll("docker", `${first}:${alias}`)).toHaveLength(2);
    const err = await rejection(probeEngine({ env: { PATH: `${first}:${alias}` }, wellKnownDockers: [] }));
    expect(err.message.match(/Docker 28\.2\.2 client/g)).toHaveLength(1);
  });

  it("throws when the daemon does not answer, naming its address", async () => {
    const { first, opts } = await setup();
    await fakeShDocker(path.join(first, "docker"), { version: "20.10.24", daemonDown: true });
    const err = await rejection(probeEngine(opts()));
    expect(err.message).toMatch(/^the Docker daemon at unix:\/\/\/var\/run\/docker\.sock does not answer/);
    expect(err.hint).toMatch(/DOCKER_HOST/);
    clearProbeCache();
    const err2 = await rejection(probeEngine(opts({ DOCKER_HOST: "tcp://127.0.0.1:1" })));
    expect(err2.message).toMatch(/^the Docker daemon at tcp:\/\/127\.0\.0\.1:1 does not answer/);
  });

  it("passes DOCKER_HOST and friends on to every command", async () => {
    const { first, opts } = await setup();
    await fakeShDocker(path.join(first, "docker"), { version: "20.10.24" });
    const engine = await probeEngine(opts({ DOCKER_HOST: "tcp://127.0.0.1:2375", DOCKER_CONFIG: "/cfg", UNRELATED: "x" }));
    expect(engine.env).toEqual({ DOCKER_HOST: "tcp://127.0.0.1:2375", DOCKER_CONFIG: "/cfg" });
    const cmd = buildCommand(engine, {
      dockerfile: "Dockerfile", tags: [], labels: {}, buildArgs: {}, secrets: [], cacheFrom: [], cacheTo: [],
      noCache: false, push: false, load: true, iidFile: "/i", metadataFile: "/m", progress: "plain",
    });
    expect(cmd.env).toEqual({ DOCKER_HOST: "tcp://127.0.0.1:2375", DOCKER_CONFIG: "/cfg", DOCKER_BUILDKIT: "1" });
  });

  it("uses only the client named by --docker or R2D_DOCKER", async () => {
    const { first, second, root, opts } = await setup();
    await fakeShDocker(path.join(first, "docker"), { version: "20.10.24" });
    const named = await fakeShDocker(path.join(root, "my-docker"), { version: "28.2.2", buildx: "0.14.0" });
    expect(await probeEngine(opts({}, { docker: named }))).toMatchObject({ kind: "buildx", client: named });
    expect(await probeEngine(opts({ R2D_DOCKER: named }))).toMatchObject({ kind: "buildx", client: named });
    // A name is looked up on PATH.
    await fakeShDocker(path.join(second, "docker-20"), { version: "20.10.5" });
    expect(await probeEngine(opts({}, { docker: "docker-20" }))).toMatchObject({ kind: "docker", client: path.join(second, "docker-20") });
    // A named client that cannot build is not replaced by another.
    const old = await fakeShDocker(path.join(root, "docker-28"), { version: "28.2.2" });
    const err = await rejection(probeEngine(opts({}, { docker: old })));
    expect(err.message).toContain(`${old}: Docker 28.2.2 client without the buildx plugin`);
    expect(err.message).not.toContain(path.join(first, "docker"));
    const missing = await rejection(probeEngine(opts({ R2D_DOCKER: "/nope/docker" })));
    expect(missing.message).toContain("R2D_DOCKER (/nope/docker) was not found");
  });

  it("honours a forced engine kind, or says why it is not available", async () => {
    const { first, second, opts } = await setup();
    await fakeShDocker(path.join(first, "docker"), { version: "20.10.24", buildx: "0.10.4" });
    await fakeShDocker(path.join(second, "docker"), { version: "28.2.2" });
    expect(await probeEngine(opts())).toMatchObject({ kind: "buildx" });
    const classic = await probeEngine(opts({}, { engine: "docker" }));
    expect(classic).toMatchObject({ kind: "docker", client: path.join(first, "docker") });
    expect(classic.reason).toMatch(/^--engine docker: /);

    const noBuildctl = await rejection(probeEngine(opts({}, { engine: "buildctl" })));
    expect(noBuildctl.message).toBe("--engine buildctl: buildctl not found on PATH\n  hint: " + noBuildctl.hint);
  });

  it("explains a forced kind that no candidate offers", async () => {
    const { first, opts } = await setup();
    await fakeShDocker(path.join(first, "docker"), { version: "27.0.1", buildx: "0.15.0" });
    const err = await rejection(probeEngine(opts({}, { engine: "docker" })));
    expect(err.message).toContain("--engine docker: no docker client older than 23 was found");
    expect(err.message).toContain("Docker 27.0.1 client is 23 or newer");
    clearProbeCache();
    const { first: f2, opts: opts2 } = await setup();
    await fakeShDocker(path.join(f2, "docker"), { version: "20.10.24" });
    const err2 = await rejection(probeEngine(opts2({}, { engine: "buildx" })));
    expect(err2.message).toContain("--engine buildx: no docker client with the buildx plugin was found");
    expect(err2.message).toContain("without the buildx plugin (`docker buildx version`: docker: unknown command: docker buildx)");
  });

  it("checks that buildkitd answers for buildctl", async () => {
    const { first, opts } = await setup();
    await fakeShBuildctl(path.join(first, "buildctl"), { version: "0.12.5" });
    const forced = await probeEngine(opts({}, { engine: "buildctl" }));
    expect(forced).toMatchObject({ kind: "buildctl", version: "0.12.5", buildkitHost: undefined, dockerClient: undefined });
    clearProbeCache();
    await fakeShBuildctl(path.join(first, "buildctl"), { version: "0.12.5", down: true });
    const err = await rejection(probeEngine(opts({ BUILDKIT_HOST: "tcp://127.0.0.1:9" })));
    expect(err.message).toMatch(/^buildkitd at tcp:\/\/127\.0\.0\.1:9 does not answer/);
  });

  it("probes once per options, and forgets a failed probe", async () => {
    const { first, opts } = await setup();
    await fakeShDocker(path.join(first, "docker"), { version: "20.10.24", daemonDown: true });
    const o = opts();
    await rejection(probeEngine(o));
    // The daemon came up meanwhile: the next call probes again.
    await fakeShDocker(path.join(first, "docker"), { version: "20.10.24" });
    const p1 = probeEngine(o);
    expect(probeEngine(o)).toBe(p1);
    expect(probeEngine({ ...o })).toBe(p1); // same options, another object
    expect(probeEngine(opts({ DOCKER_HOST: "tcp://127.0.0.1:2375" }))).not.toBe(p1);
    expect((await p1).kind).toBe("docker");
  });
});
