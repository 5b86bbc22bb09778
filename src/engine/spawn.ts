/**
 * The one `spawn` of r2d's commands (exec.ts and process.ts start processes through it), on
 * node:child_process directly: no process library to load on every run. A child that is not in
 * its own process group is sent SIGTERM if r2d exits before it (what r2d's short commands and
 * `docker run` need); a detached one (the build client, the watchdog) is stopped by its owner.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";

const live = new Set<ChildProcess>();
let exitHook = false;

function stopLiveChildren(): void {
  for (const child of live) {
    try {
      child.kill("SIGTERM");
    } catch {
      /* already gone */
    }
  }
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  stdio: StdioOptions;
  detached?: boolean;
}

/** Starts `file`; spawn errors (ENOENT, EACCES) arrive as the child's "error" event, never thrown. */
export function spawnChild(file: string, args: readonly string[], opts: SpawnOptions): ChildProcess {
  const child = spawn(file, args, { env: opts.env, stdio: opts.stdio, detached: opts.detached ?? false });
  if (!opts.detached) {
    if (!exitHook) {
      exitHook = true;
      process.on("exit", stopLiveChildren);
    }
    live.add(child);
    const forget = (): void => {
      live.delete(child);
    };
    child.once("exit", forget);
    child.once("error", forget);
  }
  return child;
}

/** What became of a child: its exit code, the signal that ended it, or why it never started. */
export interface ChildEnd {
  exitCode?: number;
  signal?: string;
  spawnError?: string;
}

/**
 * Settles once the child has exited and its output streams are closed ("close"), or when it could
 * not be started ("error" before it had a pid). Never rejects.
 */
export function childEnd(child: ChildProcess): Promise<ChildEnd> {
  return new Promise((resolve) => {
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) resolve({ spawnError: err.code ?? err.message });
    });
    child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
      resolve({ exitCode: code ?? undefined, signal: signal ?? undefined });
    });
  });
}

/** The environment a command runs with: `env` over `base` (default: r2d's own environment). */
export function commandEnv(env: Record<string, string> | undefined, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, ...(env ?? {}) };
}
