/**
 * The process boundary, part two: processes that run while r2d watches them (the build client,
 * `docker run`, the grader's container) and the watchdog's shell. Each start is logged under
 * --debug; an abort stops the process (SIGINT, then SIGKILL after a grace time), its whole process
 * group when it has one (docker and its buildx plugin).
 */
import type { ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";
import { logCommand, type DebugLog } from "./exec.js";
import { childEnd, commandEnv, spawnChild } from "./spawn.js";
import type { Command } from "./types.js";

export interface StartOptions {
  /** The word before the command line in the --debug log: "build", "run", "grade". */
  label: string;
  onDebug?: DebugLog;
  stdin?: "pipe" | "ignore" | "inherit";
  stdout?: "pipe" | "inherit";
  stderr?: "pipe" | "inherit";
  /** Its own process group (detached): a terminal's Ctrl-C reaches r2d only, which stops the group itself. */
  group?: boolean;
  /** Output as it arrives (decoded as UTF-8), when piped. */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Keep the last this many characters of each piped stream, for `output()` (default: none). */
  keepOutput?: number;
  signal?: AbortSignal;
  /** What an abort does (default: `stop()`). */
  onAbort?: () => void;
  /** Time between SIGINT and SIGKILL when stopped (default 3000 ms). */
  killGraceMs?: number;
}

export interface ProcessExit {
  /** undefined when the process could not be started or was killed by a signal. */
  exitCode?: number;
  signal?: string;
  /** Why the process could not be started (ENOENT, EACCES, ...). */
  spawnError?: string;
}

export interface RunningProcess {
  readonly pid: number | undefined;
  /** Its input, with `stdin: "pipe"`. */
  readonly stdin: Writable | null;
  /** Settles (never rejects) once the process has exited and its output has been read. */
  readonly exited: Promise<ProcessExit>;
  hasExited(): boolean;
  /** Calls `fn` as soon as the process itself has exited (before its output is read to the end). */
  onExit(fn: () => void): void;
  /** The kept output so far. */
  output(): { stdout: string; stderr: string };
  /** SIGINT, then SIGKILL after the grace time (to the group when it has one). */
  stop(): void;
  kill(signal: NodeJS.Signals): void;
}

function keepTail(prev: string, chunk: string, max: number): string {
  const s = prev + chunk;
  return s.length > max ? s.slice(s.length - max) : s;
}

/** Starts `cmd` (its env added to the inherited environment) and returns at once. */
export function startProcess(cmd: Pick<Command, "file" | "args" | "env">, opts: StartOptions): RunningProcess {
  logCommand(opts.onDebug, opts.label, cmd);
  const sub = spawnChild(cmd.file, cmd.args, {
    env: commandEnv(cmd.env),
    detached: opts.group ?? false,
    stdio: [opts.stdin ?? "ignore", opts.stdout ?? "pipe", opts.stderr ?? "pipe"],
  });
  const keep = opts.keepOutput ?? 0;
  const out = { stdout: "", stderr: "" };
  sub.stdout?.setEncoding("utf8").on("data", (c: string) => {
    if (keep > 0) out.stdout = keepTail(out.stdout, c, keep);
    opts.onStdout?.(c);
  });
  sub.stderr?.setEncoding("utf8").on("data", (c: string) => {
    if (keep > 0) out.stderr = keepTail(out.stderr, c, keep);
    opts.onStderr?.(c);
  });
  const stop = processGroupStopper(opts.group ? sub : { kill: (s) => sub.kill(s) }, opts.killGraceMs ?? 3000);
  const onAbort = opts.onAbort ?? stop;
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  let done = false;
  const exited = childEnd(sub).then((end): ProcessExit => {
    done = true;
    stop.done();
    opts.signal?.removeEventListener("abort", onAbort);
    return end;
  });
  return {
    pid: sub.pid,
    stdin: sub.stdin ?? null,
    exited,
    hasExited: () => done || sub.exitCode !== null || sub.signalCode !== null,
    onExit: (fn) => {
      let called = false;
      const once = (): void => {
        if (called) return;
        called = true;
        fn();
      };
      if (done || sub.exitCode !== null || sub.signalCode !== null) return once();
      sub.once("exit", once);
      void exited.then(once); // a process that never started emits no "exit"
    },
    output: () => ({ ...out }),
    stop,
    kill: (signal) => {
      sub.kill(signal);
    },
  };
}

/**
 * Stops a child: SIGINT, then SIGKILL after the grace time. With a pid (a detached child) the
 * signals go to its process group (a client and the plugins it started). Call `done()` once the
 * child has exited.
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

/**
 * A process in its own session that reads its input from r2d (the watchdog): neither it nor the
 * pipe keeps r2d alive, and a terminal's Ctrl-C or a kill of r2d's process group does not reach it.
 * Throws when it cannot be started; an `error` event later means it is gone.
 */
export function startDetachedReader(file: string, args: string[]): ChildProcess {
  const sub = spawnChild(file, args, { env: process.env, detached: true, stdio: ["pipe", "ignore", "ignore"] });
  sub.stdin?.on("error", () => {});
  sub.unref();
  (sub.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return sub;
}
