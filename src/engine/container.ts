/**
 * Containers the grader runs: start a named container (kept after exit so it can be inspected and
 * diffed), sample its peak memory while it runs (container-memory.ts), kill it at the wall-clock
 * limit, and always remove it (Ctrl-C: the cleanup registry; SIGKILL of r2d: the watchdog). Also
 * the short questions the grader asks about an image (its user, its platform, a published port).
 */
import { randomBytes } from "node:crypto";
import { onCleanup } from "../cleanup.js";
import { sampleMemory } from "./container-memory.js";
import { AbortError, capture, type CaptureResult, type DebugLog } from "./exec.js";
import { dockerClientOf } from "./image.js";
import { startProcess, type ProcessExit } from "./process.js";
import { runCommand } from "./run.js";
import { guardCommand } from "./watchdog.js";
import type { Command, Engine, RunRequest } from "./types.js";

export { memoryFiles } from "./container-memory.js";

export interface ContainerChange {
  kind: "A" | "C" | "D";
  path: string;
}

export interface ContainerOutcome {
  /** The container's exit code; null when it never started. */
  exitCode: number | null;
  oomKilled: boolean;
  timedOut: boolean;
  /** Set when docker could not create or start the container (its error message). */
  startError?: string;
  durationMs: number;
  peakMemoryBytes: number | null;
  peakMemorySource: "cgroup" | "exec" | null;
  stdout: string;
  stderr: string;
  /** `docker diff`: files the container added, changed or deleted outside its mounts. */
  changes: ContainerChange[];
}

export interface RunningContainer {
  name: string;
  /** Settles once the container has exited and been inspected (it is removed by remove()). */
  done: Promise<ContainerOutcome>;
  exited(): boolean;
  /** Output so far (for messages while it runs). */
  output(): { stdout: string; stderr: string };
  kill(): Promise<void>;
  remove(): Promise<void>;
}

export interface StartOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onDebug?: DebugLog;
}

const KEEP_OUTPUT = 256 * 1024;

/** `docker run --name NAME ...` for a graded run: never --rm (it is inspected after exit), swap capped at the memory limit. */
export function gradedRunCommand(engine: Engine, req: RunRequest, name: string): Command {
  const extra = [...(req.memory ? ["--memory-swap", req.memory] : []), ...(req.extra ?? [])];
  return runCommand(engine, { ...req, name, remove: false, interactive: false, tty: false, extra });
}

export function containerName(): string {
  return `r2d-grade-${randomBytes(6).toString("hex")}`;
}

