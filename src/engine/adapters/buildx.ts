/**
 * `buildx`: a docker client with the buildx plugin (`docker buildx build`), the first choice.
 * From buildx 0.13 on it prints rawjson progress and takes `--load --push` together; before, it
 * loads, and r2d tags and pushes with docker afterwards.
 */
import { EngineError } from "../../errors.js";
import { buildkitProgressReader } from "../progress-rawjson.js";
import type { BuildRequest, Engine, EngineFields } from "../types.js";
import { dockerBuildFlags, refuseBuilderAndAttestations } from "./build-flags.js";
import { dockerCandidateLines, dockerDaemon, findDockerClient, type DockerCandidate } from "./docker-client.js";
import { progressFormat, versionAtLeast } from "./support.js";
import type { BuildInvocation, EngineAdapter, ProbeContext } from "./types.js";

/** buildx prints `--progress=rawjson` and accepts `--load --push` together from 0.13 on. */
const RAWJSON_MIN = "0.13.0";
const MULTI_EXPORT_MIN = "0.13.0";
/** `--provenance` and `--sbom` exist from buildx 0.10 on. */
const ATTESTATIONS_MIN = "0.10.0";

/** `--builder`, `--provenance`, `--sbom`, passed as given (buildx checks the builder and the values). */
function builderFlags(engine: Engine, req: BuildRequest): string[] {
  const args = req.builder ? ["--builder", req.builder] : [];
  if (!versionAtLeast(engine.buildxVersion, ATTESTATIONS_MIN)) {
    // "false" asks for what an old buildx does anyway; anything else cannot be done.
    refuseBuilderAndAttestations({ ...req, builder: undefined }, `buildx ${engine.buildxVersion ?? "(unknown version)"}`, { builder: "", attestations: `attestations need buildx ${ATTESTATIONS_MIN} or newer` });
    return args;
  }
  if (req.provenance) args.push(`--provenance=${req.provenance}`);
  if (req.sbom) args.push(`--sbom=${req.sbom}`);
  return args;
}

function rejectDocker(c: DockerCandidate): string | undefined {
  if (c.unusable) return c.unusable;
  return c.buildxVersion ? undefined : `Docker ${c.version} client without the buildx plugin (\`docker buildx version\`: ${c.buildxError})`;
}

function invocation(engine: Engine, req: BuildRequest): BuildInvocation {
  const progress = progressFormat(engine, req.progress);
  // Without several exports ("--load --push" refused): load, then tag and push with docker.
  const pushLater = req.load && req.push && !engine.capabilities.multipleExports;
  const pushNow = req.push && !pushLater;
  const exports = [...(req.load ? ["--load"] : []), ...(pushNow ? ["--push"] : [])];
  const flags = dockerBuildFlags(req, { tags: pushNow ? req.tags : [], allowHostNetwork: true, cacheFrom: req.cacheFrom, cacheTo: req.cacheTo, exports });
  const args = ["buildx", "build", ...builderFlags(engine, req), `--progress=${progress}`, "--iidfile", req.iidFile, "--metadata-file", req.metadataFile, ...flags];
  return {
    build: { file: engine.client, args, env: { ...engine.env }, stdin: "context-tar" },
    progress,
    tagAfter: req.load && !pushNow ? [...req.tags] : [],
    pushAfter: pushLater ? [...req.tags] : [],
    iidFromMetadata: false,
  };
}

function make(fields: EngineFields, bridgeNetwork: Promise<boolean>): Engine {
  return { ...fields, kind: "buildx", capabilities: buildx.capabilities(fields, { bridgeNetwork }) };
}

export const buildx: EngineAdapter<"buildx"> = {
  kind: "buildx",
  installAdvice: "the buildx plugin for your docker client (Docker's docker-buildx-plugin package, or Debian's docker-buildx where the release has it)",
  clientIsDocker: true,
  rejectDocker,

  async find(ctx: ProbeContext, forced: boolean): Promise<Engine | undefined> {
    const found = await findDockerClient(ctx, rejectDocker);
    if (!found) return undefined;
    const c = found.client;
    const reason = `${forced ? "--engine buildx: " : ""}${c.path} (Docker ${c.version}) has the buildx plugin ${c.buildxVersion}${ctx.skippedNote(found.dockers, c.path)}`;
    const fields = { client: c.path, version: c.version ?? "", buildxVersion: c.buildxVersion, serverVersion: c.serverVersion, apiSocket: c.apiSocket, env: ctx.engineEnv, reason };
    return make(fields, found.bridgeNetwork);
  },

  async notFound(ctx: ProbeContext): Promise<EngineError> {
    const lines = dockerCandidateLines(await ctx.dockers(), rejectDocker).join("\n");
    return new EngineError(`--engine buildx: no docker client with the buildx plugin was found. Looked at:\n${lines}`, {
      hint: `install the buildx plugin (Docker's docker-buildx-plugin, or Debian's docker-buildx where the release has it); ${ctx.nameHint}`,
    });
  },

  candidateLines: () => Promise.resolve([]),

  capabilities: (fields, probed) => ({
    progress: versionAtLeast(fields.buildxVersion, RAWJSON_MIN) ? ["plain", "rawjson"] : ["plain"],
    multipleExports: versionAtLeast(fields.buildxVersion, MULTI_EXPORT_MIN),
    bridgeNetwork: probed.bridgeNetwork,
    context: "tar",
  }),
  invocation,
  progressReader: buildkitProgressReader,
  daemon: dockerDaemon,
};
