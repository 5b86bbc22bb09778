import { describe, expect, it } from "vitest";
import { ConfigError, EngineError } from "../../src/errors.js";
import { engineOf } from "../../src/engine/adapters/index.js";
import { buildCommand as buildCommandIn, buildInvocation, progressMode, versionAtLeast } from "../../src/engine/build-command.js";
import type { BuildRequest, Command, Engine } from "../../src/engine/types.js";

const classic: Engine = engineOf("docker", { client: "/usr/bin/docker", version: "20.10.24+dfsg1", reason: "test" });
const buildxFields = { client: "/usr/local/bin/docker", version: "27.3.1", buildxVersion: "0.17.1", reason: "test" };
const buildx: Engine = engineOf("buildx", buildxFields);
const oldBuildx: Engine = engineOf("buildx", { ...buildxFields, buildxVersion: "0.10.4" });
const buildctlFields = {
  client: "/usr/local/bin/buildctl",
  dockerClient: "/usr/bin/docker",
  version: "0.13.2",
  buildkitHost: "tcp://127.0.0.1:1234",
  reason: "test",
};
const buildctl: Engine = engineOf("buildctl", buildctlFields);
const oldBuildctl: Engine = engineOf("buildctl", { ...buildctlFields, version: "0.12.5" });

/** Where the context is for the engines that read a folder (buildctl). */
const CONTEXT_DIR = "/repo";
const buildCommand = (engine: Engine, req: BuildRequest): Command => buildCommandIn(engine, req, CONTEXT_DIR);
const planBuild = (engine: Engine, req: BuildRequest) => buildInvocation(engine, req, CONTEXT_DIR);

const base: BuildRequest = {
  dockerfile: "r2d/Dockerfile",
  tags: ["r2d/x:1"],
  labels: {},
  buildArgs: {},
  secrets: [],
  cacheFrom: [],
  cacheTo: [],
  noCache: false,
  push: false,
  load: true,
  iidFile: "/out/iid",
  metadataFile: "/out/meta.json",
  progress: "plain",
};

const full: Partial<BuildRequest> = {
  tags: ["r2d/x:1", "r2d/x:latest"],
  labels: { "repo2docker.ref": "abc", "org.opencontainers.image.source": "https://example.org/r" },
  buildArgs: { NB_USER: "jovyan", NB_UID: "1000" },
  secrets: [{ id: "pip", src: "/run/secrets/pip.conf" }],
  platform: "linux/amd64",
  network: "host",
  cacheFrom: ["ghcr.io/o/cache:1"],
  noCache: true,
  pull: true,
};

interface Row {
  name: string;
  engine: Engine;
  req: Partial<BuildRequest>;
  want: Command;
}

