/**
 * The engine registry: the kinds and their order come from it, every adapter is complete, and the
 * capabilities each engine has are worked out once (the bridge network probed with the engine).
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ENGINE_ADAPTERS, ENGINE_CHOICES_HELP, ENGINE_KINDS, adapterOf, engineOf, isEngineKind } from "../../src/engine/adapters/index.js";
import { progressMode } from "../../src/engine/build-command.js";
import { engineAddress } from "../../src/engine/build-failure.js";
import { dockerClientOf } from "../../src/engine/image.js";
import { clearProbeCache, probeEngine } from "../../src/engine/probe.js";
import type { Engine } from "../../src/engine/types.js";
import { cleanupTempDirs, fakeShBuildctl, fakeShDocker, tempDir } from "./helpers.js";

afterAll(cleanupTempDirs);
beforeEach(() => clearProbeCache());

/** The capabilities with the bridge network's answer awaited. */
async function capabilities(engine: Engine) {
  return { ...engine.capabilities, bridgeNetwork: await engine.capabilities.bridgeNetwork };
}

describe("the engine registry", () => {
  it("lists the kinds in order of preference: buildx, a pre-23 docker, buildctl", () => {
    expect(ENGINE_KINDS).toEqual(["buildx", "docker", "buildctl"]);
    expect(ENGINE_ADAPTERS.map((a) => a.kind)).toEqual(ENGINE_KINDS);
    expect(isEngineKind("docker")).toBe(true);
    expect(isEngineKind("podman")).toBe(false);
    expect(() => adapterOf("podman" as never)).toThrow(/unknown engine kind podman/);
  });

  it("gives every adapter what auto-selection, --help and failure messages need", () => {
    expect(ENGINE_CHOICES_HELP).toBe("buildx, docker (a Docker < 23 client with DOCKER_BUILDKIT=1) or buildctl (BUILDKIT_HOST)");
    for (const a of ENGINE_ADAPTERS) {
      expect(a.installAdvice, a.kind).not.toBe("");
      expect(a.daemon.name, a.kind).not.toBe("");
      expect(typeof a.find).toBe("function");
      // A docker-client engine says which docker clients it takes.
      expect(a.clientIsDocker ? typeof a.rejectDocker : "none", a.kind).toBe(a.clientIsDocker ? "function" : "none");
    }
  });

  it("works out each engine's capabilities from its versions", async () => {
    const buildx = engineOf("buildx", { client: "/d", version: "27.3.1", buildxVersion: "0.17.1", reason: "t" });
    expect(await capabilities(buildx)).toEqual({ progress: ["plain", "rawjson"], multipleExports: true, bridgeNetwork: true, context: "tar" });
    const oldBuildx = engineOf("buildx", { client: "/d", version: "20.10.24", buildxVersion: "0.10.4", reason: "t" }, { bridgeNetwork: false });
    expect(await capabilities(oldBuildx)).toEqual({ progress: ["plain"], multipleExports: false, bridgeNetwork: false, context: "tar" });
    const classic = engineOf("docker", { client: "/d", version: "20.10.24", reason: "t" });
    expect(await capabilities(classic)).toEqual({ progress: ["plain"], multipleExports: false, bridgeNetwork: true, context: "tar" });
    // buildkitd has no docker networks: never "no bridge".
    const buildctl = engineOf("buildctl", { client: "/b", version: "0.12.5", reason: "t" }, { bridgeNetwork: false });
    expect(await capabilities(buildctl)).toEqual({ progress: ["plain"], multipleExports: false, bridgeNetwork: true, context: "directory" });
    expect(progressMode(engineOf("buildctl", { client: "/b", version: "0.13.0", reason: "t" }), { progress: "rawjson" })).toBe("rawjson");
  });

  it("tells the daemon and the docker client apart per adapter", () => {
    const buildctl = engineOf("buildctl", { client: "/b", version: "0.13.2", buildkitHost: "tcp://127.0.0.1:1234", reason: "t" });
    expect(engineAddress(buildctl)).toBe("tcp://127.0.0.1:1234");
    expect(engineAddress({ ...buildctl, buildkitHost: undefined })).toBe("buildctl's default address");
    const classic = engineOf("docker", { client: "/usr/bin/docker", version: "20.10.24", reason: "t", env: { DOCKER_CONTEXT: "ci" } });
    expect(engineAddress(classic)).toBe("the docker context ci");
    expect(dockerClientOf(classic)).toBe("/usr/bin/docker");
    expect(() => dockerClientOf(buildctl)).toThrow(/no docker client/);
    expect(dockerClientOf({ ...buildctl, dockerClient: "/usr/bin/docker" })).toBe("/usr/bin/docker");
  });
});

describe("capabilities probed with the engine", () => {
  async function dirs(): Promise<{ bin: string; opts: (env?: Record<string, string>) => { env: Record<string, string>; wellKnownDockers: string[] } }> {
    const root = await tempDir();
    const bin = path.join(root, "bin");
    await mkdir(bin);
    return { bin, opts: (env = {}) => ({ env: { PATH: bin, ...env }, wellKnownDockers: [] }) };
  }

  it("stores whether the daemon has its bridge network", async () => {
    const { bin, opts } = await dirs();
    await fakeShDocker(path.join(bin, "docker"), { version: "20.10.24", bridge: true });
    expect(await capabilities(await probeEngine(opts()))).toEqual({ progress: ["plain"], multipleExports: false, bridgeNetwork: true, context: "tar" });
    clearProbeCache();
    await fakeShDocker(path.join(bin, "docker"), { version: "27.3.1", buildx: "0.17.1", bridge: false });
    expect(await capabilities(await probeEngine(opts()))).toEqual({ progress: ["plain", "rawjson"], multipleExports: true, bridgeNetwork: false, context: "tar" });
  });

  it("logs each probe command through onDebug", async () => {
    const { bin, opts } = await dirs();
    await fakeShDocker(path.join(bin, "docker"), { version: "20.10.24", bridge: true });
    const debug: string[] = [];
    await probeEngine({ ...opts(), onDebug: (m) => debug.push(m) });
    const docker = path.join(bin, "docker");
    expect(debug.sort()).toEqual(
      [
        `exec: ${docker} version --format '{{json .}}'`,
        `exec: ${docker} buildx version`,
        `exec: ${docker} context inspect --format '{{json .Endpoints.docker}}'`,
        `exec: ${docker} network inspect --format '{{.Driver}}' bridge`].sort(),
    );
  });

  it("gives buildctl a folder context and no bridge check", async () => {
    const { bin, opts } = await dirs();
    await fakeShBuildctl(path.join(bin, "buildctl"), { version: "0.13.2" });
    const engine = await probeEngine(opts({ BUILDKIT_HOST: "tcp://127.0.0.1:1234" }));
    expect(engine.kind).toBe("buildctl");
    expect(await capabilities(engine)).toEqual({ progress: ["plain", "rawjson"], multipleExports: true, bridgeNetwork: true, context: "directory" });
  });
});
