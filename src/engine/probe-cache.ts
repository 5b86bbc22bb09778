/**
 * The engine probe's answer kept between runs: asking each docker client for its version and its
 * buildx plugin, and the daemon for its bridge network, starts three to five processes on every
 * build. The answer is kept in a private folder (the CLI uses `$XDG_CACHE_HOME/r2d/`) and used
 * again only while nothing it depended on changed:
 *
 * - the key: the probe's options, the variables that choose a client or a daemon (PATH,
 *   R2D_DOCKER, BUILDKIT_HOST, DOCKER_HOST, DOCKER_CONTEXT, DOCKER_CONFIG, ...), the user, r2d's version;
 * - the fingerprint, re-read on every run (a few `stat`s, no process): every docker client the
 *   probe would look at and buildctl (path, inode, size, times), the buildx plugin folders and
 *   binaries, docker's config.json and the current context's meta file, and the daemon's unix
 *   socket (a restarted daemon makes a new one);
 * - the daemon must accept a connection (unix or tcp address), else the full probe runs and says why.
 *
 * The file is ignored when it is not a regular file owned by this user and private, is too big,
 * or does not parse into what r2d wrote; it is written to a temporary name and renamed into place.
 */
import { createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, mkdir, open, readdir, readFile, realpath, rename, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { R2D_VERSION } from "../plan/version.js";
import { engineOf, isEngineKind } from "./adapters/index.js";
import { acceptsConnections, dockerClientPaths } from "./adapters/docker-client.js";
import { resolveBinary } from "./adapters/support.js";
import type { Engine, EngineFields, ProbeOptions } from "./types.js";

export { r2dCacheDir } from "../cache-dir.js";

const FORMAT = 1;
const MAX_BYTES = 64 * 1024;
/** Kept answers beyond this many (one per set of options and environment) are removed, oldest first. */
const MAX_KEPT = 16;
const PLUGIN_DIRS = ["/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins", "/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins"];
/** Variables whose value is part of the key (those that change which client or daemon the probe finds). */
export const KEY_ENV = ["PATH", "HOME", "R2D_DOCKER", "BUILDKIT_HOST", "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_API_VERSION", "BUILDX_BUILDER"];

/** One file's identity: a replaced or rewritten file (or socket) reads differently. */
async function identity(file: string): Promise<string> {
  try {
    const st = await stat(file);
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.mode}`;
  } catch (err) {
    return `-${(err as NodeJS.ErrnoException).code ?? "error"}`;
  }
}

/** docker's config folder, as the client finds it: DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), ".docker");
}

/** The context docker would use: DOCKER_CONTEXT, else config.json's currentContext (undefined: the default one). */
async function currentContext(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.DOCKER_CONTEXT) return env.DOCKER_CONTEXT === "default" ? undefined : env.DOCKER_CONTEXT;
  try {
    const text = await readFile(path.join(dockerConfigDir(env), "config.json"), "utf8");
    const name = (JSON.parse(text) as { currentContext?: unknown }).currentContext;
    return typeof name === "string" && name !== "" && name !== "default" ? name : undefined;
  } catch {
    return undefined;
  }
}

function contextMetaFile(env: NodeJS.ProcessEnv, name: string): string {
  return path.join(dockerConfigDir(env), "contexts", "meta", createHash("sha256").update(name).digest("hex"), "meta.json");
}

/** The docker daemon's address (DOCKER_HOST, the current context's endpoint, or the default socket); undefined when unknown. */
async function dockerAddress(env: NodeJS.ProcessEnv, context: string | undefined): Promise<string | undefined> {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  if (!context) return "unix:///var/run/docker.sock";
  try {
    const meta = JSON.parse(await readFile(contextMetaFile(env, context), "utf8")) as { Endpoints?: { docker?: { Host?: unknown } } };
    const host = meta.Endpoints?.docker?.Host;
    return typeof host === "string" ? host : undefined;
  } catch {
    return undefined;
  }
}

const socketPath = (address: string | undefined): string | undefined => /^unix:\/\/(.+)$/.exec(address ?? "")?.[1];

/** The docker clients the probe would look at, each with the file it resolves to. */
async function dockerPaths(opts: ProbeOptions, env: NodeJS.ProcessEnv): Promise<{ path: string; real: string }[]> {
  const paths = await dockerClientPaths(opts, env).catch(() => [] as string[]);
  return Promise.all(paths.map(async (p) => ({ path: p, real: await realpath(p).catch(() => p) })));
}

interface Fingerprint {
  text: string;
  /** Addresses that must accept a connection for the kept answer to be used. */
  addresses: string[];
}

/** What the kept answer depended on, read again now: a few stats and two small files, no process. */
async function fingerprint(opts: ProbeOptions, env: NodeJS.ProcessEnv): Promise<Fingerprint> {
  const config = dockerConfigDir(env);
  const context = await currentContext(env);
  const docker = await dockerAddress(env, context);
  const dockers = await dockerPaths(opts, env);
  const files = [
    ...dockers.map((d) => d.real),
    (await resolveBinary(opts.buildctl ?? "buildctl", env.PATH)) ?? "/nonexistent/buildctl",
    path.join(config, "config.json"),
    ...(context ? [contextMetaFile(env, context)] : []),
    ...[path.join(config, "cli-plugins"), ...PLUGIN_DIRS].flatMap((d) => [d, path.join(d, "docker-buildx")]),
    ...[socketPath(docker), socketPath(env.BUILDKIT_HOST)].filter((s): s is string => Boolean(s)),
  ];
  const ids = await Promise.all(files.map(async (f) => `${f}@${await identity(f)}`));
  const addresses = [docker, env.BUILDKIT_HOST].filter((a): a is string => Boolean(a) && /^(unix|tcp):\/\//.test(a!));
  const lines = [`daemon=${docker ?? "?"}`, `context=${context ?? ""}`, ...dockers.map((d) => `client ${d.path} -> ${d.real}`), ...ids];
  return { text: lines.join("\n"), addresses };
}

/** The key: what the probe was asked, in which environment, by whom, with which r2d. */
function probeKey(opts: ProbeOptions, env: NodeJS.ProcessEnv): string {
  return JSON.stringify({
    format: FORMAT,
    r2d: R2D_VERSION,
    uid: process.getuid?.() ?? null,
    engine: opts.engine ?? null,
    docker: opts.docker ?? null,
    buildctl: opts.buildctl ?? null,
    wellKnown: opts.wellKnownDockers ?? null,
    env: KEY_ENV.map((k) => env[k] ?? null),
  });
}

interface KeptAnswer {
  format: number;
  key: string;
  fingerprint: string;
  kind: string;
  fields: EngineFields;
  bridgeNetwork: boolean;
}

function entryFile(dir: string, key: string): string {
  return path.join(dir, `engine-probe-${createHash("sha256").update(key).digest("hex").slice(0, 24)}.json`);
}

/** Throws unless `dir` is a real folder owned by this user that no one else can write to. */
async function checkPrivateDir(dir: string): Promise<void> {
  const st = await lstat(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory()) throw new Error(`${dir} is not a folder`);
  if (uid !== undefined && st.uid !== uid) throw new Error(`${dir} belongs to uid ${st.uid}`);
  if (st.mode & 0o022) throw new Error(`${dir} is writable by others`);
}

/** The kept file's text, if it is a private regular file of this user (never through a link). */
async function readPrivate(file: string): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = await handle.stat();
    const uid = process.getuid?.();
    if (!st.isFile()) throw new Error("not a regular file");
    if (uid !== undefined && st.uid !== uid) throw new Error(`owned by uid ${st.uid}`);
    if (st.mode & 0o077) throw new Error("readable or writable by others");
    if (st.size > MAX_BYTES) throw new Error("too big");
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}

function isFields(v: unknown): v is EngineFields {
  if (typeof v !== "object" || v === null) return false;
  const f = v as Record<string, unknown>;
  const optionalString = (k: string) => f[k] === undefined || typeof f[k] === "string";
  const envOk = f.env === undefined || (typeof f.env === "object" && f.env !== null && Object.values(f.env).every((x) => typeof x === "string"));
  return typeof f.client === "string" && path.isAbsolute(f.client) && typeof f.version === "string" && typeof f.reason === "string" && envOk && ["dockerClient", "buildxVersion", "serverVersion", "buildkitHost"].every(optionalString);
}

export type CacheLookup = { engine: Engine; file: string } | { engine?: undefined; why: string };

/** The kept answer for this probe, when everything it depended on is unchanged and the daemon answers. */
export async function readKeptProbe(dir: string, opts: ProbeOptions, env: NodeJS.ProcessEnv): Promise<CacheLookup> {
  const key = probeKey(opts, env);
  const file = entryFile(dir, key);
  let kept: KeptAnswer;
  try {
    await checkPrivateDir(dir);
    kept = JSON.parse(await readPrivate(file)) as KeptAnswer;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { why: code === "ENOENT" ? "nothing kept yet" : `kept answer not used (${(err as Error).message})` };
  }
  if (kept.format !== FORMAT || kept.key !== key || !isEngineKind(kept.kind) || !isFields(kept.fields) || typeof kept.bridgeNetwork !== "boolean") {
    return { why: "kept answer not used (not what r2d writes)" };
  }
  const now = await fingerprint(opts, env);
  if (kept.fingerprint !== now.text) return { why: "a client, plugin, docker config or daemon socket changed since it was kept" };
  for (const address of now.addresses) {
    if (!(await acceptsConnections(address))) return { why: `nothing accepts connections at ${address}` };
  }
  return { engine: engineOf(kept.kind, kept.fields, { bridgeNetwork: kept.bridgeNetwork }), file };
}

/** Keeps a successful probe's answer (with its bridge network answer); a failure to write is only reported. */
export async function keepProbe(dir: string, opts: ProbeOptions, env: NodeJS.ProcessEnv, engine: Engine): Promise<string> {
  const key = probeKey(opts, env);
  const { kind, capabilities, ...fields } = engine;
  const answer: KeptAnswer = { format: FORMAT, key, fingerprint: (await fingerprint(opts, env)).text, kind, fields, bridgeNetwork: await capabilities.bridgeNetwork };
  await mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
  await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
  await checkPrivateDir(dir);
  const file = entryFile(dir, key);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(answer)}\n`);
  } finally {
    await handle.close();
  }
  await rename(tmp, file).catch(async (err: unknown) => {
    await rm(tmp, { force: true });
    throw err;
  });
  await pruneKept(dir);
  return file;
}

/** Removes all but the newest MAX_KEPT answers (test runs and changing setups leave old ones). */
async function pruneKept(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => /^engine-probe-[0-9a-f]+\.json$/.test(n));
  if (names.length <= MAX_KEPT) return;
  const aged = await Promise.all(names.map(async (n) => ({ n, t: (await lstat(path.join(dir, n)).catch(() => null))?.mtimeMs ?? 0 })));
  aged.sort((a, b) => b.t - a.t);
  await Promise.all(aged.slice(MAX_KEPT).map((a) => rm(path.join(dir, a.n), { force: true })));
}
