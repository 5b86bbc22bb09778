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
import { execa } from "execa";
import { EngineError } from "../errors.js";
import { buildFailure, type FailedStep } from "./build-failure.js";
import { planBuild } from "./build-command.js";
import { AbortError, formatCommand, tail } from "./exec.js";
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
  const unguardImage = client ? guardUnnamedImage(client, { ...engine.env }, req.iidFile) : () => {};
  try {
    return await build(engine, req, opts);
  } finally {
    unguardImage();
  }
}

async function build(engine: Engine, req: BuildRequest, opts: RunBuildOptions): Promise<BuildResult> {
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
  const parser = plan.progress === "rawjson" ? createRawJsonProgressParser() : createPlainProgressParser();
  const render = plan.progress === "rawjson" ? createEventRenderer() : undefined;
  let log = "";
  let stdout = "";
  const steps = new Map<string, BuildStep>();
  const stepLines = new Map<string, string[]>();
  const failed: FailedStep[] = [];
  const topLines: string[] = [];
  /** The image the engine wrote, as its progress said (before the client writes the iidfile). */
  let madeImage: string | undefined;
  let callbackError: unknown;

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
  const stopClient = stopper(sub, opts.killGraceMs ?? 3000);
  const onAbort = (): void => stopClient();
  opts.signal?.addEventListener("abort", onAbort, { once: true });

  const handle = (events: ProgressEvent[]): void => {
    for (const e of events) {
      if (render) log += render(e);
      if (e.type === "step") {
        const prev = steps.get(e.id);
        steps.set(e.id, { name: e.name || prev?.name || "", status: e.status, durationMs: e.durationMs ?? prev?.durationMs });
        if (e.status === "error") failed.push({ id: e.id, name: e.name, error: e.error ?? "" });
      } else if (e.type === "log" && e.id === "") {
        topLines.push(e.text);
      } else if (e.type === "log") {
        const lines = stepLines.get(e.id) ?? [];
        lines.push(e.text);
        if (lines.length > STEP_LINES) lines.shift();
        stepLines.set(e.id, lines);
      }
      if (opts.onEvent && callbackError === undefined) {
        try {
          opts.onEvent(e);
        } catch (err) {
          callbackError = err;
          stopClient();
        }
      }
    }
  };

  sub.stderr?.setEncoding("utf8");
  let recent = "";
  sub.stderr?.on("data", (chunk: string) => {
    if (!render) log += chunk;
    // `writing image sha256:…` (plain and rawjson alike), kept across chunk boundaries.
    recent = (recent + chunk).slice(-512);
    madeImage = [...recent.matchAll(/writing image (sha256:[0-9a-f]{64})/g)].pop()?.[1] ?? madeImage;
    handle(parser.push(chunk));
  });
  sub.stdout?.setEncoding("utf8");
  sub.stdout?.on("data", (chunk: string) => {
    stdout += chunk;
  });

  let contextError: unknown;
  let contextStream: NodeJS.ReadableStream | undefined;
  if (cmd.stdin === "context-tar" && opts.context && sub.stdin) {
    const stdin = sub.stdin;
    stdin.on("error", () => {
      /* EPIPE: the client stopped reading (it failed or was killed); its exit tells why */
    });
    try {
      contextStream = opts.context();
      contextStream.on("error", (err: unknown) => {
        contextError ??= err;
        stdin.destroy();
        stopClient();
      });
      contextStream.pipe(stdin);
    } catch (err) {
      contextError = err;
      stdin.destroy();
      stopClient();
    }
  }

  const result = await sub;
  opts.signal?.removeEventListener("abort", onAbort);
  stopClient.done();
  unguard();
  handle(parser.end());
  if (contextStream) destroyStream(contextStream);
  if (stdout.trim() !== "") log += (log.endsWith("\n") || log === "" ? "" : "\n") + stdout;
  await opts.onClientExit?.();

  const iid = (await readOptional(req.iidFile))?.trim() || undefined;
  const metadata = await readMetadata(req.metadataFile);
  const durationMs = Date.now() - started;
  const stepList = [...steps.values()];

  if (opts.signal?.aborted) {
    // The engine may have made the image before the client stopped: an unnamed image is r2d's to remove.
    const made = iid ?? madeImage;
    if (made) await discardUntaggedImage(engine, made, { onDebug: opts.onDebug }).catch(() => {});
    throw new AbortError("the build was aborted", { cause: opts.signal.reason });
  }
  if (callbackError !== undefined) throw callbackError;
  if (contextError !== undefined) throw contextError;
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
      failed,
      stepLines,
      topLines,
      logTail: tail(log, LOG_TAIL_LINES),
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
  return { imageId: imageId ?? "", digest, metadata, durationMs, steps: stepList, log };
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

/** Stops the client's process group: SIGINT, then SIGKILL after the grace time. `done()` once it exited. */
function stopper(sub: { pid?: number; kill: (signal?: NodeJS.Signals) => boolean }, graceMs: number): (() => void) & { done: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let exited = false;
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (exited) return;
    try {
      if (sub.pid) process.kill(-sub.pid, signal);
      else sub.kill(signal);
    } catch {
      sub.kill(signal); // the group is gone already; the process itself may not be
    }
  };
  const stop = (): void => {
    if (timer || exited) return;
    signalGroup("SIGINT");
    timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
    timer.unref();
  };
  return Object.assign(stop, {
    done: () => {
      exited = true;
      if (timer) clearTimeout(timer);
    },
  });
}
