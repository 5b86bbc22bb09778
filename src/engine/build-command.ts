/**
 * Pure command builders for a BuildKit build, one per client kind. No I/O here:
 * a request and an engine go in, argv comes out (tested as tables).
 */
import path from "node:path";
import semver from "semver";
import { ConfigError, EngineError } from "../errors.js";
import type { BuildRequest, Command, Engine } from "./types.js";

/** True when `version` (any docker/buildx/buildkit spelling) is at least `min`. */
export function versionAtLeast(version: string | undefined, min: string): boolean {
  if (!version) return false;
  const v = semver.coerce(version);
  return v !== null && semver.gte(v, min);
}

/** buildx and buildctl print `--progress=rawjson` from BuildKit 0.13 / buildx 0.13 on. */
const RAWJSON_MIN = "0.13.0";
/** buildx accepts `--load --push` together, and buildctl several `--output`, from 0.13 on. */
const MULTI_EXPORT_MIN = "0.13.0";

/** The progress format the client will actually print for this request. */
export function progressMode(engine: Engine, req: Pick<BuildRequest, "progress">): "plain" | "rawjson" {
  if (req.progress !== "rawjson") return "plain";
  if (engine.kind === "buildx" && versionAtLeast(engine.buildxVersion, RAWJSON_MIN)) return "rawjson";
  if (engine.kind === "buildctl" && versionAtLeast(engine.version, RAWJSON_MIN)) return "rawjson";
  return "plain";
}

/** Where a buildctl `type=docker` export is written before `docker load`. */
export function dockerTarPath(req: Pick<BuildRequest, "iidFile">): string {
  return `${req.iidFile}.docker.tar`;
}

/**
 * What runBuild does: the build command, then the steps some clients need after it.
 *
 * The local image is built by ID (no `-t`) and tagged only after the build succeeded, so an
 * interrupted or failed build never sets or moves a tag. A push from the builder itself
 * (buildx `--push`, buildctl `push=true`) needs the registry name at build time: there the
 * tags stay in the build command (an interrupted push may have updated the registry).
 */
export interface BuildPlan {
  build: Command;
  progress: "plain" | "rawjson";
  /** `docker load -i` this tarball after the build (buildctl with load). */
  loadTarball?: string;
  /** `docker tag IMAGE_ID TAG` for these after a successful build. */
  tagAfter: string[];
  /** `docker push` these tags after the build (clients that cannot push while building). */
  pushAfter: string[];
  /** The client writes no iidfile: take the image ID from the metadata file (buildctl). */
  iidFromMetadata: boolean;
}

function kv(record: Record<string, string>): string[] {
  return Object.entries(record).map(([k, v]) => `${k}=${v}`);
}

