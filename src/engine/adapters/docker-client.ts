/**
 * What the engines whose client is docker share: finding the docker clients (the one named by
 * --docker or R2D_DOCKER, else every one on PATH, then well-known places), asking each once for
 * its version and its buildx plugin, checking that the daemon answers, probing its bridge network,
 * and the daemon's part of failure messages.
 */
import net from "node:net";
import { realpath } from "node:fs/promises";
import { EngineError } from "../../errors.js";
import { capture, type DebugLog } from "../exec.js";
import type { Engine, ProbeOptions } from "../types.js";
import { ENGINE_ANSWER_TIMEOUT_MS, PROBE_TIMEOUT_MS, firstLine, isExecutableFile, resolveBinary, semver, versionIn, whichAll } from "./support.js";
import type { EngineDaemon, ProbeContext } from "./types.js";

const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
const WELL_KNOWN_DOCKERS = ["/usr/bin/docker"];

export interface DockerCandidate {
  path: string;
  version?: string;
  serverVersion?: string;
  /** The local socket the client talks to its daemon through (its current context's endpoint), if any. */
  apiSocket?: string;
  /** Why the daemon did not answer `docker version` (first line of stderr). */
  daemonError?: string;
  buildxVersion?: string;
  buildxError?: string;
  /** Why this candidate could not even be asked (missing, not executable, not docker). */
  unusable?: string;
  /** `docker version` got no answer in time: the daemon took the connection and said nothing. */
  silent?: boolean;
}

export function isBefore23(version: string | undefined): boolean {
  const { coerce, lt } = semver();
  const v = version ? coerce(version) : null;
  return v !== null && lt(v, "23.0.0");
}

async function probeDocker(file: string, env: NodeJS.ProcessEnv, onDebug: DebugLog): Promise<DockerCandidate> {
  if (!(await isExecutableFile(file))) return { path: file, unusable: "not present" };
  // Both questions at once: each docker process costs tens of milliseconds (more on a busy machine),
  // and the probe runs on every build. The buildx answer is ignored when the binary is not docker.
  const [res, bx, ctxInfo] = await Promise.all([
    capture(file, ["version", "--format", "{{json .}}"], { baseEnv: env, timeoutMs: PROBE_TIMEOUT_MS, onDebug }),
    capture(file, ["buildx", "version"], { baseEnv: env, timeoutMs: PROBE_TIMEOUT_MS, onDebug }),
    // Where the client reaches its daemon: a local socket lets inspect and tag skip the client.
    capture(file, ["context", "inspect", "--format", "{{json .Endpoints.docker}}"], { baseEnv: env, timeoutMs: PROBE_TIMEOUT_MS, onDebug }),
  ]);
  if (res.spawnError) return { path: file, unusable: `cannot be run (${res.spawnError})` };
  if (res.timedOut) return { path: file, silent: true, unusable: `no answer from \`docker version\` within ${PROBE_TIMEOUT_MS / 1000} s` };
  const cand: DockerCandidate = { path: file };
  try {
    const json = JSON.parse(res.stdout.trim().split("\n")[0] ?? "") as {
      Client?: { Version?: unknown };
      Server?: { Version?: unknown } | null;
    };
    if (typeof json.Client?.Version === "string") cand.version = json.Client.Version;
    if (json.Server && typeof json.Server.Version === "string") cand.serverVersion = json.Server.Version;
  } catch {
    /* not JSON: handled below */
  }
  if (!cand.version) {
    return { path: file, unusable: `does not look like a docker client (\`docker version\` said: ${firstLine(res.stderr || res.stdout) || "nothing"})` };
  }
  if (!cand.serverVersion) cand.daemonError = firstLine(res.stderr) || "no answer";
  cand.apiSocket = unixSocketIn(ctxInfo.exitCode === 0 ? ctxInfo.stdout : "");
  const bxVersion = versionIn(bx.stdout);
  if (bx.exitCode === 0 && bxVersion) cand.buildxVersion = bxVersion;
  else cand.buildxError = firstLine(bx.stderr || bx.stdout) || `exit code ${bx.exitCode ?? "?"}`;
  return cand;
}

/** `{"Host":"unix:///var/run/docker.sock",…}` → the socket's path (a tcp:// or ssh:// endpoint: none). */
function unixSocketIn(text: string): string | undefined {
  try {
    const host = (JSON.parse(text.trim()) as { Host?: unknown }).Host;
    return typeof host === "string" ? /^unix:\/\/(\/.+)$/.exec(host)?.[1] : undefined;
  } catch {
    return undefined;
  }
}

/** The docker clients to look at: the one named by --docker or R2D_DOCKER, else every one on PATH, then well-known places. */
export async function dockerClientPaths(opts: ProbeOptions, env: NodeJS.ProcessEnv): Promise<string[]> {
  const named = opts.docker ?? (env.R2D_DOCKER || undefined);
  if (!named) return [...(await whichAll("docker", env.PATH)), ...(opts.wellKnownDockers ?? WELL_KNOWN_DOCKERS)];
  const file = await resolveBinary(named, env.PATH);
  if (!file) {
    throw new EngineError(`the docker client named by ${opts.docker ? "--docker" : "R2D_DOCKER"} (${named}) was not found or is not executable`, {
      hint: "give the path of a docker binary, e.g. --docker /usr/bin/docker",
    });
  }
  return [file];
}

