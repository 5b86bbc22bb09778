/**
 * Image operations through the docker client: push, load, inspect, tag, remove. Inspect and tag
 * ask the daemon's socket directly where the client would (no process to start).
 */
import { EngineError } from "../errors.js";
import { adapterOf } from "./adapters/index.js";
import { dockerApi, splitTag, type ApiAnswer } from "./docker-socket.js";
import { capture, formatCommand, isDaemonFailure, tail } from "./exec.js";
import type { Command, Engine, ImageHistoryEntry, ImageInfo } from "./types.js";

/** The docker client for run/push/load/inspect, or an EngineError saying there is none. */
export function dockerClientOf(engine: Engine): string {
  const client = engine.dockerClient ?? (adapterOf(engine.kind).clientIsDocker ? engine.client : undefined);
  if (!client) {
    throw new EngineError(`the ${engine.kind} engine (${engine.client}) has no docker client to run, load, push or inspect images`, {
      hint: "install a docker client or name one with --docker PATH (or R2D_DOCKER)",
    });
  }
  return client;
}

function dockerCommand(engine: Engine, args: string[]): Command {
  return { file: dockerClientOf(engine), args, env: { ...engine.env }, stdin: "none" };
}

export function pushCommand(engine: Engine, tag: string): Command {
  return dockerCommand(engine, ["push", tag]);
}

export function loadCommand(engine: Engine, tarball: string): Command {
  return dockerCommand(engine, ["load", "-i", tarball]);
}

/** `latest: digest: sha256:abc… size: 528` → `sha256:abc…`. */
export function parsePushDigest(output: string): string | undefined {
  return /digest: (sha256:[0-9a-f]{64})/.exec(output)?.[1];
}

/** `Loaded image ID: sha256:…` (untagged) or `Loaded image: name:tag` → what docker load said. */
export function parseLoadOutput(output: string): { imageId?: string; names: string[] } {
  const imageId = /Loaded image ID: (sha256:[0-9a-f]{64})/.exec(output)?.[1];
  const names = [...output.matchAll(/^Loaded image: (\S+)$/gm)].map((m) => m[1] ?? "").filter(Boolean);
  return { imageId, names };
}

function failure(what: string, cmd: Command, res: { exitCode?: number; stderr: string; stdout: string; spawnError?: string }, hint?: string): EngineError {
  const out = tail((res.stderr || res.stdout).trim(), 5);
  if (res.spawnError) {
    return new EngineError(`${what}: cannot run ${cmd.file} (${res.spawnError})`, { hint });
  }
  if (isDaemonFailure(out)) {
    return new EngineError(`${what}: the Docker daemon does not answer\n${out}`, {
      hint: "check that dockerd is running (`docker info`), or set DOCKER_HOST to a daemon that is",
    });
  }
  return new EngineError(`${what} (exit code ${res.exitCode ?? "?"}): ${formatCommand(cmd)}\n${out}`, { hint });
}

export async function pushImage(
  engine: Engine,
  tag: string,
  opts: { onDebug?: (message: string) => void } = {},
): Promise<{ digest?: string }> {
  const cmd = pushCommand(engine, tag);
  const res = await capture(cmd.file, cmd.args, { env: cmd.env, onDebug: opts.onDebug });
  if (res.exitCode !== 0) {
    throw failure(`pushing ${tag} failed`, cmd, res, "log in to the registry (`docker login REGISTRY`) and check the image name");
  }
  return { digest: parsePushDigest(res.stdout + res.stderr) };
}

export async function loadImage(
  engine: Engine,
  tarball: string,
  opts: { onDebug?: (message: string) => void } = {},
): Promise<{ imageId?: string; names: string[] }> {
  const cmd = loadCommand(engine, tarball);
  const res = await capture(cmd.file, cmd.args, { env: cmd.env, onDebug: opts.onDebug });
  if (res.exitCode !== 0) throw failure(`loading the built image from ${tarball} failed`, cmd, res);
  return parseLoadOutput(res.stdout + res.stderr);
}

const NOT_FOUND = /No such (image|object)/i;

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function record(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v === "object" && v !== null) {
    for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  }
  return out;
}

/** Parse one object of `docker image inspect --format '{{json .}}'`. */
export function parseInspect(json: string): ImageInfo {
  const o = JSON.parse(json) as Record<string, unknown>;
  const config = (typeof o.Config === "object" && o.Config !== null ? o.Config : {}) as Record<string, unknown>;
  return {
    id: typeof o.Id === "string" ? o.Id : "",
    size: typeof o.Size === "number" ? o.Size : 0,
    labels: record(config.Labels),
    user: typeof config.User === "string" ? config.User : "",
    env: strings(config.Env),
    workdir: typeof config.WorkingDir === "string" ? config.WorkingDir : "",
    cmd: Array.isArray(config.Cmd) ? strings(config.Cmd) : null,
    entrypoint: Array.isArray(config.Entrypoint) ? strings(config.Entrypoint) : null,
    repoTags: strings(o.RepoTags),
    repoDigests: strings(o.RepoDigests),
    created: typeof o.Created === "string" ? o.Created : undefined,
  };
}

