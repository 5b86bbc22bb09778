/**
 * runBuild: run the engine's build command, give it the context the way it reads it (a tar on
 * stdin, or a folder), turn the progress output into events, then read the results from the
 * iidfile and the metadata file (also after a failure), load, tag and push where the client did not.
 * Where the adapter offers it (a docker client that only relays the build to a local daemon), r2d
 * sends the build to the daemon's API itself instead (daemon-build.ts).
 *
 * The client runs in its own process group, stopped as a group on abort (buildx is a plugin
 * process of docker) and by the watchdog if r2d dies. The image is built by ID and tagged after
 * success; an aborted build removes the untagged image it may already have made.
 */
import { lstat, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { asError, EngineError } from "../errors.js";
import { adapterOf, type BuildInvocation } from "./adapters/index.js";
import { buildInvocation } from "./build-command.js";
import { buildFailure } from "./build-failure.js";
import { collectOutput, pipeContext } from "./build-output.js";
import { mayNeedCredentials, startDaemonBuild, type DaemonBuildExit } from "./daemon-build.js";
import { AbortError, formatCommand, tail } from "./exec.js";
import { discardUntaggedImage, inspectImage, loadImage, pushImage, tagImage } from "./image.js";
import { startProcess, type RunningProcess } from "./process.js";
import { buildkitProgressReader } from "./progress-rawjson.js";
import { guardProcessGroup, guardUnnamedImage } from "./watchdog.js";
import type { BuildRequest, BuildResult, Engine, ImageInfo, RunBuildOptions } from "./types.js";

export { errorSummary } from "./build-failure.js";

/** Lines of builder output kept in BuildError.log. */
const LOG_TAIL_LINES = 60;

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

async function readMetadata(file: string): Promise<Record<string, unknown>> {
  const text = await readOptional(file);
  if (!text || text.trim() === "") return {};
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

const aborted = (signal: AbortSignal | undefined): AbortError => new AbortError("the build was aborted", { cause: signal?.reason });

export async function runBuild(engine: Engine, req: BuildRequest, opts: RunBuildOptions): Promise<BuildResult> {
  // If r2d is killed after the engine made the image but before it is named, the watchdog removes it.
  const client = adapterOf(engine.kind).clientIsDocker ? engine.client : undefined;
  const guards = client ? [guardUnnamedImage(client, { ...engine.env }, req.iidFile)] : [];
  const onImage = (id: string): void => {
    if (client) guards.push(guardUnnamedImage(client, { ...engine.env }, req.iidFile, id));
  };
  let madeDir: string | undefined;
  try {
    if (!opts?.context) throw new TypeError(`runBuild: pass opts.context (the build context)`);
    let contextDir: string | undefined;
    if (engine.capabilities.context === "directory") {
      if (!opts.workDir) throw new TypeError(`runBuild: the ${engine.kind} engine reads the context from a folder: pass opts.workDir`);
      contextDir = path.join(opts.workDir, "context");
    }
    const inv = buildInvocation(engine, req, contextDir);
    if (opts.signal?.aborted) throw new AbortError("the build was aborted before it started", { cause: opts.signal.reason });
    if (contextDir) {
      // A new folder (one build at a time per workDir), removed after the build: never one r2d did not make.
      if (await exists(contextDir)) throw new Error(`runBuild: ${contextDir} exists already: one build at a time per workDir`);
      madeDir = contextDir;
      await opts.context.materialize(contextDir);
      if (opts.signal?.aborted) throw aborted(opts.signal);
    }
    return await build(engine, req, inv, opts, onImage);
  } finally {
    for (const unguard of guards) unguard();
    if (madeDir) await rm(madeDir, { recursive: true, force: true });
  }
}

/** `R2D_DOCKER_API=0`: the docker client sends every build, as before r2d spoke to the daemon itself. */
const DAEMON_API_SWITCH = "R2D_DOCKER_API";

/** How the build ran: its output as collected, how it ended, and a context that could not be read. */
interface BuildRun {
  out: ReturnType<typeof collectOutput>;
  result: DaemonBuildExit;
  contextError?: unknown;
  /** Who built, for messages: the client's path, or the daemon's API. */
  builder: string;
  command: string;
}

/** The engine's client process, the context piped into its stdin or read from its folder. */
async function runClient(engine: Engine, inv: BuildInvocation, opts: RunBuildOptions, onImage: (id: string) => void): Promise<BuildRun> {
  const cmd = inv.build;
  // Called only once the client runs (from the output handlers and the context pipe).
  const stopClient = (): void => proc.stop();
  const out = collectOutput(adapterOf(engine.kind).progressReader(inv.progress), opts.onEvent, stopClient, onImage);
  const tar = cmd.stdin === "context-tar";
  const proc: RunningProcess = startProcess(cmd, {
    label: "build",
    onDebug: opts.onDebug,
    group: true,
    stdin: tar ? "pipe" : "ignore",
    onStdout: out.stdout,
    onStderr: out.stderr,
    signal: opts.signal,
    killGraceMs: opts.killGraceMs,
  });
  const unguard = guardProcessGroup(proc.pid);
  const context = tar && proc.stdin ? pipeContext(() => opts.context.tar(), proc, stopClient) : undefined;
  const result = await proc.exited;
  unguard();
  out.end();
  context?.close();
  return { out, result, contextError: context?.error(), builder: cmd.file, command: formatCommand(cmd) };
}

/**
 * The same build sent to the daemon's API by r2d itself, where the adapter offers it, the build
 * needs nothing only the client has (registry credentials) and R2D_DOCKER_API is not 0.
 * Undefined: the client builds (also when the daemon's socket cannot be reached: nothing was sent).
 */
async function runOnDaemon(engine: Engine, req: BuildRequest, inv: BuildInvocation, opts: RunBuildOptions, onImage: (id: string) => void): Promise<BuildRun | undefined> {
  const daemon = inv.daemon;
  if (!daemon || process.env[DAEMON_API_SWITCH] === "0" || (await mayNeedCredentials(engine.env))) return undefined;
  const stop = (): void => running.stop();
  const out = collectOutput(buildkitProgressReader("rawjson"), opts.onEvent, stop, onImage);
  const running = startDaemonBuild({ ...daemon, secrets: req.secrets, context: () => opts.context.entries(), iidFile: req.iidFile, onOutput: out.stderr, onDebug: opts.onDebug, signal: opts.signal });
  const result = await running.exited;
  out.end();
  if (result.unreachable) {
    opts.onDebug?.(`build: the Docker daemon's socket ${daemon.socket} cannot be reached (${result.spawnError ?? ""}): the client builds`);
    return undefined;
  }
  return { out, result, contextError: result.contextError, builder: `the Docker daemon's API (${daemon.socket})`, command: `POST /build on ${daemon.socket}` };
}

async function build(engine: Engine, req: BuildRequest, inv: BuildInvocation, opts: RunBuildOptions, onImage: (id: string) => void): Promise<BuildResult> {
  // Results come from these files: never read a previous build's.
  for (const f of [req.iidFile, req.metadataFile, inv.loadTarball]) {
    if (!f) continue;
    await mkdir(path.dirname(f), { recursive: true });
    await rm(f, { force: true });
  }

  await opts.beforeClient?.();
  if (opts.signal?.aborted) {
    await opts.onClientExit?.();
    throw aborted(opts.signal);
  }
  const started = Date.now();
  const run = (await runOnDaemon(engine, req, inv, opts, onImage)) ?? (await runClient(engine, inv, opts, onImage));
  const { out, result } = run;
  await opts.onClientExit?.();

  const iid = (await readOptional(req.iidFile))?.trim() || undefined;
  const metadata = await readMetadata(req.metadataFile);
  const durationMs = Date.now() - started;

  if (opts.signal?.aborted) {
    // The engine may have made the image before the client stopped: an unnamed image is r2d's to remove.
    const made = iid ?? out.madeImage;
    if (made) await discardUntaggedImage(engine, made, { onDebug: opts.onDebug }).catch(() => {});
    throw aborted(opts.signal);
  }
  if (out.callbackError !== undefined) throw asError(out.callbackError);
  if (run.contextError !== undefined) throw asError(run.contextError);
  if (result.spawnError !== undefined) {
    throw new EngineError(`cannot run ${run.builder}: ${result.spawnError}`, { hint: "name a working client with --docker PATH (or R2D_DOCKER)", cause: result });
  }
  if (result.exitCode !== 0) {
    // What the builder left behind is kept with the error (a failed build may still have written metadata).
    const details = { command: run.command, exitCode: result.exitCode, signal: result.signal, imageId: iid, metadata };
    throw await buildFailure({
      engine,
      network: req.network,
      exitCode: result.exitCode,
      signal: result.signal,
      client: run.builder,
      failed: out.failed,
      stepLines: out.stepLines,
      topLines: out.topLines,
      logTail: tail(out.log, LOG_TAIL_LINES),
      details,
    });
  }

  const { imageId, image } = await finish(engine, req, inv, iid, metadata, opts);
  let digest = typeof metadata["containerimage.digest"] === "string" ? metadata["containerimage.digest"] : undefined;
  for (const tag of inv.pushAfter) {
    if (opts.signal?.aborted) throw aborted(opts.signal);
    const pushed = await pushImage(engine, tag, { onDebug: opts.onDebug });
    digest ??= pushed.digest;
  }
  return { imageId: imageId ?? "", digest, metadata, durationMs, steps: [...out.steps.values()], log: out.log, ...(opts.inspect ? { image: await image } : {}) };
}

/**
 * After a successful build: the image ID (iidfile, or metadata for buildctl), `docker load` where
 * the client exported a tarball, then the tags, with the image inspected meanwhile when asked
 * (the one inspect of a build). Stops (removing the unnamed image) when aborted.
 */
async function finish(
  engine: Engine,
  req: BuildRequest,
  inv: BuildInvocation,
  iid: string | undefined,
  metadata: Record<string, unknown>,
  opts: RunBuildOptions,
): Promise<{ imageId?: string; image: Promise<ImageInfo | null> }> {
  let imageId = iid;
  if (!imageId && inv.iidFromMetadata) {
    // buildctl writes no iidfile; the image ID is the config digest (also of a loaded docker tarball).
    const cfg = metadata["containerimage.config.digest"];
    if (typeof cfg === "string") imageId = cfg;
  }
  if (inv.loadTarball) {
    const loaded = await loadImage(engine, inv.loadTarball, { onDebug: opts.onDebug });
    await rm(inv.loadTarball, { force: true });
    imageId ??= loaded.imageId;
  }
  if (imageId && !iid) await writeFile(req.iidFile, imageId);
  if (inv.tagAfter.length > 0 && !imageId) {
    throw new EngineError(`the build finished but ${engine.client} reported no image ID, so ${inv.tagAfter.join(", ")} could not be tagged`, {
      hint: "run r2d again with --debug; if it happens again, report it with the builder output",
    });
  }
  // A pushed-only build (buildx/buildctl without --load) has no local image: null.
  const ref = imageId ?? req.tags[0];
  const image = opts.inspect && ref ? inspectImage(engine, ref, { onDebug: opts.onDebug }).catch(() => null) : Promise.resolve(null);
  for (const tag of inv.tagAfter) {
    if (opts.signal?.aborted) {
      await image;
      if (imageId) await discardUntaggedImage(engine, imageId, { onDebug: opts.onDebug }).catch(() => {});
      throw aborted(opts.signal);
    }
    await tagImage(engine, imageId as string, tag, { onDebug: opts.onDebug }).catch(async (err: unknown) => {
      await image;
      throw err;
    });
  }
  return { imageId, image };
}