/** The docker clients to look at, each asked for its version and buildx plugin (all at once). */
export async function findDockerClients(opts: ProbeOptions, env: NodeJS.ProcessEnv, onDebug: DebugLog): Promise<DockerCandidate[]> {
  const paths = await dockerClientPaths(opts, env);
  // The same binary reached twice (/bin → /usr/bin) is looked at once.
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const p of paths) {
    const real = await realpath(p).catch(() => p);
    if (seen.has(real)) continue;
    seen.add(real);
    unique.push(p);
  }
  return Promise.all(unique.map((p) => probeDocker(p, env, onDebug)));
}

/** Why no engine can build with this docker client (neither buildx nor a classic client older than 23). */
export function noDockerEngineFor(c: DockerCandidate): string {
  return `Docker ${c.version} client without the buildx plugin: Docker 23+ refuses DOCKER_BUILDKIT=1 builds without buildx and otherwise falls back to the legacy builder`;
}

/** `  - PATH: why` for each docker client. */
export function dockerCandidateLines(dockers: DockerCandidate[], reject: (c: DockerCandidate) => string | undefined): string[] {
  return dockers.map((c) => `  - ${c.path}: ${reject(c) ?? "usable"}`);
}

function daemonAddress(c: DockerCandidate, env: NodeJS.ProcessEnv): string {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  const said = /daemon at (\S+?)\.?\s+Is the docker daemon running/i.exec(c.daemonError ?? "")?.[1];
  return said ?? DEFAULT_DOCKER_HOST;
}

/** Whether something accepts connections at a unix:// or tcp:// address (within a second). */
export async function acceptsConnections(address: string): Promise<boolean> {
  const unix = /^unix:\/\/(.+)$/.exec(address)?.[1];
  const tcp = /^tcp:\/\/\[?([^\]/]+?)\]?:(\d+)\/?$/.exec(address);
  if (!unix && !tcp) return false;
  return new Promise((resolve) => {
    const socket = unix ? net.connect(unix) : net.connect(Number(tcp![2]), tcp![1]);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * The docker clients, for an engine that builds with one. Every docker client talks to the same
 * daemon: one that got no answer at all is the answer (the daemon is hung), not a client to skip.
 */
export async function answeringDockers(ctx: ProbeContext): Promise<DockerCandidate[]> {
  const dockers = await ctx.dockers();
  const silent = dockers.find((c) => c.silent);
  if (!silent) return dockers;
  const address = daemonAddress(silent, ctx.env);
  const how = (await acceptsConnections(address)) ? "accepted the connection but did not answer" : "did not answer";
  throw new EngineError(`the Docker daemon at ${address} ${how} within ${PROBE_TIMEOUT_MS / 1000} s (${silent.path} version)`, {
    hint: "the daemon is hung or something else listens there: check `docker info` and dockerd's log, restart dockerd (`systemctl restart docker`), or point DOCKER_HOST at a daemon that answers",
  });
}

/** Throws when the chosen client's daemon did not answer `docker version`. */
export function checkDaemon(c: DockerCandidate, env: NodeJS.ProcessEnv): void {
  if (c.serverVersion) return;
  throw new EngineError(`the Docker daemon at ${daemonAddress(c, env)} does not answer (${c.path}: ${c.daemonError ?? "no answer"})`, {
    hint: "start it (`systemctl start docker`, or `dockerd &` as root) and wait until `docker info` answers, or point DOCKER_HOST at a running daemon",
  });
}

/** Whether the daemon has its default bridge network (`dockerd --bridge=none` has none); never rejects (no answer: assume it has). */
export function probeBridgeNetwork(client: string, ctx: ProbeContext): Promise<boolean> {
  const r = capture(client, ["network", "inspect", "--format", "{{.Driver}}", "bridge"], { baseEnv: ctx.env, timeoutMs: 30_000, onDebug: ctx.onDebug });
  return r.then((res) => res.exitCode === 0 && res.stdout.trim() === "bridge").catch(() => true);
}

/** The first docker client this engine accepts, once its daemon answered, with the daemon's bridge network asked (answered in the background). */
export async function findDockerClient(
  ctx: ProbeContext,
  reject: (c: DockerCandidate) => string | undefined,
): Promise<{ client: DockerCandidate; dockers: DockerCandidate[]; bridgeNetwork: Promise<boolean> } | undefined> {
  const dockers = await answeringDockers(ctx);
  const client = dockers.find((d) => !reject(d));
  if (!client) return undefined;
  checkDaemon(client, ctx.env);
  return { client, dockers, bridgeNetwork: probeBridgeNetwork(client.path, ctx) };
}

/** The Docker daemon, for failure messages. */
export const dockerDaemon: EngineDaemon = {
  name: "the Docker daemon",
  address(engine: Engine): string {
    if (engine.env?.DOCKER_HOST) return engine.env.DOCKER_HOST;
    if (engine.env?.DOCKER_CONTEXT) return `the docker context ${engine.env.DOCKER_CONTEXT}`;
    return DEFAULT_DOCKER_HOST;
  },
  check: "`docker info`",
  pruneHint:
    "free disk space where the engine keeps its data: `docker builder prune` removes the build cache, `docker system prune` unused images, containers and networks; then run r2d again",
  async answers(engine: Engine): Promise<boolean> {
    const r = await capture(engine.client, ["version", "--format", "{{.Server.Version}}"], { env: { ...engine.env }, timeoutMs: ENGINE_ANSWER_TIMEOUT_MS });
    return r.exitCode === 0 && r.stdout.trim() !== "";
  },
};