const rows: Row[] = [
  {
    name: "classic docker, minimal",
    engine: classic,
    req: {},
    want: {
      file: "/usr/bin/docker",
      args: ["build", "--progress=plain", "--iidfile", "/out/iid", "-f", "r2d/Dockerfile", "-"],
      env: { DOCKER_BUILDKIT: "1" },
      stdin: "context-tar",
    },
  },
  {
    name: "classic docker, every option (rawjson asked, plain given)",
    engine: classic,
    req: { ...full, progress: "rawjson" },
    want: {
      file: "/usr/bin/docker",
      args: [
        "build", "--progress=plain", "--iidfile", "/out/iid", "-f", "r2d/Dockerfile",
        "--label", "repo2docker.ref=abc", "--label", "org.opencontainers.image.source=https://example.org/r",
        "--build-arg", "NB_USER=jovyan", "--build-arg", "NB_UID=1000",
        "--secret", "id=pip,src=/run/secrets/pip.conf",
        "--platform", "linux/amd64", "--network", "host",
        "--cache-from", "ghcr.io/o/cache:1",
        "--no-cache", "--pull", "-",
      ],
      env: { DOCKER_BUILDKIT: "1" },
      stdin: "context-tar",
    },
  },
  {
    name: "classic docker: registry cache spec becomes its ref; default network adds no flag; push is a later step",
    engine: { ...classic, env: { DOCKER_HOST: "tcp://127.0.0.1:2375" } },
    req: { cacheFrom: ["type=registry,ref=ghcr.io/o/cache:2"], network: "default", push: true },
    want: {
      file: "/usr/bin/docker",
      args: ["build", "--progress=plain", "--iidfile", "/out/iid", "-f", "r2d/Dockerfile", "--cache-from", "ghcr.io/o/cache:2", "-"],
      env: { DOCKER_HOST: "tcp://127.0.0.1:2375", DOCKER_BUILDKIT: "1" },
      stdin: "context-tar",
    },
  },
  {
    name: "buildx, minimal, rawjson: loaded by ID, tagged after",
    engine: buildx,
    req: { progress: "rawjson" },
    want: {
      file: "/usr/local/bin/docker",
      args: [
        "buildx", "build", "--progress=rawjson", "--iidfile", "/out/iid", "--metadata-file", "/out/meta.json",
        "-f", "r2d/Dockerfile", "--load", "-",
      ],
      env: {},
      stdin: "context-tar",
    },
  },
  {
    name: "buildx, every option, load and push",
    engine: buildx,
    req: { ...full, cacheTo: ["type=registry,ref=ghcr.io/o/cache:1,mode=max"], push: true },
    want: {
      file: "/usr/local/bin/docker",
      args: [
        "buildx", "build", "--progress=plain", "--iidfile", "/out/iid", "--metadata-file", "/out/meta.json",
        "-f", "r2d/Dockerfile", "-t", "r2d/x:1", "-t", "r2d/x:latest",
        "--label", "repo2docker.ref=abc", "--label", "org.opencontainers.image.source=https://example.org/r",
        "--build-arg", "NB_USER=jovyan", "--build-arg", "NB_UID=1000",
        "--secret", "id=pip,src=/run/secrets/pip.conf",
        "--platform", "linux/amd64", "--network", "host", "--allow", "network.host",
        "--cache-from", "ghcr.io/o/cache:1", "--cache-to", "type=registry,ref=ghcr.io/o/cache:1,mode=max",
        "--no-cache", "--pull", "--load", "--push", "-",
      ],
      env: {},
      stdin: "context-tar",
    },
  },
  {
    name: "buildx, push only, network none",
    engine: buildx,
    req: { push: true, load: false, network: "none" },
    want: {
      file: "/usr/local/bin/docker",
      args: [
        "buildx", "build", "--progress=plain", "--iidfile", "/out/iid", "--metadata-file", "/out/meta.json",
        "-f", "r2d/Dockerfile", "-t", "r2d/x:1", "--network", "none", "--push", "-",
      ],
      env: {},
      stdin: "context-tar",
    },
  },
  {
    name: "buildx 0.10: plain instead of rawjson, load now, tag and push later",
    engine: oldBuildx,
    req: { progress: "rawjson", push: true },
    want: {
      file: "/usr/local/bin/docker",
      args: [
        "buildx", "build", "--progress=plain", "--iidfile", "/out/iid", "--metadata-file", "/out/meta.json",
        "-f", "r2d/Dockerfile", "--load", "-",
      ],
      env: {},
      stdin: "context-tar",
    },
  },
  {
    name: "buildctl, minimal load (docker tarball)",
    engine: buildctl,
    req: { progress: "rawjson" },
    want: {
      file: "/usr/local/bin/buildctl",
      args: [
        "--addr", "tcp://127.0.0.1:1234", "build", "--progress=rawjson",
        "--frontend", "dockerfile.v0", "--local", "context=/repo", "--local", "dockerfile=/repo/r2d", "--opt", "filename=Dockerfile",
        "--output", "type=docker,dest=/out/iid.docker.tar",
        "--metadata-file", "/out/meta.json",
      ],
      env: {},
      stdin: "none",
    },
  },
  {
    name: "buildctl, every option, load and push (two exporters)",
    engine: buildctl,
    req: { ...full, cacheTo: ["type=local,dest=/cache"], push: true },
    want: {
      file: "/usr/local/bin/buildctl",
      args: [
        "--addr", "tcp://127.0.0.1:1234", "build", "--progress=plain",
        "--frontend", "dockerfile.v0", "--local", "context=/repo", "--local", "dockerfile=/repo/r2d", "--opt", "filename=Dockerfile",
        "--opt", "build-arg:NB_USER=jovyan", "--opt", "build-arg:NB_UID=1000",
        "--opt", "label:repo2docker.ref=abc", "--opt", "label:org.opencontainers.image.source=https://example.org/r",
        "--opt", "platform=linux/amd64",
        "--opt", "force-network-mode=host", "--allow", "network.host",
        "--secret", "id=pip,src=/run/secrets/pip.conf",
        "--import-cache", "type=registry,ref=ghcr.io/o/cache:1", "--export-cache", "type=local,dest=/cache",
        "--no-cache", "--opt", "image-resolve-mode=pull",
        "--output", "type=docker,dest=/out/iid.docker.tar",
        "--output", 'type=image,"name=r2d/x:1,r2d/x:latest",push=true',
        "--metadata-file", "/out/meta.json",
      ],
      env: {},
      stdin: "none",
    },
  },
  {
    name: "buildctl, push only, no address (default socket)",
    engine: { ...buildctl, buildkitHost: undefined },
    req: { push: true, load: false, dockerfile: "Dockerfile" },
    want: {
      file: "/usr/local/bin/buildctl",
      args: [
        "build", "--progress=plain",
        "--frontend", "dockerfile.v0", "--local", "context=/repo", "--local", "dockerfile=/repo", "--opt", "filename=Dockerfile",
        "--output", "type=image,name=r2d/x:1,push=true",
        "--metadata-file", "/out/meta.json",
      ],
      env: {},
      stdin: "none",
    },
  },
  {
    name: "buildctl 0.12: rawjson falls back to plain",
    engine: oldBuildctl,
    req: { progress: "rawjson", load: false },
    want: {
      file: "/usr/local/bin/buildctl",
      args: [
        "--addr", "tcp://127.0.0.1:1234", "build", "--progress=plain",
        "--frontend", "dockerfile.v0", "--local", "context=/repo", "--local", "dockerfile=/repo/r2d", "--opt", "filename=Dockerfile",
        "--output", "type=image,name=r2d/x:1",
        "--metadata-file", "/out/meta.json",
      ],
      env: {},
      stdin: "none",
    },
  },
];

