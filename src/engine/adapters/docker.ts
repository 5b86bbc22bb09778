/**
 * `docker`: a classic docker client older than 23, building with BuildKit through
 * `DOCKER_BUILDKIT=1 docker build`. Prints plain progress only, exports one image (loaded; pushed
 * with `docker push` afterwards), can use only images as a cache source and exports none. Docker
 * 23+ refuses DOCKER_BUILDKIT=1 without buildx (and otherwise uses the legacy builder). Where the
 * client talks to a local socket, runBuild sends the same build to the daemon's API itself.
 */
import { ConfigError, EngineError } from "../../errors.js";
import { buildkitProgressReader } from "../progress-rawjson.js";
import type { BuildRequest, Engine, EngineFields } from "../types.js";
import { dockerBuildFlags, parseSpec, refuseBuilderAndAttestations, usesNetwork } from "./build-flags.js";
import { dockerCandidateLines, dockerDaemon, findDockerClient, isBefore23, type DockerCandidate } from "./docker-client.js";
import type { BuildInvocation, EngineAdapter, ProbeContext } from "./types.js";

function rejectDocker(c: DockerCandidate): string | undefined {
  if (c.unusable) return c.unusable;
  if (isBefore23(c.version)) return undefined;
  return `Docker ${c.version} client is 23 or newer: its classic \`docker build\` no longer builds with BuildKit (DOCKER_BUILDKIT=1 is refused without buildx)`;
}

/** `--cache-from` of the classic client: images only (a registry spec becomes its ref). */
function cacheSources(req: BuildRequest): string[] {
  return req.cacheFrom.map((c) => {
    const spec = parseSpec(c);
    if (!spec) return c;
    if ((spec.type ?? "registry") === "registry" && spec.ref) return spec.ref;
    throw new ConfigError(`the classic docker client can only use an image as a cache source, not ${c}`, {
      location: { file: "--cache-from" },
      hint: "name an image (REGISTRY/REPO:TAG), or install the buildx plugin for other cache types",
    });
  });
}

/** The build as `POST /build` parameters: what this client sends the daemon for the same flags (cache sources as images). */
export function daemonQuery(req: BuildRequest, cacheFrom: string[]): Record<string, string> {
  const query: Record<string, string> = { dockerfile: req.dockerfile };
  if (Object.keys(req.labels).length > 0) query.labels = JSON.stringify(req.labels);
  if (Object.keys(req.buildArgs).length > 0) query.buildargs = JSON.stringify(req.buildArgs);
  if (req.platform) query.platform = req.platform;
  if (usesNetwork(req.network)) query.networkmode = req.network;
  if (cacheFrom.length > 0) query.cachefrom = JSON.stringify(cacheFrom);
  if (req.noCache) query.nocache = "1";
  if (req.pull) query.pull = "1";
  return query;
}

function invocation(engine: Engine, req: BuildRequest): BuildInvocation {
  refuseBuilderAndAttestations(req, `the classic docker client (${engine.client} ${engine.version})`, {
    builder: "builders are a buildx feature",
    attestations: "attestations need buildx (BuildKit's image exporter with attestation support)",
  });
  if (req.cacheTo.length > 0) {
    throw new ConfigError(`the classic docker client (${engine.client} ${engine.version}) cannot export a build cache`, {
      location: { file: "--cache-to" },
      hint: "install the buildx plugin or use buildctl to export a cache, or leave out --cache-to",
    });
  }
  const cacheFrom = cacheSources(req);
  const flags = dockerBuildFlags(req, { tags: [], allowHostNetwork: false, cacheFrom, cacheTo: [], exports: [] });
  const args = ["build", "--progress=plain", "--iidfile", req.iidFile, ...flags];
  return {
    build: { file: engine.client, args, env: { ...engine.env, DOCKER_BUILDKIT: "1" }, stdin: "context-tar" },
    progress: "plain",
    tagAfter: [...req.tags],
    pushAfter: req.push ? [...req.tags] : [],
    iidFromMetadata: false,
    // The client only relays the context tar to its daemon: where that is a local socket, r2d can send it itself.
    ...(engine.apiSocket ? { daemon: { socket: engine.apiSocket, query: daemonQuery(req, cacheFrom) } } : {}),
  };
}

function make(fields: EngineFields, bridgeNetwork: Promise<boolean>): Engine {
  return { ...fields, kind: "docker", capabilities: docker.capabilities(fields, { bridgeNetwork }) };
}

export const docker: EngineAdapter<"docker"> = {
  kind: "docker",
  note: "a Docker < 23 client with DOCKER_BUILDKIT=1",
  installAdvice: "a Docker client older than 23, which builds with BuildKit through DOCKER_BUILDKIT=1 (e.g. Debian bookworm's docker.io, /usr/bin/docker 20.10)",
  clientIsDocker: true,
  rejectDocker,

  async find(ctx: ProbeContext, forced: boolean): Promise<Engine | undefined> {
    const found = await findDockerClient(ctx, rejectDocker);
    if (!found) return undefined;
    const c = found.client;
    const why = `${c.path} is Docker ${c.version} (older than 23), which builds with BuildKit through DOCKER_BUILDKIT=1`;
    // Where the client talks to a local socket, runBuild sends the build there itself (daemon-build.ts).
    const route = c.apiSocket ? `; r2d sends the builds to its daemon's API at ${c.apiSocket} itself` : "";
    const reason = `${forced ? "--engine docker: " : ""}${why}${forced ? "" : "; no docker client with the buildx plugin was found"}${ctx.skippedNote(found.dockers, c.path)}${route}`;
    return make({ client: c.path, version: c.version ?? "", serverVersion: c.serverVersion, apiSocket: c.apiSocket, env: ctx.engineEnv, reason }, found.bridgeNetwork);
  },

  async notFound(ctx: ProbeContext): Promise<EngineError> {
    const lines = dockerCandidateLines(await ctx.dockers(), rejectDocker).join("\n");
    return new EngineError(`--engine docker: no docker client older than 23 was found. Looked at:\n${lines}`, {
      hint: `install a Docker client older than 23 (e.g. Debian bookworm's docker.io), or use --engine buildx; ${ctx.nameHint}`,
    });
  },

  candidateLines: () => Promise.resolve([]),

  capabilities: (_fields, probed) => ({ progress: ["plain"], multipleExports: false, bridgeNetwork: probed.bridgeNetwork, context: "tar" }),
  invocation,
  progressReader: buildkitProgressReader,
  daemon: dockerDaemon,
};
