/**
 * Find a BuildKit-capable build client, once per set of options.
 *
 * Preference: a docker client with the buildx plugin → "buildx"; else a docker
 * client older than 23 → "docker" (classic `docker build` with DOCKER_BUILDKIT=1);
 * else buildctl with BUILDKIT_HOST → "buildctl". A Docker 23+ client without buildx
 * cannot be used: with DOCKER_BUILDKIT=1 it refuses to build, without it it falls
 * back to the deprecated legacy builder.
 */
import { access, constants, realpath, stat } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import semver from "semver";
import { EngineError } from "../errors.js";
import { ENGINE_ANSWER_TIMEOUT_MS } from "./build-failure.js";
import { capture } from "./exec.js";
import type { Engine, EngineKind, ProbeOptions } from "./types.js";

/** A daemon answers `docker version` in milliseconds; one that takes longer is hung (or not a daemon). */
const PROBE_TIMEOUT_MS = ENGINE_ANSWER_TIMEOUT_MS;
const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
const WELL_KNOWN_DOCKERS = ["/usr/bin/docker"];
/** Variables that choose or configure the daemon a client talks to. */
const ENGINE_ENV_KEYS = [
  "DOCKER_HOST",
  "DOCKER_CONTEXT",
  "DOCKER_CONFIG",
  "DOCKER_TLS_VERIFY",
  "DOCKER_CERT_PATH",
  "DOCKER_API_VERSION",
  "BUILDX_BUILDER",
];

interface DockerCandidate {
  path: string;
  version?: string;
  serverVersion?: string;
  /** Why the daemon did not answer `docker version` (first line of stderr). */
  daemonError?: string;
  buildxVersion?: string;
  buildxError?: string;
  /** Why this candidate could not even be asked (missing, not executable, not docker). */
  unusable?: string;
  /** `docker version` got no answer in time: the daemon took the connection and said nothing. */
  silent?: boolean;
}

interface BuildctlCandidate {
  path?: string;
  version?: string;
  unusable?: string;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every executable `name` on PATH, in order (like `which -a`). */
export async function whichAll(name: string, pathEnv: string | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const dir of (pathEnv ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const file = path.resolve(dir, name);
    if (await isExecutableFile(file)) out.push(file);
  }
  return out;
}

/** A name is looked up on PATH; a path (with a slash) is taken as is. */
async function resolveBinary(nameOrPath: string, pathEnv: string | undefined): Promise<string | undefined> {
  if (nameOrPath.includes("/")) {
    const file = path.resolve(nameOrPath);
    return (await isExecutableFile(file)) ? file : undefined;
  }
  return (await whichAll(nameOrPath, pathEnv))[0];
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0]?.trim() ?? "";
}

function isBefore23(version: string | undefined): boolean {
  const v = version ? semver.coerce(version) : null;
  return v !== null && semver.lt(v, "23.0.0");
}

