/**
 * `buildctl`: BuildKit's own client talking to a buildkitd (BUILDKIT_HOST, or its default socket
 * when forced). It reads the context from a folder, writes no iidfile (the image ID is in the
 * metadata file), and loads into docker through a `type=docker` tarball and `docker load`.
 * Auto-selection takes it last, and only with BUILDKIT_HOST set.
 */
import path from "node:path";
import { ConfigError, EngineError } from "../../errors.js";
import { capture } from "../exec.js";
import { buildkitProgressReader } from "../progress-rawjson.js";
import type { BuildRequest, Engine, EngineFields } from "../types.js";
import { kv, parseSpec, usesNetwork, wantsAttestation } from "./build-flags.js";
import { ENGINE_ANSWER_TIMEOUT_MS, PROBE_TIMEOUT_MS, firstLine, progressFormat, resolveBinary, versionAtLeast, versionIn } from "./support.js";
import type { BuildInvocation, EngineAdapter, EngineDaemon, ProbeContext } from "./types.js";

/** buildctl prints `--progress=rawjson`, and takes several `--output`s, from BuildKit 0.13 on. */
const RAWJSON_MIN = "0.13.0";
const MULTI_EXPORT_MIN = "0.13.0";

interface BuildctlCandidate {
  path?: string;
  version?: string;
  unusable?: string;
}

async function probeClient(ctx: ProbeContext): Promise<BuildctlCandidate> {
  const name = ctx.options.buildctl ?? "buildctl";
  const file = await resolveBinary(name, ctx.env.PATH);
  if (!file) return { unusable: name.includes("/") ? `${name} is not present` : "not found on PATH" };
  const res = await capture(file, ["--version"], { baseEnv: ctx.env, timeoutMs: PROBE_TIMEOUT_MS, onDebug: ctx.onDebug });
  if (res.spawnError) return { path: file, unusable: `cannot be run (${res.spawnError})` };
  // `buildctl github.com/moby/buildkit v0.13.2 6cf2a3b...`
  const version = versionIn(res.stdout);
  if (res.exitCode !== 0 || !version) {
    return { path: file, unusable: `does not look like buildctl (\`buildctl --version\` said: ${firstLine(res.stderr || res.stdout) || "nothing"})` };
  }
  return { path: file, version };
}

const client = (ctx: ProbeContext) => ctx.once("buildctl", () => probeClient(ctx));
const addr = (host: string | undefined): string[] => (host ? ["--addr", host] : []);