/** `docker diff` output → changes. */
export function parseDiff(text: string): ContainerChange[] {
  const out: ContainerChange[] = [];
  for (const line of text.split("\n")) {
    const m = /^([ACD]) (\/.*)$/.exec(line.trim());
    if (m) out.push({ kind: m[1] as ContainerChange["kind"], path: m[2]! });
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Docker = (args: string[], timeoutMs?: number) => Promise<CaptureResult>;

/** Docker commands about one container; each command logged once under --debug (the samplers repeat theirs). */
function dockerFor(engine: Engine, onDebug: DebugLog): Docker {
  const client = dockerClientOf(engine);
  const logged = new Set<string>();
  return (args, timeoutMs = 30_000) => {
    const key = args.join("\0");
    const log = logged.has(key) ? undefined : onDebug;
    logged.add(key);
    return capture(client, args, { env: { ...engine.env }, timeoutMs, onDebug: log });
  };
}

/** What `docker inspect` and `docker diff` say about an exited container. */
async function readOutcome(docker: Docker, name: string, client: ProcessExit, wallMs: number) {
  const st = await docker(["inspect", "--format", "{{json .State}}", name]);
  type State = { ExitCode?: number; OOMKilled?: boolean; StartedAt?: string; FinishedAt?: string; Error?: string };
  let state: State | null = null;
  if (st.exitCode === 0) {
    try {
      state = JSON.parse(st.stdout) as State;
    } catch {
      state = null;
    }
  }
  const started = state?.StartedAt ? Date.parse(state.StartedAt) : NaN;
  const finished = state?.FinishedAt ? Date.parse(state.FinishedAt) : NaN;
  const ran = Number.isFinite(started) && started > 0;
  const durationMs = ran && Number.isFinite(finished) && finished >= started ? finished - started : wallMs;
  const diff = ran ? await docker(["diff", name]) : null;
  return {
    ran,
    state,
    exitCode: state?.ExitCode ?? client.exitCode ?? null,
    oomKilled: Boolean(state?.OOMKilled),
    durationMs,
    changes: diff?.exitCode === 0 ? parseDiff(diff.stdout) : [],
  };
}

/** Starts the container; its outcome arrives on `done`. */
export function startContainer(engine: Engine, req: RunRequest, opts: StartOptions): RunningContainer {
  if (opts.signal?.aborted) throw new AbortError("the grading was aborted before it started", { cause: opts.signal.reason });
  const docker = dockerFor(engine, opts.onDebug);
  const name = containerName();
  const cmd = gradedRunCommand(engine, req, name);
  let exited = false;
  let timedOut = false;
  const t0 = Date.now();

  let removal: Promise<unknown> | undefined;
  const remove = async (): Promise<void> => {
    removal ??= docker(["rm", "-f", "-v", name]);
    await removal;
  };
  const proc = startProcess(cmd, {
    label: "grade",
    onDebug: opts.onDebug,
    keepOutput: KEEP_OUTPUT,
    signal: opts.signal,
    onAbort: () => {
      void remove();
      proc.kill("SIGKILL");
    },
  });
  // Ctrl-C and SIGTERM: the cleanup registry; SIGKILL of r2d: the watchdog.
  const unguard = guardCommand([cmd.file, "rm", "-f", "-v", name], cmd.env);
  const disposeCleanup = onCleanup(async () => {
    await remove();
    unguard();
  });

  const kill = async (): Promise<void> => {
    // Retried: a container still being created cannot be killed yet.
    while (!exited) {
      const r = await docker(["kill", name]);
      if (r.exitCode === 0 || exited) return;
      await sleep(300);
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    void kill();
  }, opts.timeoutMs);
  timer.unref();
  const memory = sampleMemory(name, docker, () => exited);

  const done = (async (): Promise<ContainerOutcome> => {
    const client = await proc.exited;
    exited = true;
    clearTimeout(timer);
    await memory.done.catch(() => {});
    if (opts.signal?.aborted) {
      await remove();
      // Once more now that the client is gone: a create still in flight at the first `rm -f` may have landed since.
      await docker(["rm", "-f", "-v", name]);
      await disposeCleanup();
      throw new AbortError("the grading was aborted", { cause: opts.signal.reason });
    }
    const { stdout, stderr } = proc.output();
    const o = await readOutcome(docker, name, client, Date.now() - t0);
    const startError = o.ran ? undefined : client.spawnError || o.state?.Error || stderr.trim().split("\n").slice(-3).join("\n") || "the container did not start";
    const { exitCode, oomKilled, durationMs, changes } = o;
    return { exitCode, oomKilled, timedOut, startError, durationMs, peakMemoryBytes: memory.peak.bytes, peakMemorySource: memory.peak.source, stdout, stderr, changes };
  })();

  // Awaited later (after HTTP calls, for instance): an abort in between must not count as unhandled.
  done.catch(() => {});
  return {
    name,
    done,
    exited: () => exited,
    output: () => proc.output(),
    kill,
    remove: async () => {
      await remove();
      await disposeCleanup();
    },
  };
}

/** Runs `id` in the image as the user a grader would get: "uid=1000(jovyan) gid=...". */
export async function imageUser(engine: Engine, image: string, configUser: string, opts: { platform?: string; onDebug?: DebugLog } = {}): Promise<{ uid: number | null; name: string | null }> {
  const numeric = /^(\d+)(?::\d+)?$/.exec(configUser);
  if (configUser === "" || configUser === "root" || configUser.startsWith("root:")) return { uid: 0, name: "root" };
  const platform = opts.platform ? ["--platform", opts.platform] : [];
  const r = await capture(dockerClientOf(engine), ["run", "--rm", "--network", "none", ...platform, "--entrypoint", "id", image], { env: { ...engine.env }, timeoutMs: 60_000, onDebug: opts.onDebug });
  const m = /uid=(\d+)(?:\(([^)]*)\))?/.exec(r.stdout);
  if (r.exitCode === 0 && m) return { uid: Number(m[1]), name: m[2] ?? null };
  if (numeric) return { uid: Number(numeric[1]), name: null };
  return { uid: null, name: configUser.split(":")[0] ?? configUser };
}

/** `os/architecture` of a local image. */
export async function imagePlatform(engine: Engine, image: string, opts: { onDebug?: DebugLog } = {}): Promise<string | null> {
  const r = await capture(dockerClientOf(engine), ["image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", image], { env: { ...engine.env }, timeoutMs: 30_000, onDebug: opts.onDebug });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** The host address a published container port landed on, e.g. "127.0.0.1:49153". */
export async function publishedPort(engine: Engine, name: string, port: number, opts: { onDebug?: DebugLog } = {}): Promise<string | null> {
  const r = await capture(dockerClientOf(engine), ["port", name, `${port}/tcp`], { env: { ...engine.env }, timeoutMs: 30_000, onDebug: opts.onDebug });
  const line = r.stdout.split("\n").find((l) => l.startsWith("127.0.0.1:"));
  return r.exitCode === 0 && line ? line.trim() : null;
}

/**
 * Makes the files containers wrote under `dir` removable by anyone: a throw-away root container of
 * `image` runs `chmod -R a+rwX` on it (the files belong to the container's uid, which r2d may not be).
 */
export async function releaseFiles(engine: Engine, image: string, dir: string, opts: { onDebug?: DebugLog } = {}): Promise<void> {
  const args = ["run", "--rm", "--network", "none", "--user", "0", "--entrypoint", "chmod", "-v", `${dir}:/r2d-tmp`, image, "-R", "a+rwX", "/r2d-tmp"];
  await capture(dockerClientOf(engine), args, { env: { ...engine.env }, timeoutMs: 60_000, onDebug: opts.onDebug });
}
