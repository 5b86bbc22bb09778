/**
 * Find a BuildKit-capable build client, once per set of options. The adapters (adapters/) are
 * asked in the registry's order of preference — a docker client with the buildx plugin, else a
 * docker client older than 23, else buildctl with BUILDKIT_HOST — and `--engine` asks only the one
 * it names. A Docker 23+ client without buildx cannot be used: with DOCKER_BUILDKIT=1 it refuses
 * to build, without it it falls back to the deprecated legacy builder.
 */
import { EngineError } from "../errors.js";
import { ENGINE_ADAPTERS, ENGINE_KINDS, adapterOf, isEngineKind } from "./adapters/index.js";
import { dockerCandidateLines, findDockerClients, noDockerEngineFor, type DockerCandidate } from "./adapters/docker-client.js";
import type { ProbeContext } from "./adapters/types.js";
import { keepProbe, readKeptProbe } from "./probe-cache.js";
import type { Engine, ProbeOptions } from "./types.js";

export { whichAll } from "./adapters/support.js";

/** Variables that choose or configure the daemon a client talks to. */
const ENGINE_ENV_KEYS = ["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_API_VERSION", "BUILDX_BUILDER"];

function engineEnv(env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const k of ENGINE_ENV_KEYS) {
    const v = env[k];
    if (v !== undefined && v !== "") out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Why no engine can build with this docker client (undefined: one can). */
function dockerRejection(c: DockerCandidate): string | undefined {
  if (c.unusable) return c.unusable;
  const usable = ENGINE_ADAPTERS.some((a) => a.clientIsDocker && a.rejectDocker?.(c) === undefined);
  return usable ? undefined : noDockerEngineFor(c);
}

function skippedNote(dockers: DockerCandidate[], chosen: string | undefined): string {
  const skipped = dockers.filter((c) => c.path !== chosen && !c.unusable && dockerRejection(c) !== undefined);
  if (skipped.length === 0) return "";
  return ` (skipped ${skipped.map((c) => `${c.path}: Docker ${c.version}, no buildx plugin`).join("; ")})`;
}

function probeContext(options: ProbeOptions): ProbeContext {
  const env = options.env ?? process.env;
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    let p = memo.get(key) as Promise<T> | undefined;
    if (!p) memo.set(key, (p = fn()));
    return p;
  };
  return {
    options,
    env,
    onDebug: options.onDebug,
    engineEnv: engineEnv(env),
    dockers: () => once("docker", () => findDockerClients(options, env, options.onDebug)),
    skippedNote,
    nameHint: `name the docker client to use with --docker /usr/bin/docker (or R2D_DOCKER=/usr/bin/docker), or pick an engine with --engine ${ENGINE_KINDS.join("|")}`,
    once,
  };
}

async function noEngineError(ctx: ProbeContext): Promise<EngineError> {
  const lines = dockerCandidateLines(await ctx.dockers(), dockerRejection);
  for (const adapter of ENGINE_ADAPTERS) lines.push(...(await adapter.candidateLines(ctx)));
  const advice = ["Install one of:", ...ENGINE_ADAPTERS.map((a) => `  - ${a.installAdvice}`)].join("\n");
  return new EngineError(`no BuildKit-capable build client was found. Looked at:\n${lines.join("\n")}\n${advice}`, { hint: ctx.nameHint });
}

async function doProbe(opts: ProbeOptions): Promise<Engine> {
  const ctx = probeContext(opts);
  if (opts.engine !== undefined && isEngineKind(opts.engine)) {
    const adapter = adapterOf(opts.engine);
    const engine = await adapter.find(ctx, true);
    if (engine) return engine;
    throw await adapter.notFound(ctx);
  }
  for (const adapter of ENGINE_ADAPTERS) {
    const engine = await adapter.find(ctx, false);
    if (engine) return engine;
  }
  throw await noEngineError(ctx);
}

/** The answer kept by an earlier run when it still holds (probe-cache.ts), else a probe whose answer is kept. */
async function probeWithKept(opts: ProbeOptions, dir: string): Promise<Engine> {
  const env = opts.env ?? process.env;
  const kept = await readKeptProbe(dir, opts, env).catch((err: unknown) => ({ engine: undefined, why: `kept answer not used (${(err as Error).message})` }));
  if (kept.engine) {
    opts.onDebug?.(`engine probe: the answer kept in ${kept.file} (clients, plugins, docker config and daemon socket unchanged, the daemon answers)`);
    return kept.engine;
  }
  opts.onDebug?.(`engine probe: ${kept.why}: asking the clients`);
  const engine = await doProbe(opts);
  keepProbe(dir, opts, env, engine).then(
    (file) => opts.onDebug?.(`engine probe: answer kept in ${file}`),
    (err: unknown) => opts.onDebug?.(`engine probe: the answer could not be kept (${(err as Error).message})`),
  );
  return engine;
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
    p = opts.cacheDir ? probeWithKept(opts, opts.cacheDir) : doProbe(opts);
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