describe("buildCommand", () => {
  it.each(rows)("$name", ({ engine, req, want }) => {
    expect(buildCommand(engine, { ...base, ...req })).toEqual(want);
  });

  it("plans the steps after the build: local tags only after success, registry names where the builder pushes", () => {
    expect(planBuild(classic, { ...base, push: true })).toMatchObject({ tagAfter: ["r2d/x:1"], pushAfter: ["r2d/x:1"], progress: "plain", iidFromMetadata: false });
    expect(planBuild(classic, base)).toMatchObject({ tagAfter: ["r2d/x:1"], pushAfter: [] });
    expect(planBuild(buildx, base)).toMatchObject({ tagAfter: ["r2d/x:1"], pushAfter: [] });
    // buildx pushes from the builder: the names are in the build command (the documented limit).
    expect(planBuild(buildx, { ...base, push: true })).toMatchObject({ tagAfter: [], pushAfter: [] });
    expect(planBuild(buildx, { ...base, push: true, load: false })).toMatchObject({ tagAfter: [], pushAfter: [] });
    expect(planBuild(oldBuildx, { ...base, push: true })).toMatchObject({ tagAfter: ["r2d/x:1"], pushAfter: ["r2d/x:1"] });
    expect(planBuild(buildctl, { ...base })).toMatchObject({ loadTarball: "/out/iid.docker.tar", tagAfter: ["r2d/x:1"], pushAfter: [], iidFromMetadata: true });
    expect(planBuild(buildctl, { ...base, push: true })).toMatchObject({ tagAfter: ["r2d/x:1"], pushAfter: [] });
    expect(planBuild(oldBuildctl, { ...base, push: true })).toMatchObject({ loadTarball: "/out/iid.docker.tar", tagAfter: ["r2d/x:1"], pushAfter: ["r2d/x:1"] });
    expect(planBuild(buildctl, { ...base, load: false, push: true })).toMatchObject({ loadTarball: undefined, tagAfter: [] });
  });

  it("never names the local image in a build command that only loads", () => {
    for (const engine of [classic, buildx, oldBuildx, buildctl, oldBuildctl]) {
      const args = buildCommand(engine, { ...base, tags: ["r2d/never-in-argv:1"] }).args.join(" ");
      expect(args).not.toContain("r2d/never-in-argv");
    }
  });

  it("refuses what an engine cannot do, naming the flag", () => {
    const cacheTo = (): Command => buildCommand(classic, { ...base, cacheTo: ["type=inline"] });
    expect(cacheTo).toThrow(ConfigError);
    expect(cacheTo).toThrow(/--cache-to/);
    expect(() => buildCommand(classic, { ...base, cacheFrom: ["type=gha"] })).toThrow(/--cache-from/);
    expect(() => buildCommand(buildx, { ...base, push: true, tags: [] })).toThrow(/at least one tag/);
    expect(() => buildCommandIn(buildctl, base)).toThrow(/context directory/);
    expect(() => buildCommand(buildctl, { ...base, network: "bridge" })).toThrow(ConfigError);
    expect(() => buildCommand({ ...buildctl, dockerClient: undefined }, base)).toThrow(EngineError);
    expect(() => buildCommand(buildx, { ...base, secrets: [{ id: "", src: "/x" }] })).toThrow(/needs both an id and a source file/);
  });

  it("gates features on versions", () => {
    expect(versionAtLeast("v0.13.0", "0.13.0")).toBe(true);
    expect(versionAtLeast("0.12.5-tp-docker", "0.13.0")).toBe(false);
    expect(versionAtLeast("20.10.24+dfsg1", "20.10.0")).toBe(true);
    expect(versionAtLeast(undefined, "0.1.0")).toBe(false);
    expect(versionAtLeast("garbage", "0.1.0")).toBe(false);
    expect(progressMode(buildx, { progress: "rawjson" })).toBe("rawjson");
    expect(progressMode(oldBuildx, { progress: "rawjson" })).toBe("plain");
    expect(progressMode(classic, { progress: "rawjson" })).toBe("plain");
    expect(progressMode(buildctl, { progress: "plain" })).toBe("plain");
  });
});
