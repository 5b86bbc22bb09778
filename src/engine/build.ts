/**
 * runBuild: run the planned build command, stream the context tar in, turn the
 * progress output into events, then read the results from the iidfile and the
 * metadata file (also after a failure), load, tag and push where the client did not.
 *
 * The client runs in its own process group, killed as a group on abort (buildx is a plugin
 * process of docker) and by the watchdog if r2d dies. The image is built by ID and tagged after
 * success; an aborted build removes the untagged image it may already have made.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { EngineError } from "../errors.js";
import { buildFailure, type FailedStep } from "./build-failure.js";
import { planBuild } from "./build-command.js";
import { AbortError, formatCommand, processGroupStopper, tail } from "./exec.js";
import { discardUntaggedImage, loadImage, pushImage, tagImage } from "./image.js";
import { guardProcessGroup, guardUnnamedImage } from "./watchdog.js";
import { createPlainProgressParser } from "./progress-plain.js";
import { createEventRenderer, createRawJsonProgressParser } from "./progress-rawjson.js";
import type { BuildRequest, BuildResult, BuildStep, Engine, ProgressEvent, RunBuildOptions } from "./types.js";

export { errorSummary } from "./build-failure.js";

/** Lines of builder output kept in BuildError.log. */
const LOG_TAIL_LINES = 60;
/** Lines kept per step, to tell why a step failed. */
const STEP_LINES = 30;

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

function destroyStream(stream: NodeJS.ReadableStream): void {
  const s = stream as NodeJS.ReadableStream & { destroy?: () => void };
  if (typeof s.destroy === "function") s.destroy();
}

export async function runBuild(engine: Engine, req: BuildRequest, opts: RunBuildOptions = {}): Promise<BuildResult> {
  // If r2d is killed after the engine made the image but before it is named, the watchdog removes it.
  const client = engine.kind === "buildctl" ? undefined : engine.client;
  const guards = client ? [guardUnnamedImage(client, { ...engine.env }, req.iidFile)] : [];
  const onImage = (id: string): void => {
    if (client) guards.push(guardUnnamedImage(client, { ...engine.env }, req.iidFile, id));
  };
  try {
    return await build(engine, req, opts, onImage);
  } finally {
    for (const unguard of guards) unguard();
  }
}