/** Parse `docker history --no-trunc --human=false --format '{{json .}}'` (one object per line, newest first). */
export function parseHistory(text: string): ImageHistoryEntry[] {
  const out: ImageHistoryEntry[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim().startsWith("{")) continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    const size = typeof o.Size === "number" ? o.Size : Number(o.Size);
    out.push({
      createdBy: typeof o.CreatedBy === "string" ? o.CreatedBy : "",
      size: Number.isFinite(size) ? size : 0,
      comment: typeof o.Comment === "string" ? o.Comment : "",
      created: typeof o.CreatedAt === "string" ? o.CreatedAt : undefined,
    });
  }
  return out;
}

/** The image's ID, size, labels, user, ...; null when there is no such image. */
export async function inspectImage(
  engine: Engine,
  ref: string,
  opts: { history?: boolean; onDebug?: (message: string) => void } = {},
): Promise<ImageInfo | null> {
  if (!opts.history) {
    const answer = await viaSocket(engine, "GET", `/images/${encodeURIComponent(ref)}/json`, opts.onDebug);
    if (answer?.status === 200) return parseInspect(answer.body);
    if (answer?.status === 404) return null;
  }
  const cmd = dockerCommand(engine, ["image", "inspect", "--format", "{{json .}}", ref]);
  const res = await capture(cmd.file, cmd.args, { env: cmd.env, onDebug: opts.onDebug });
  if (res.exitCode !== 0) {
    if (!res.spawnError && NOT_FOUND.test(res.stderr) && !isDaemonFailure(res.stderr)) return null;
    throw failure(`inspecting ${ref} failed`, cmd, res);
  }
  const info = parseInspect(res.stdout.trim().split("\n")[0] ?? "{}");
  if (opts.history) {
    const h = dockerCommand(engine, ["history", "--no-trunc", "--human=false", "--format", "{{json .}}", ref]);
    const hres = await capture(h.file, h.args, { env: h.env, onDebug: opts.onDebug });
    if (hres.exitCode !== 0) throw failure(`reading the history of ${ref} failed`, h, hres);
    info.history = parseHistory(hres.stdout);
  }
  return info;
}

/** A request to the daemon's socket where the client would use it directly; undefined: ask the client. */
async function viaSocket(engine: Engine, method: "GET" | "POST", urlPath: string, onDebug?: (message: string) => void): Promise<ApiAnswer | undefined> {
  const socket = engine.apiSocket;
  if (!socket) return undefined;
  try {
    const answer = await dockerApi(socket, method, urlPath);
    onDebug?.(`api: ${method} ${urlPath} at ${socket}: ${answer.status}`);
    return answer;
  } catch (err) {
    onDebug?.(`api: ${method} ${urlPath} at ${socket} failed (${(err as Error).message}); asking the docker client`);
    return undefined;
  }
}

export function tagCommand(engine: Engine, image: string, tag: string): Command {
  return dockerCommand(engine, ["tag", image, tag]);
}

/** `docker tag IMAGE TAG`: names a built image once its build succeeded. */
export async function tagImage(engine: Engine, image: string, tag: string, opts: { onDebug?: (message: string) => void } = {}): Promise<void> {
  const { repo, tag: name } = splitTag(tag);
  const answer = await viaSocket(engine, "POST", `/images/${encodeURIComponent(image)}/tag?${new URLSearchParams({ repo, tag: name }).toString()}`, opts.onDebug);
  if (answer?.status === 201) return;
  // Anything else: the client says it in its own words (or does what the socket could not).
  const cmd = tagCommand(engine, image, tag);
  const res = await capture(cmd.file, cmd.args, { env: cmd.env, onDebug: opts.onDebug });
  if (res.exitCode !== 0) throw failure(`tagging the built image ${image} as ${tag} failed`, cmd, res);
}

/**
 * Removes an image an aborted build made, if nothing names it: an image with a tag (the same
 * build cached, under the user's name) or one a container uses is left alone.
 */
export async function discardUntaggedImage(engine: Engine, id: string, opts: { onDebug?: (message: string) => void } = {}): Promise<boolean> {
  const info = await inspectImage(engine, id, { onDebug: opts.onDebug });
  if (!info || info.repoTags.length > 0) return false;
  const cmd = dockerCommand(engine, ["image", "rm", id]);
  const res = await capture(cmd.file, cmd.args, { env: cmd.env, timeoutMs: 30_000, onDebug: opts.onDebug });
  return res.exitCode === 0;
}

/** Remove an image (a missing image is not an error). */
export async function removeImage(
  engine: Engine,
  ref: string,
  opts: { force?: boolean; onDebug?: (message: string) => void } = {},
): Promise<void> {
  const cmd = dockerCommand(engine, ["image", "rm", ...(opts.force ? ["--force"] : []), ref]);
  const res = await capture(cmd.file, cmd.args, { env: cmd.env, onDebug: opts.onDebug });
  if (res.exitCode === 0) return;
  if (!res.spawnError && /No such image/i.test(res.stderr)) return;
  throw failure(`removing ${ref} failed`, cmd, res);
}