async function checkBuildkitd(file: string, host: string | undefined, ctx: ProbeContext): Promise<void> {
  const res = await capture(file, [...addr(host), "debug", "workers"], { baseEnv: ctx.env, timeoutMs: PROBE_TIMEOUT_MS, onDebug: ctx.onDebug });
  if (res.exitCode === 0) return;
  const why = res.timedOut ? `it accepted the connection but did not answer within ${PROBE_TIMEOUT_MS / 1000} s` : firstLine(res.stderr || res.stdout) || "no answer";
  throw new EngineError(`buildkitd at ${host ?? "buildctl's default address"} does not answer (${why})`, {
    hint: "start buildkitd, or set BUILDKIT_HOST to the address of a running one",
  });
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

/** Where a buildctl `type=docker` export is written before `docker load`. */
export function dockerTarPath(req: Pick<BuildRequest, "iidFile">): string {
  return `${req.iidFile}.docker.tar`;
}

/** `--opt` and friends: everything of the request but the exports. */
function solveArgs(req: BuildRequest, contextDir: string): string[] {
  const args = ["--frontend", "dockerfile.v0", "--local", `context=${contextDir}`, "--local", `dockerfile=${path.join(contextDir, path.dirname(req.dockerfile))}`];
  args.push("--opt", `filename=${path.basename(req.dockerfile)}`);
  for (const a of kv(req.buildArgs)) args.push("--opt", `build-arg:${a}`);
  for (const l of kv(req.labels)) args.push("--opt", `label:${l}`);
  if (req.platform) args.push("--opt", `platform=${req.platform}`);
  if (usesNetwork(req.network)) {
    if (req.network !== "host" && req.network !== "none") {
      throw new ConfigError(`buildctl builds only with the host network, no network or the default one, not "${req.network}"`, { location: { file: "--build-network" } });
    }
    args.push("--opt", `force-network-mode=${req.network}`);
    if (req.network === "host") args.push("--allow", "network.host");
  }
  for (const s of req.secrets) args.push("--secret", `id=${s.id},src=${s.src}`);
  for (const c of req.cacheFrom) args.push("--import-cache", parseSpec(c) ? c : `type=registry,ref=${c}`);
  for (const c of req.cacheTo) args.push("--export-cache", parseSpec(c) ? c : `type=registry,ref=${c}`);
  if (req.noCache) args.push("--no-cache");
  if (req.pull) args.push("--opt", "image-resolve-mode=pull");
  // BuildKit's own attestation options (BuildKit 0.11+): `true` asks for the default of each.
  if (wantsAttestation(req.provenance)) args.push("--opt", `attest:provenance=${req.provenance === "true" ? "mode=min" : req.provenance}`);
  if (wantsAttestation(req.sbom)) args.push("--opt", `attest:sbom=${req.sbom === "true" ? "" : req.sbom}`);
  return args;
}

function invocation(engine: Engine, req: BuildRequest, contextDir?: string): BuildInvocation {
  if (!contextDir) throw new ConfigError("buildctl builds from a context directory, and none was given", { location: { file: "--engine" } });
  if (req.builder) {
    throw new ConfigError(`buildctl (${engine.client}) cannot use the builder "${req.builder}": it talks to the buildkitd of BUILDKIT_HOST`, {
      location: { file: "--builder" },
      hint: "point BUILDKIT_HOST at that buildkitd instead, or build with --engine buildx",
    });
  }
  const progress = progressFormat(engine, req.progress);
  const args = [...addr(engine.buildkitHost), "build", `--progress=${progress}`, ...solveArgs(req, contextDir)];
  if (req.load && !engine.dockerClient) {
    throw new EngineError(`buildctl (${engine.client}) can build, but no docker client was found to load the image into`, {
      hint: "install a docker client, name one with --docker PATH, or build with --push only",
    });
  }
  const tarball = dockerTarPath(req);
  const after = { loadTarball: undefined as string | undefined, tagAfter: [] as string[], pushAfter: [] as string[] };
  if (req.load) {
    // Loaded by ID, tagged after the build.
    args.push("--output", outputSpec("docker", [], [`dest=${tarball}`]));
    after.loadTarball = tarball;
    after.tagAfter = [...req.tags];
    if (req.push && engine.capabilities.multipleExports) args.push("--output", outputSpec("image", req.tags, ["push=true"]));
    else if (req.push) after.pushAfter = [...req.tags]; // one exporter per build before BuildKit 0.13
  } else {
    args.push("--output", outputSpec("image", req.tags, req.push ? ["push=true"] : []));
  }
  args.push("--metadata-file", req.metadataFile);
  return { build: { file: engine.client, args, env: { ...engine.env }, stdin: "none" }, progress, ...after, iidFromMetadata: true };
}

const daemon: EngineDaemon = {
  name: "buildkitd",
  address: (engine) => engine.buildkitHost ?? "buildctl's default address",
  check: "`buildctl debug workers`",
  pruneHint: "free disk space where buildkitd keeps its data: `buildctl prune` removes the build cache; then run r2d again",
  async answers(engine) {
    const r = await capture(engine.client, [...addr(engine.buildkitHost), "debug", "workers"], { env: { ...engine.env }, timeoutMs: ENGINE_ANSWER_TIMEOUT_MS });
    return r.exitCode === 0;
  },
};

export const buildctl: EngineAdapter<"buildctl"> = {
  kind: "buildctl",
  note: "BUILDKIT_HOST",
  installAdvice: "buildctl, BuildKit's own client, with BUILDKIT_HOST set to a running buildkitd",
  clientIsDocker: false,

  async find(ctx: ProbeContext, forced: boolean): Promise<Engine | undefined> {
    const dockers = await ctx.dockers(); // for run, load and push; a named one that is missing is an error
    const host = ctx.env.BUILDKIT_HOST || undefined;
    const c = await client(ctx);
    if (!c.path || c.unusable || (!forced && !host)) return undefined;
    await checkBuildkitd(c.path, host, ctx);
    const why = `${c.path} ${c.version} talks to buildkitd at ${host ?? "its default address"}`;
    const reason = `${forced ? "--engine buildctl: " : ""}${why}${forced ? "" : "; no docker client can build with BuildKit"}${ctx.skippedNote(dockers, undefined)}`;
    const fields: EngineFields = { client: c.path, dockerClient: dockers.find((d) => !d.unusable)?.path, version: c.version ?? "", buildkitHost: host, env: ctx.engineEnv, reason };
    return { ...fields, kind: "buildctl", capabilities: buildctl.capabilities(fields, { bridgeNetwork: Promise.resolve(true) }) };
  },

  async notFound(ctx: ProbeContext): Promise<EngineError> {
    const c = await client(ctx);
    return new EngineError(`--engine buildctl: buildctl ${c.path ? `(${c.path}) ` : ""}${c.unusable ?? "is not usable"}`, {
      hint: "install buildctl (BuildKit's client), name it with --buildctl PATH, and set BUILDKIT_HOST to a running buildkitd",
    });
  },

  async candidateLines(ctx: ProbeContext): Promise<string[]> {
    const c = await client(ctx);
    const why = c.unusable ?? (ctx.env.BUILDKIT_HOST ? "usable" : `${c.version}, but BUILDKIT_HOST is not set`);
    return [`  - buildctl${c.path ? ` (${c.path})` : ""}: ${why}`];
  },

  // No docker networks: the build network is buildkitd's own.
  capabilities: (fields) => ({
    progress: versionAtLeast(fields.version, RAWJSON_MIN) ? ["plain", "rawjson"] : ["plain"],
    multipleExports: versionAtLeast(fields.version, MULTI_EXPORT_MIN),
    bridgeNetwork: Promise.resolve(true),
    context: "directory",
  }),
  invocation,
  progressReader: buildkitProgressReader,
  daemon,
};