async function probeDocker(file: string, env: NodeJS.ProcessEnv, onDebug?: (m: string) => void): Promise<DockerCandidate> {
  if (!(await isExecutableFile(file))) return { path: file, unusable: "not present" };
  // Both questions at once: each docker process costs tens of milliseconds (more on a busy machine),
  // and the probe runs on every build. The buildx answer is ignored when the binary is not docker.
  const [res, bx] = await Promise.all([
    capture(file, ["version", "--format", "{{json .}}"], { baseEnv: env, timeoutMs: PROBE_TIMEOUT_MS, onDebug }),
    capture(file, ["buildx", "version"], { baseEnv: env, timeoutMs: PROBE_TIMEOUT_MS, onDebug }),
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
  const bxVersion = /\bv?(\d+\.\d+\.\d+[^\s]*)/.exec(bx.stdout)?.[1];
  if (bx.exitCode === 0 && bxVersion) cand.buildxVersion = bxVersion;
  else cand.buildxError = firstLine(bx.stderr || bx.stdout) || `exit code ${bx.exitCode ?? "?"}`;
  return cand;
}

async function probeBuildctl(name: string, env: NodeJS.ProcessEnv, onDebug?: (m: string) => void): Promise<BuildctlCandidate> {
  const file = await resolveBinary(name, env.PATH);
  if (!file) return { unusable: name.includes("/") ? `${name} is not present` : "not found on PATH" };
  const res = await capture(file, ["--version"], { baseEnv: env, timeoutMs: PROBE_TIMEOUT_MS, onDebug });
  if (res.spawnError) return { path: file, unusable: `cannot be run (${res.spawnError})` };
  // `buildctl github.com/moby/buildkit v0.13.2 6cf2a3b...`
  const version = /\bv?(\d+\.\d+\.\d+[^\s]*)/.exec(res.stdout)?.[1];
  if (res.exitCode !== 0 || !version) {
    return { path: file, unusable: `does not look like buildctl (\`buildctl --version\` said: ${firstLine(res.stderr || res.stdout) || "nothing"})` };
  }
  return { path: file, version };
}

/** Why a docker candidate cannot serve as the given kind (undefined: it can). */
function dockerRejection(c: DockerCandidate, kind: "buildx" | "docker" | "any"): string | undefined {
  if (c.unusable) return c.unusable;
  const v = `Docker ${c.version} client`;
  if (kind === "buildx") return c.buildxVersion ? undefined : `${v} without the buildx plugin (\`docker buildx version\`: ${c.buildxError})`;
  if (kind === "docker") {
    return isBefore23(c.version)
      ? undefined
      : `${v} is 23 or newer: its classic \`docker build\` no longer builds with BuildKit (DOCKER_BUILDKIT=1 is refused without buildx)`;
  }
  if (c.buildxVersion || isBefore23(c.version)) return undefined;
  return `${v} without the buildx plugin: Docker 23+ refuses DOCKER_BUILDKIT=1 builds without buildx and otherwise falls back to the legacy builder`;
}

function engineEnv(env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const k of ENGINE_ENV_KEYS) {
    const v = env[k];
    if (v !== undefined && v !== "") out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function installAdvice(): string {
  return [
    "Install one of:",
    "  - the buildx plugin for your docker client (Docker's docker-buildx-plugin package, or Debian's docker-buildx where the release has it)",
    "  - a Docker client older than 23, which builds with BuildKit through DOCKER_BUILDKIT=1 (e.g. Debian bookworm's docker.io, /usr/bin/docker 20.10)",
    "  - buildctl, BuildKit's own client, with BUILDKIT_HOST set to a running buildkitd",
  ].join("\n");
}

const NAME_HINT = "name the docker client to use with --docker /usr/bin/docker (or R2D_DOCKER=/usr/bin/docker), or pick an engine with --engine buildx|docker|buildctl";

function candidateList(dockers: DockerCandidate[], buildctl: BuildctlCandidate, buildkitHost: string | undefined, kind: "buildx" | "docker" | "any"): string {
  const lines = dockers.map((c) => `  - ${c.path}: ${dockerRejection(c, kind) ?? "usable"}`);
  if (kind === "any") {
    const why = buildctl.unusable ?? (buildkitHost ? "usable" : `${buildctl.version}, but BUILDKIT_HOST is not set`);
    lines.push(`  - buildctl${buildctl.path ? ` (${buildctl.path})` : ""}: ${why}`);
  }
  return lines.join("\n");
}

function daemonAddress(c: DockerCandidate, env: NodeJS.ProcessEnv): string {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  const said = /daemon at (\S+?)\.?\s+Is the docker daemon running/i.exec(c.daemonError ?? "")?.[1];
  return said ?? DEFAULT_DOCKER_HOST;
}

/** Whether something accepts connections at a unix:// or tcp:// address (within a second). */
async function acceptsConnections(address: string): Promise<boolean> {
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

/** The daemon took the connection and never answered (hung, or something else listens there). */
async function silentDaemonError(c: DockerCandidate, env: NodeJS.ProcessEnv): Promise<EngineError> {
  const address = daemonAddress(c, env);
  const how = (await acceptsConnections(address)) ? "accepted the connection but did not answer" : "did not answer";
  return new EngineError(`the Docker daemon at ${address} ${how} within ${PROBE_TIMEOUT_MS / 1000} s (${c.path} version)`, {
    hint: "the daemon is hung or something else listens there: check `docker info` and dockerd's log, restart dockerd (`systemctl restart docker`), or point DOCKER_HOST at a daemon that answers",
  });
}

function checkDaemon(c: DockerCandidate, env: NodeJS.ProcessEnv): void {
  if (c.serverVersion) return;
  throw new EngineError(`the Docker daemon at ${daemonAddress(c, env)} does not answer (${c.path}: ${c.daemonError ?? "no answer"})`, {
    hint: "start it (`systemctl start docker`, or `dockerd &` as root) and wait until `docker info` answers, or point DOCKER_HOST at a running daemon",
  });
}

async function checkBuildkitd(file: string, host: string | undefined, env: NodeJS.ProcessEnv, onDebug?: (m: string) => void): Promise<void> {
  const args = [...(host ? ["--addr", host] : []), "debug", "workers"];
  const res = await capture(file, args, { baseEnv: env, timeoutMs: PROBE_TIMEOUT_MS, onDebug });
  if (res.exitCode === 0) return;
  const why = res.timedOut ? `it accepted the connection but did not answer within ${PROBE_TIMEOUT_MS / 1000} s` : firstLine(res.stderr || res.stdout) || "no answer";
  throw new EngineError(`buildkitd at ${host ?? "buildctl's default address"} does not answer (${why})`, {
    hint: "start buildkitd, or set BUILDKIT_HOST to the address of a running one",
  });
}

function skippedNote(dockers: DockerCandidate[], chosen: string | undefined, kind: "buildx" | "docker" | "any"): string {
  const skipped = dockers.filter((c) => c.path !== chosen && !c.unusable && dockerRejection(c, kind) !== undefined);
  if (skipped.length === 0) return "";
  return ` (skipped ${skipped.map((c) => `${c.path}: Docker ${c.version}, no buildx plugin`).join("; ")})`;
}

async function doProbe(opts: ProbeOptions): Promise<Engine> {
  const env = opts.env ?? process.env;
  const onDebug = opts.onDebug;
  const named = opts.docker ?? (env.R2D_DOCKER || undefined);

  let dockerPaths: string[];
  if (named) {
    const file = await resolveBinary(named, env.PATH);
    if (!file) {
      throw new EngineError(`the docker client named by ${opts.docker ? "--docker" : "R2D_DOCKER"} (${named}) was not found or is not executable`, {
        hint: "give the path of a docker binary, e.g. --docker /usr/bin/docker",
      });
    }
    dockerPaths = [file];
  } else {
    dockerPaths = [...(await whichAll("docker", env.PATH)), ...(opts.wellKnownDockers ?? WELL_KNOWN_DOCKERS)];
  }
  // The same binary reached twice (/bin → /usr/bin) is looked at once.
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const p of dockerPaths) {
    const real = await realpath(p).catch(() => p);
    if (seen.has(real)) continue;
    seen.add(real);
    unique.push(p);
  }

  const dockers = await Promise.all(unique.map((p) => probeDocker(p, env, onDebug)));
  const silent = dockers.find((c) => c.silent);
  // Every docker client talks to the same daemon: a silent one is the answer, not a client to skip.
  if (silent && opts.engine !== "buildctl") throw await silentDaemonError(silent, env);
  const buildkitHost = env.BUILDKIT_HOST || undefined;
  const wantBuildctl = opts.engine === "buildctl" || opts.engine === undefined;
  const buildctl: BuildctlCandidate = wantBuildctl ? await probeBuildctl(opts.buildctl ?? "buildctl", env, onDebug) : { unusable: "not looked at" };
  const runnableDocker = dockers.find((c) => !c.unusable);
  const baseEnv = engineEnv(env);

  const buildxEngine = (c: DockerCandidate, forced: boolean): Engine => {
    checkDaemon(c, env);
    return {
      kind: "buildx",
      client: c.path,
      version: c.version ?? "",
      buildxVersion: c.buildxVersion,
      serverVersion: c.serverVersion,
      env: baseEnv,
      reason: `${forced ? "--engine buildx: " : ""}${c.path} (Docker ${c.version}) has the buildx plugin ${c.buildxVersion}${skippedNote(dockers, c.path, "any")}`,
    };
  };
  const dockerEngine = (c: DockerCandidate, forced: boolean): Engine => {
    checkDaemon(c, env);
    return {
      kind: "docker",
      client: c.path,
      version: c.version ?? "",
      serverVersion: c.serverVersion,
      env: baseEnv,
      reason: `${forced ? "--engine docker: " : ""}${c.path} is Docker ${c.version} (older than 23), which builds with BuildKit through DOCKER_BUILDKIT=1${
        forced ? "" : "; no docker client with the buildx plugin was found"
      }${skippedNote(dockers, c.path, "any")}`,
    };
  };
  const buildctlEngine = async (forced: boolean): Promise<Engine> => {
    const file = buildctl.path as string;
    await checkBuildkitd(file, buildkitHost, env, onDebug);
    return {
      kind: "buildctl",
      client: file,
      dockerClient: runnableDocker?.path,
      version: buildctl.version ?? "",
      buildkitHost,
      env: baseEnv,
      reason: `${forced ? "--engine buildctl: " : ""}${file} ${buildctl.version} talks to buildkitd at ${buildkitHost ?? "its default address"}${
        forced ? "" : "; no docker client can build with BuildKit"
      }${skippedNote(dockers, undefined, "any")}`,
    };
  };

  const forced: EngineKind | undefined = opts.engine;
  if (forced === "buildx") {
    const c = dockers.find((d) => !dockerRejection(d, "buildx"));
    if (c) return buildxEngine(c, true);
    throw new EngineError(`--engine buildx: no docker client with the buildx plugin was found. Looked at:\n${candidateList(dockers, buildctl, buildkitHost, "buildx")}`, {
      hint: `install the buildx plugin (Docker's docker-buildx-plugin, or Debian's docker-buildx where the release has it); ${NAME_HINT}`,
    });
  }
  if (forced === "docker") {
    const c = dockers.find((d) => !dockerRejection(d, "docker"));
    if (c) return dockerEngine(c, true);
    throw new EngineError(`--engine docker: no docker client older than 23 was found. Looked at:\n${candidateList(dockers, buildctl, buildkitHost, "docker")}`, {
      hint: `install a Docker client older than 23 (e.g. Debian bookworm's docker.io), or use --engine buildx; ${NAME_HINT}`,
    });
  }
  if (forced === "buildctl") {
    if (buildctl.path && !buildctl.unusable) return buildctlEngine(true);
    throw new EngineError(`--engine buildctl: buildctl ${buildctl.path ? `(${buildctl.path}) ` : ""}${buildctl.unusable ?? "is not usable"}`, {
      hint: "install buildctl (BuildKit's client), name it with --buildctl PATH, and set BUILDKIT_HOST to a running buildkitd",
    });
  }

  const withBuildx = dockers.find((d) => !d.unusable && d.buildxVersion);
  if (withBuildx) return buildxEngine(withBuildx, false);
  const classic = dockers.find((d) => !d.unusable && isBefore23(d.version));
  if (classic) return dockerEngine(classic, false);
  if (buildctl.path && !buildctl.unusable && buildkitHost) return buildctlEngine(false);

  throw new EngineError(
    `no BuildKit-capable build client was found. Looked at:\n${candidateList(dockers, buildctl, buildkitHost, "any")}\n${installAdvice()}`,
    { hint: NAME_HINT },
  );
}

const cache = new Map<string, Promise<Engine>>();

function cacheKey(opts: ProbeOptions): string {
  const env = opts.env ?? process.env;
  const envKeys = ["PATH", "R2D_DOCKER", "BUILDKIT_HOST", ...ENGINE_ENV_KEYS];
  return JSON.stringify({
    engine: opts.engine,
    docker: opts.docker,
    buildctl: opts.buildctl,
    wellKnown: opts.wellKnownDockers,
    env: envKeys.map((k) => env[k] ?? null),
  });
}

/**
 * Find the engine to build with; probed once per set of options (a failed probe
 * is forgotten, so a daemon started meanwhile is found on the next call).
 */
export function probeEngine(opts: ProbeOptions = {}): Promise<Engine> {
  const key = cacheKey(opts);
  let p = cache.get(key);
  if (!p) {
    p = doProbe(opts);
    cache.set(key, p);
    p.catch(() => {
      if (cache.get(key) === p) cache.delete(key);
    });
  }
  return p;
}

/** Forget every cached probe (tests; a long-running process that changed its setup). */
export function clearProbeCache(): void {
  cache.clear();
}