async function build(engine: Engine, req: BuildRequest, opts: RunBuildOptions, onImage: (id: string) => void): Promise<BuildResult> {
  const plan = planBuild(engine, req);
  const cmd = plan.build;
  if (cmd.stdin === "context-tar" && !opts.context) {
    throw new TypeError(`runBuild: the ${engine.kind} engine reads the context as a tar on stdin: pass opts.context`);
  }
  if (opts.signal?.aborted) throw new AbortError("the build was aborted before it started", { cause: opts.signal.reason });

  // Results come from these files: never read a previous build's.
  for (const f of [req.iidFile, req.metadataFile, plan.loadTarball]) {
    if (!f) continue;
    await mkdir(path.dirname(f), { recursive: true });
    await rm(f, { force: true });
  }

  opts.onDebug?.(`build: ${formatCommand(cmd)}`);
  const started = Date.now();
  // Its own process group (detached): a terminal's Ctrl-C reaches r2d only, which stops the
  // whole group (docker and its buildx plugin) itself; the watchdog does it if r2d is killed.
  const sub = execa(cmd.file, cmd.args, {
    env: cmd.env,
    extendEnv: true,
    reject: false,
    detached: true,
    stdin: cmd.stdin === "context-tar" ? "pipe" : "ignore",
    stdout: "pipe",
    stderr: "pipe",
    buffer: false,
  });
  const unguard = guardProcessGroup(sub.pid);
  const stopClient = processGroupStopper(sub, opts.killGraceMs ?? 3000);
  opts.signal?.addEventListener("abort", stopClient, { once: true });
  const out = collectOutput(plan.progress, opts.onEvent, stopClient, onImage);
  sub.stderr?.setEncoding("utf8").on("data", out.stderr);
  sub.stdout?.setEncoding("utf8").on("data", out.stdout);
  const context = cmd.stdin === "context-tar" && opts.context && sub.stdin ? pipeContext(opts.context, sub, stopClient) : undefined;

  const result = await sub;
  opts.signal?.removeEventListener("abort", stopClient);
  stopClient.done();
  unguard();
  out.end();
  context?.close();
  await opts.onClientExit?.();

  const iid = (await readOptional(req.iidFile))?.trim() || undefined;
  const metadata = await readMetadata(req.metadataFile);
  const durationMs = Date.now() - started;

  if (opts.signal?.aborted) {
    // The engine may have made the image before the client stopped: an unnamed image is r2d's to remove.
    const made = iid ?? out.madeImage;
    if (made) await discardUntaggedImage(engine, made, { onDebug: opts.onDebug }).catch(() => {});
    throw new AbortError("the build was aborted", { cause: opts.signal.reason });
  }
  if (out.callbackError !== undefined) throw out.callbackError;
  if (context?.error() !== undefined) throw context.error();
  if (result.exitCode === undefined && !result.signal) {
    throw new EngineError(`cannot run ${cmd.file}: ${result.code ?? result.shortMessage}`, {
      hint: "name a working client with --docker PATH (or R2D_DOCKER)",
      cause: result,
    });
  }
  if (result.exitCode !== 0) {
    // What the builder left behind is kept with the error (a failed build may still have written metadata).
    const details = { command: formatCommand(cmd), exitCode: result.exitCode, signal: result.signal, imageId: iid, metadata };
    throw await buildFailure({
      engine,
      network: req.network,
      exitCode: result.exitCode,
      signal: result.signal,
      client: cmd.file,
      failed: out.failed,
      stepLines: out.stepLines,
      topLines: out.topLines,
      logTail: tail(out.log, LOG_TAIL_LINES),
      details,
    });
  }

  const imageId = await finish(engine, req, plan, iid, metadata, opts);
  let digest = typeof metadata["containerimage.digest"] === "string" ? metadata["containerimage.digest"] : undefined;
  for (const tag of plan.pushAfter) {
    if (opts.signal?.aborted) throw new AbortError("the build was aborted", { cause: opts.signal.reason });
    const pushed = await pushImage(engine, tag, { onDebug: opts.onDebug });
    digest ??= pushed.digest;
  }
  return { imageId: imageId ?? "", digest, metadata, durationMs, steps: [...out.steps.values()], log: out.log };
}

/** What the client printed: the log, the steps and those that failed, each step's last lines, the builder's own lines. */
function collectOutput(progress: "plain" | "rawjson", onEvent: RunBuildOptions["onEvent"], stopClient: () => void, onImage: (id: string) => void) {
  const parser = progress === "rawjson" ? createRawJsonProgressParser() : createPlainProgressParser();
  const render = progress === "rawjson" ? createEventRenderer() : undefined;
  let stdout = "";
  let recent = "";
  const out = {
    log: "",
    steps: new Map<string, BuildStep>(),
    stepLines: new Map<string, string[]>(),
    failed: [] as FailedStep[],
    topLines: [] as string[],
    /** The image the engine wrote, as its progress said (before the client writes the iidfile). */
    madeImage: undefined as string | undefined,
    /** What onEvent threw (the build is stopped then). */
    callbackError: undefined as unknown,
  };
  const handle = (events: ProgressEvent[]): void => {
    for (const e of events) {
      if (render) out.log += render(e);
      if (e.type === "step") {
        const prev = out.steps.get(e.id);
        out.steps.set(e.id, { name: e.name || prev?.name || "", status: e.status, durationMs: e.durationMs ?? prev?.durationMs });
        if (e.status === "error") out.failed.push({ id: e.id, name: e.name, error: e.error ?? "" });
      } else if (e.type === "log" && e.id === "") {
        out.topLines.push(e.text);
      } else if (e.type === "log") {
        const lines = out.stepLines.get(e.id) ?? [];
        lines.push(e.text);
        if (lines.length > STEP_LINES) lines.shift();
        out.stepLines.set(e.id, lines);
      }
      if (onEvent && out.callbackError === undefined) {
        try {
          onEvent(e);
        } catch (err) {
          out.callbackError = err;
          stopClient();
        }
      }
    }
  };
  return Object.assign(out, {
    stderr: (chunk: string): void => {
      if (!render) out.log += chunk;
      // `writing image sha256:…` (plain and rawjson alike), kept across chunk boundaries.
      recent = (recent + chunk).slice(-512);
      const made = [...recent.matchAll(/writing image (sha256:[0-9a-f]{64})/g)].pop()?.[1];
      if (made && made !== out.madeImage) onImage(made);
      out.madeImage = made ?? out.madeImage;
      handle(parser.push(chunk));
    },
    stdout: (chunk: string): void => {
      stdout += chunk;
    },
    end: (): void => {
      handle(parser.end());
      if (stdout.trim() !== "") out.log += (out.log.endsWith("\n") || out.log === "" ? "" : "\n") + stdout;
    },
  });
}

