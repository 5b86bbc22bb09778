/**
 * The process boundary, part one: short commands run to completion (`capture`), the command line
 * as it is shown (`formatCommand`) and logged under --debug (`logCommand`). Long-running processes
 * (the build client, `docker run`, the grader's container, the watchdog) start in process.ts. No
 * other module of r2d starts a process.
 */
import { redactUrls } from "../redact.js";
import { shellQuote } from "../shell.js";
import { childEnd, commandEnv, spawnChild } from "./spawn.js";
import type { Command } from "./types.js";

export { shellQuote };

/** A rejection for an aborted build or run (name "AbortError", like fetch's). */
export class AbortError extends Error {
  override name = "AbortError";
  constructor(message = "the operation was aborted", opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
  }
}

export function isAbortError(err: unknown): err is AbortError {
  return err instanceof Error && err.name === "AbortError";
}

/** The command as one line, env first: `DOCKER_BUILDKIT=1 /usr/bin/docker build ...`. */
export function formatCommand(cmd: Pick<Command, "file" | "args" | "env">): string {
  const env = Object.entries(cmd.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return [...env, shellQuote(cmd.file), ...cmd.args.map(shellQuote)].join(" ");
}

export type DebugLog = ((message: string) => void) | undefined;

/** One --debug line per command started, `label: command line` (a URL's password masked: a clone URL may hold a token). */
export function logCommand(onDebug: DebugLog, label: string, cmd: Pick<Command, "file" | "args" | "env">): void {
  onDebug?.(`${label}: ${redactUrls(formatCommand(cmd))}`);
}

export interface CaptureResult {
  /** undefined when the process could not be started or was killed by a signal. */
  exitCode?: number;
  stdout: string;
  stderr: string;
  /** Set when the process could not be started (ENOENT, EACCES, ...). */
  spawnError?: string;
  timedOut: boolean;
}

export interface CaptureOptions {
  env?: Record<string, string>;
  /** Replace the inherited environment instead of extending it. */
  baseEnv?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  input?: string;
  /** Stops the command (SIGTERM) when aborted; the caller tells the abort apart. */
  signal?: AbortSignal;
  onDebug?: DebugLog;
}

/** After a timeout's SIGTERM, SIGKILL for a command that is still there this much later. */
const FORCE_KILL_AFTER_MS = 5000;

/**
 * Run a short command to completion and capture its output; never throws for a
 * non-zero exit (the caller decides what that means).
 */
export async function capture(file: string, args: string[], opts: CaptureOptions = {}): Promise<CaptureResult> {
  const env = opts.env ?? {};
  logCommand(opts.onDebug, "exec", { file, args, env });
  const child = spawnChild(file, args, {
    env: opts.baseEnv ? commandEnv(env, stringEnv(opts.baseEnv)) : commandEnv(env),
    stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
  });
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  if (opts.input !== undefined && child.stdin) {
    child.stdin.on("error", () => {}); // a command that does not read its input
    child.stdin.end(opts.input);
  }
  let timedOut = false;
  let forceKill: NodeJS.Timeout | undefined;
  const stop = (): void => {
    child.kill("SIGTERM");
    forceKill ??= setTimeout(() => child.kill("SIGKILL"), FORCE_KILL_AFTER_MS).unref();
    // A stopped command's output is not waited for: a process it started may hold the pipes open.
    child.once("exit", () => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    });
  };
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        stop();
      }, opts.timeoutMs)
    : undefined;
  const onAbort = (): void => stop();
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });
  const end = await childEnd(child);
  clearTimeout(timer);
  clearTimeout(forceKill);
  opts.signal?.removeEventListener("abort", onAbort);
  return {
    exitCode: end.exitCode,
    stdout,
    stderr,
    spawnError: end.spawnError,
    timedOut,
  };
}

/** Run a Command (its env added to the inherited one) to completion. */
export function captureCommand(cmd: Command, opts: Omit<CaptureOptions, "env" | "baseEnv"> = {}): Promise<CaptureResult> {
  return capture(cmd.file, cmd.args, { ...opts, env: cmd.env });
}

export function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

const DAEMON_PATTERNS: RegExp[] = [
  /Cannot connect to the Docker daemon/i,
  /Is the docker daemon running\?/i,
  /error during connect/i,
  /rpc error: code = Unavailable/,
  /error reading from server: EOF/,
  /failed to dial gRPC/i,
  /transport: Error while dialing/,
  /connection reset by peer/,
];

/**
 * Does this builder message say the daemon (dockerd or buildkitd) went away or
 * never answered? Only for the builder's own messages, not for step output: a
 * step's `curl` may well print "EOF".
 */
export function isDaemonFailure(line: string): boolean {
  const text = line.trim();
  if (DAEMON_PATTERNS.some((re) => re.test(text))) return true;
  // `ERROR: failed to solve: EOF`, `error: EOF`: the connection closed under the client.
  return /^(?:error|ERROR)\b.*(?::\s*|\s)(?:unexpected )?EOF$/.test(text) || text === "EOF";
}

/** The last `n` lines of a text. */
export function tail(text: string, n: number): string {
  const lines = text.replace(/\n+$/, "").split("\n");
  return lines.slice(Math.max(0, lines.length - n)).join("\n");
}
