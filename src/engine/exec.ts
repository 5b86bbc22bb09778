/**
 * The process boundary: every engine command goes through here, so the command
 * line is logged once and tests can stand in fake executables for real ones.
 */
import { execa } from "execa";
import { shellQuote } from "../shell.js";
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

export interface CaptureResult {
  /** undefined when the process could not be started or was killed by a signal. */
  exitCode?: number;
  stdout: string;
  stderr: string;
  /** Set when the process could not be started (ENOENT, EACCES, ...). */
  spawnError?: string;
  timedOut: boolean;
}

/**
 * Run a short command to completion and capture its output; never throws for a
 * non-zero exit (the caller decides what that means).
 */
export async function capture(
  file: string,
  args: string[],
  opts: {
    env?: Record<string, string>;
    /** Replace the inherited environment instead of extending it. */
    baseEnv?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    input?: string;
    onDebug?: (message: string) => void;
  } = {},
): Promise<CaptureResult> {
  const env = opts.env ?? {};
  opts.onDebug?.(`exec: ${formatCommand({ file, args, env })}`);
  const result = await execa(file, args, {
    env: opts.baseEnv ? { ...stringEnv(opts.baseEnv), ...env } : env,
    extendEnv: !opts.baseEnv,
    reject: false,
    timeout: opts.timeoutMs,
    input: opts.input,
    stdin: opts.input === undefined ? "ignore" : "pipe",
    stripFinalNewline: false,
  });
  const spawnError =
    result.exitCode === undefined && !result.timedOut && !result.signal && result.failed
      ? (result.code ?? result.shortMessage)
      : undefined;
  return {
    exitCode: result.exitCode,
    stdout: typeof result.stdout === "string" ? result.stdout : "",
    stderr: typeof result.stderr === "string" ? result.stderr : "",
    spawnError,
    timedOut: result.timedOut,
  };
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

/**
 * Stops a detached child's process group: SIGINT, then SIGKILL after the grace time (a client
 * and the plugins it started). Call `done()` once the child has exited.
 */
export function processGroupStopper(sub: { pid?: number; kill: (signal?: NodeJS.Signals) => boolean }, graceMs: number): (() => void) & { done: () => void } {
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