/**
 * Streams the context tar into the client's stdin; a broken stream stops the client. The client is
 * stopped first and its input closed only once it has exited: a context cut at an entry boundary is
 * still a valid tar, and a client that saw its end could build and tag it.
 */
function pipeContext(context: () => NodeJS.ReadableStream, sub: ResultPromise, stopClient: () => void) {
  const stdin = sub.stdin!;
  let error: unknown;
  let stream: NodeJS.ReadableStream | undefined;
  stdin.on("error", () => {
    /* EPIPE: the client stopped reading (it failed or was killed); its exit tells why */
  });
  const fail = (err: unknown): void => {
    error ??= err;
    if (sub.exitCode !== null || sub.signalCode !== null) stdin.destroy();
    else sub.once("exit", () => stdin.destroy());
    stopClient();
  };
  try {
    stream = context();
    stream.on("error", fail);
    stream.pipe(stdin);
  } catch (err) {
    fail(err);
  }
  return { error: () => error, close: () => stream && destroyStream(stream) };
}

/**
 * After a successful build: the image ID (iidfile, or metadata for buildctl), `docker load` where
 * the client exported a tarball, then the tags. Stops (removing the unnamed image) when aborted.
 */
async function finish(
  engine: Engine,
  req: BuildRequest,
  plan: ReturnType<typeof planBuild>,
  iid: string | undefined,
  metadata: Record<string, unknown>,
  opts: RunBuildOptions,
): Promise<string | undefined> {
  let imageId = iid;
  if (!imageId && plan.iidFromMetadata) {
    // buildctl writes no iidfile; the image ID is the config digest (also of a loaded docker tarball).
    const cfg = metadata["containerimage.config.digest"];
    if (typeof cfg === "string") imageId = cfg;
  }
  if (plan.loadTarball) {
    const loaded = await loadImage(engine, plan.loadTarball, { onDebug: opts.onDebug });
    await rm(plan.loadTarball, { force: true });
    imageId ??= loaded.imageId;
  }
  if (imageId && !iid) await writeFile(req.iidFile, imageId);
  if (plan.tagAfter.length > 0 && !imageId) {
    throw new EngineError(`the build finished but ${engine.client} reported no image ID, so ${plan.tagAfter.join(", ")} could not be tagged`, {
      hint: "run r2d again with --debug; if it happens again, report it with the builder output",
    });
  }
  for (const tag of plan.tagAfter) {
    if (opts.signal?.aborted) {
      if (imageId) await discardUntaggedImage(engine, imageId, { onDebug: opts.onDebug }).catch(() => {});
      throw new AbortError("the build was aborted", { cause: opts.signal.reason });
    }
    await tagImage(engine, imageId as string, tag, { onDebug: opts.onDebug });
  }
  return imageId;
}