/** Parse `type=registry,ref=x` into pairs; a bare value gives `{}`. */
function parseSpec(spec: string): Record<string, string> | undefined {
  if (!spec.includes("=")) return undefined;
  const out: Record<string, string> = {};
  for (const part of spec.split(",")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** A CSV field for buildctl's `--output` (quoted when it holds a comma or quote). */
function csvField(field: string): string {
  return /[",]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

function outputSpec(type: string, tags: string[], extra: string[]): string {
  const fields = [`type=${type}`];
  if (tags.length > 0) fields.push(csvField(`name=${tags.join(",")}`));
  return [...fields, ...extra].join(",");
}

function checkRequest(req: BuildRequest): void {
  if (req.push && req.tags.length === 0) {
    throw new ConfigError("pushing needs at least one tag naming the registry and repository", {
      location: { file: "--push" },
      hint: "add --image-name REGISTRY/REPO:TAG",
    });
  }
  for (const s of req.secrets) {
    if (!s.id || !s.src) {
      throw new ConfigError(`a build secret needs both an id and a source file (got id=${s.id} src=${s.src})`);
    }
  }
}

const usesNetwork = (n: string | undefined): n is string => n !== undefined && n !== "" && n !== "default";

function classicDockerPlan(engine: Engine, req: BuildRequest): BuildPlan {
  if (req.cacheTo.length > 0) {
    throw new ConfigError(`the classic docker client (${engine.client} ${engine.version}) cannot export a build cache`, {
      location: { file: "--cache-to" },
      hint: "install the buildx plugin or use buildctl to export a cache, or leave out --cache-to",
    });
  }
  const args = ["build", "--progress=plain", "--iidfile", req.iidFile, "-f", req.dockerfile];
  for (const l of kv(req.labels)) args.push("--label", l);
  for (const a of kv(req.buildArgs)) args.push("--build-arg", a);
  for (const s of req.secrets) args.push("--secret", `id=${s.id},src=${s.src}`);
  if (req.platform) args.push("--platform", req.platform);
  if (usesNetwork(req.network)) args.push("--network", req.network);
  for (const c of req.cacheFrom) {
    const spec = parseSpec(c);
    if (!spec) {
      args.push("--cache-from", c);
    } else if ((spec.type ?? "registry") === "registry" && spec.ref) {
      args.push("--cache-from", spec.ref);
    } else {
      throw new ConfigError(`the classic docker client can only use an image as a cache source, not ${c}`, {
        location: { file: "--cache-from" },
        hint: "name an image (REGISTRY/REPO:TAG), or install the buildx plugin for other cache types",
      });
    }
  }
  if (req.noCache) args.push("--no-cache");
  if (req.pull) args.push("--pull");
  args.push("-");
  return {
    build: { file: engine.client, args, env: { ...engine.env, DOCKER_BUILDKIT: "1" }, stdin: "context-tar" },
    progress: "plain",
    tagAfter: [...req.tags],
    pushAfter: req.push ? [...req.tags] : [],
    iidFromMetadata: false,
  };
}

function buildxPlan(engine: Engine, req: BuildRequest): BuildPlan {
  const progress = progressMode(engine, req);
  const args = ["buildx", "build", `--progress=${progress}`, "--iidfile", req.iidFile, "--metadata-file", req.metadataFile];
  args.push("-f", req.dockerfile);
  // buildx < 0.13 refuses "--load --push": load, then tag and push with docker.
  const pushLater = req.load && req.push && !versionAtLeast(engine.buildxVersion, MULTI_EXPORT_MIN);
  const pushNow = req.push && !pushLater;
  if (pushNow) for (const t of req.tags) args.push("-t", t);
  for (const l of kv(req.labels)) args.push("--label", l);
  for (const a of kv(req.buildArgs)) args.push("--build-arg", a);
  for (const s of req.secrets) args.push("--secret", `id=${s.id},src=${s.src}`);
  if (req.platform) args.push("--platform", req.platform);
  if (usesNetwork(req.network)) {
    args.push("--network", req.network);
    if (req.network === "host") args.push("--allow", "network.host");
  }
  for (const c of req.cacheFrom) args.push("--cache-from", c);
  for (const c of req.cacheTo) args.push("--cache-to", c);
  if (req.noCache) args.push("--no-cache");
  if (req.pull) args.push("--pull");
  if (req.load) args.push("--load");
  if (pushNow) args.push("--push");
  args.push("-");
  return {
    build: { file: engine.client, args, env: { ...engine.env }, stdin: "context-tar" },
    progress,
    tagAfter: req.load && !pushNow ? [...req.tags] : [],
    pushAfter: pushLater ? [...req.tags] : [],
    iidFromMetadata: false,
  };
}

function buildctlPlan(engine: Engine, req: BuildRequest): BuildPlan {
  if (!req.contextDir) {
    throw new ConfigError("buildctl builds from a context directory, and none was given", { location: { file: "--engine" } });
  }
  const progress = progressMode(engine, req);
  const args: string[] = [];
  if (engine.buildkitHost) args.push("--addr", engine.buildkitHost);
  const dockerfileDir = path.join(req.contextDir, path.dirname(req.dockerfile));
  args.push(
    "build",
    `--progress=${progress}`,
    "--frontend",
    "dockerfile.v0",
    "--local",
    `context=${req.contextDir}`,
    "--local",
    `dockerfile=${dockerfileDir}`,
    "--opt",
    `filename=${path.basename(req.dockerfile)}`,
  );
  for (const a of kv(req.buildArgs)) args.push("--opt", `build-arg:${a}`);
  for (const l of kv(req.labels)) args.push("--opt", `label:${l}`);
  if (req.platform) args.push("--opt", `platform=${req.platform}`);
  if (usesNetwork(req.network)) {
    if (req.network !== "host" && req.network !== "none") {
      throw new ConfigError(`buildctl builds only with the host network, no network or the default one, not "${req.network}"`, {
        location: { file: "--build-network" },
      });
    }
    args.push("--opt", `force-network-mode=${req.network}`);
    if (req.network === "host") args.push("--allow", "network.host");
  }
  for (const s of req.secrets) args.push("--secret", `id=${s.id},src=${s.src}`);
  for (const c of req.cacheFrom) args.push("--import-cache", parseSpec(c) ? c : `type=registry,ref=${c}`);
  for (const c of req.cacheTo) args.push("--export-cache", parseSpec(c) ? c : `type=registry,ref=${c}`);
  if (req.noCache) args.push("--no-cache");
  if (req.pull) args.push("--opt", "image-resolve-mode=pull");

  if (req.load && !engine.dockerClient) {
    throw new EngineError(`buildctl (${engine.client}) can build, but no docker client was found to load the image into`, {
      hint: "install a docker client, name one with --docker PATH, or build with --push only",
    });
  }
  const tarball = dockerTarPath(req);
  let pushAfter: string[] = [];
  let loadTarball: string | undefined;
  let tagAfter: string[] = [];
  if (req.load) {
    // Loaded by ID, tagged after the build.
    args.push("--output", outputSpec("docker", [], [`dest=${tarball}`]));
    loadTarball = tarball;
    tagAfter = [...req.tags];
    if (req.push) {
      if (versionAtLeast(engine.version, MULTI_EXPORT_MIN)) {
        args.push("--output", outputSpec("image", req.tags, ["push=true"]));
      } else {
        pushAfter = [...req.tags]; // one exporter per build before BuildKit 0.13
      }
    }
  } else {
    args.push("--output", outputSpec("image", req.tags, req.push ? ["push=true"] : []));
  }
  args.push("--metadata-file", req.metadataFile);
  return {
    build: { file: engine.client, args, env: { ...engine.env }, stdin: "none" },
    progress,
    loadTarball,
    tagAfter,
    pushAfter,
    iidFromMetadata: true,
  };
}

/** Everything runBuild runs for this request. Pure; throws ConfigError for requests the engine cannot do. */
export function planBuild(engine: Engine, req: BuildRequest): BuildPlan {
  checkRequest(req);
  switch (engine.kind) {
    case "docker":
      return classicDockerPlan(engine, req);
    case "buildx":
      return buildxPlan(engine, req);
    case "buildctl":
      return buildctlPlan(engine, req);
  }
}

/** The build command line for this request (pure). */
export function buildCommand(engine: Engine, req: BuildRequest): Command {
  return planBuild(engine, req).build;
}
