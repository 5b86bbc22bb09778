/**
 * runBuild: run the planned build command, stream the context tar in, turn the
 * progress output into events, then read the results from the iidfile and the
 * metadata file (also after a failure), and load or push where the client could not.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { BuildError, EngineError } from "../errors.js";
import { planBuild } from "./build-command.js";
import { AbortError, formatCommand, isDaemonFailure, tail } from "./exec.js";
import { loadImage, pushImage } from "./image.js";
import { createPlainProgressParser } from "./progress-plain.js";
import { createEventRenderer, createRawJsonProgressParser } from "./progress-rawjson.js";
import type { BuildRequest, BuildResult, BuildStep, Engine, ProgressEvent, RunBuildOptions } from "./types.js";

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

/** The builder's closing error message, from the lines it printed outside any step. */
export function errorSummary(topLines: string[]): string | undefined {
  for (let i = topLines.length - 1; i >= 0; i--) {
    const m = /^(?:ERROR|error):\s*(.*)$/.exec(topLines[i] ?? "");
    if (m) return m[1];
  }
  for (let i = topLines.length - 1; i >= 0; i--) {
    const line = (topLines[i] ?? "").trim();
    if (line === "" || line.startsWith("------") || line.startsWith(">")) continue;
    return line;
  }
  return undefined;
}

function stepFailureMessage(name: string, error: string): string {
  const code = /exit code: (\d+)\s*$/.exec(error)?.[1];
  return code !== undefined ? `the build step ${name} failed (exit code ${code})` : `the build step ${name} failed: ${error}`;
}

function destroyStream(stream: NodeJS.ReadableStream): void {
  const s = stream as NodeJS.ReadableStream & { destroy?: () => void };
  if (typeof s.destroy === "function") s.destroy();
}

export async function runBuild(engine: Engine, req: BuildRequest, opts: RunBuildOptions = {}): Promise<BuildResult> {
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
  const failed: { name: string; error: string }[] = [];
  const topLines: string[] = [];
  let callbackError: unknown;

  const sub = execa(cmd.file, cmd.args, {
    env: cmd.env,
    extendEnv: true,
    reject: false,
    stdin: cmd.stdin === "context-tar" ? "pipe" : "ignore",
    stdout: "pipe",
    stderr: "pipe",
    buffer: false,
    cancelSignal: opts.signal,
    killSignal: "SIGINT",
    forceKillAfterDelay: opts.killGraceMs ?? 3000,
  });

  const handle = (events: ProgressEvent[]): void => {
    for (const e of events) {
      if (render) log += render(e);
      if (e.type === "step") {
        const prev = steps.get(e.id);
        steps.set(e.id, { name: e.name || prev?.name || "", status: e.status, durationMs: e.durationMs ?? prev?.durationMs });
        if (e.status === "error") failed.push({ name: e.name, error: e.error ?? "" });
      } else if (e.type === "log" && e.id === "") {
        topLines.push(e.text);
      }
      if (opts.onEvent && callbackError === undefined) {
        try {
          opts.onEvent(e);
        } catch (err) {
          callbackError = err;
          sub.kill("SIGINT");
        }
      }
    }
  };

  sub.stderr?.setEncoding("utf8");
  sub.stderr?.on("data", (chunk: string) => {
    if (!render) log += chunk;
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
    // Stop the client first and close its input only once it has exited: a context cut at an
    // entry boundary is still a valid tar, and a client that saw its end could build and tag it.
    const stopForContext = (err: unknown): void => {
      contextError ??= err;
      if (sub.exitCode !== null || sub.signalCode !== null) stdin.destroy();
      else sub.once("exit", () => stdin.destroy());
      sub.kill("SIGINT");
    };
    try {
      contextStream = opts.context();
      contextStream.on("error", stopForContext);
      contextStream.pipe(stdin);
    } catch (err) {
      stopForContext(err);
    }
  }

  const result = await sub;
  handle(parser.end());
  if (contextStream) destroyStream(contextStream);
  if (stdout.trim() !== "") log += (log.endsWith("\n") || log === "" ? "" : "\n") + stdout;

  const iid = (await readOptional(req.iidFile))?.trim() || undefined;
  const metadata = await readMetadata(req.metadataFile);
  const durationMs = Date.now() - started;
  const stepList = [...steps.values()];

  if (result.isCanceled || opts.signal?.aborted) {
    throw new AbortError("the build was aborted", { cause: opts.signal?.reason });
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
    const logTail = tail(log, LOG_TAIL_LINES);
    // What the builder left behind is kept with the error (a failed build may still have written metadata).
    const details = { command: formatCommand(cmd), exitCode: result.exitCode, signal: result.signal, imageId: iid, metadata };
    const summary = errorSummary(topLines);
    const step = failed[0];
    if (step && /network bridge not found/.test(step.error)) {
      // dockerd --bridge=none: RUN steps on the default network cannot start at all.
      throw new EngineError(`the Docker daemon has no bridge network, so the build step ${step.name} could not start`, {
        hint: "build with --build-network host (or none), or start dockerd with its default bridge network",
        cause: details,
      });
    }
    if (step && !isDaemonFailure(step.error)) {
      throw new BuildError(stepFailureMessage(step.name, step.error), { step: step.name, log: logTail, cause: details });
    }
    const daemonLine = [step?.error ?? "", ...topLines].find((l) => isDaemonFailure(l));
    if (daemonLine !== undefined) {
      throw new EngineError(`the build engine stopped answering during the build: ${daemonLine.trim()}`, {
        hint: "check that the daemon is running (`docker info`) and run r2d again",
        cause: details,
      });
    }
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
    throw new BuildError(summary ? `the build failed: ${summary}` : `the build failed: ${cmd.file} ${how}`, {
      log: logTail,
      cause: details,
    });
  }

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

  let digest = typeof metadata["containerimage.digest"] === "string" ? metadata["containerimage.digest"] : undefined;
  for (const tag of plan.pushAfter) {
    if (opts.signal?.aborted) throw new AbortError("the build was aborted", { cause: opts.signal.reason });
    const pushed = await pushImage(engine, tag, { onDebug: opts.onDebug });
    digest ??= pushed.digest;
  }

  return { imageId: imageId ?? "", digest, metadata, durationMs, steps: stepList, log };
}
