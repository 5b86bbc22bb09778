/**
 * `docker run` of a built image: a pure command builder and a thin executor that
 * returns the container's exit code and removes the container when aborted.
 */
import { randomBytes } from "node:crypto";
import { EngineError } from "../errors.js";
import { AbortError, capture, isDaemonFailure } from "./exec.js";
import { dockerClientOf } from "./image.js";
import { startProcess, type RunningProcess } from "./process.js";
import { guardCommand } from "./watchdog.js";
import type { Command, Engine, RunContainerOptions, RunRequest, RunResult } from "./types.js";

/** `docker run --rm ... IMAGE CMD...` (pure). */
export function runCommand(engine: Engine, req: RunRequest): Command {
  const args = ["run"];
  if (req.remove) args.push("--rm");
  if (req.interactive) args.push("-i");
  if (req.tty) args.push("-t");
  if (req.name) args.push("--name", req.name);
  if (req.user) args.push("--user", req.user);
  if (req.workdir) args.push("--workdir", req.workdir);
  if (req.network) args.push("--network", req.network);
  if (req.memory) args.push("--memory", req.memory);
  if (req.cpus) args.push("--cpus", req.cpus);
  if (req.shmSize) args.push("--shm-size", req.shmSize);
  if (req.platform) args.push("--platform", req.platform);
  if (req.gpus) args.push("--gpus", req.gpus);
  if (req.readOnly) args.push("--read-only");
  for (const e of req.env) args.push("-e", e);
  for (const p of req.publish) args.push("-p", p);
  for (const v of req.volumes) args.push("-v", v);
  if (req.extra) args.push(...req.extra);
  args.push(req.image, ...req.command);
  return { file: dockerClientOf(engine), args, env: { ...engine.env }, stdin: "none" };
}

/** A container name for runs that were not given one, so an abort can remove it. */
export function generateContainerName(): string {
  return `r2d-run-${randomBytes(6).toString("hex")}`;
}

/**
 * Run a container. The exit code is returned, not thrown (125 when docker itself
 * failed, 126/127 when the command could not run). A daemon that does not answer
 * is an EngineError. On abort the container is removed (`docker rm -f`) and the
 * promise rejects with an AbortError.
 */
export async function runContainer(engine: Engine, req: RunRequest, opts: RunContainerOptions = {}): Promise<RunResult> {
  if (opts.signal?.aborted) throw new AbortError("the run was aborted before it started", { cause: opts.signal.reason });
  const name = req.name ?? generateContainerName();
  const cmd = runCommand(engine, { ...req, name });
  const inherit = opts.stdio === "inherit";
  let removal: Promise<unknown> | undefined;
  const proc: RunningProcess = startProcess(cmd, {
    label: "run",
    onDebug: opts.onDebug,
    stdin: inherit || req.interactive ? "inherit" : "ignore",
    stdout: inherit ? "inherit" : "pipe",
    stderr: inherit ? "inherit" : "pipe",
    keepOutput: Infinity,
    signal: opts.signal,
    // The client forwards SIGINT to the container; `rm -f` makes sure it is gone.
    onAbort: () => {
      removal = capture(cmd.file, ["rm", "-f", name], { env: cmd.env, timeoutMs: 30_000, onDebug: opts.onDebug });
      proc.stop();
    },
    killGraceMs: opts.killGraceMs,
  });
  // If r2d is killed, the watchdog removes the container (the client alone would leave it running).
  const unguard = guardCommand([cmd.file, "rm", "-f", name], cmd.env);
  try {
    const result = await proc.exited;
    if (opts.signal?.aborted) {
      await removal;
      throw new AbortError("the run was aborted", { cause: opts.signal.reason });
    }
    const { stdout, stderr } = proc.output();
    if (result.spawnError !== undefined) {
      throw new EngineError(`cannot run ${cmd.file}: ${result.spawnError}`, {
        hint: "name a working docker client with --docker PATH (or R2D_DOCKER)",
      });
    }
    if (result.exitCode === 125 && isDaemonFailure(stderr)) {
      throw new EngineError(`the Docker daemon does not answer: ${stderr.trim().split("\n")[0] ?? ""}`, {
        hint: "check that dockerd is running (`docker info`), or set DOCKER_HOST to a daemon that is",
      });
    }
    const exitCode = result.exitCode ?? 128 + signalNumber(result.signal);
    return { exitCode, stdout, stderr };
  } finally {
    unguard();
  }
}

function signalNumber(signal: string | undefined): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return signal ? (table[signal] ?? 1) : 1;
}
