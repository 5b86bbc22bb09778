/**
 * The grader's container harness: start a named container (kept after exit so it can be
 * inspected and diffed), sample its peak memory while it runs, kill it at the wall-clock
 * limit, and always remove it.
 *
 * Peak memory: read from the host's cgroup files of the container's main process
 * (`/proc/<pid>/cgroup` → `memory.max_usage_in_bytes` on cgroup v1, `memory.peak` or
 * `memory.current` on v2), every 100 ms; where the host files cannot be read (a remote
 * daemon), `docker exec <name> cat` of the same files inside the container, every second.
 * `docker stats --no-stream` is not used: it reports current use, not the peak, and takes
 * about two seconds per sample.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { onCleanup } from "../cleanup.js";
import { AbortError, capture, formatCommand } from "../engine/exec.js";
import { dockerClientOf } from "../engine/image.js";
import { runCommand } from "../engine/run.js";
import { guardCommand } from "../engine/watchdog.js";
import type { Engine, RunRequest } from "../engine/types.js";

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
  onDebug?: (text: string) => void;
}

const KEEP_OUTPUT = 256 * 1024;

/** `docker run --name NAME ...` for a graded run: never --rm (it is inspected after exit), swap capped at the memory limit. */
export function gradedRunCommand(engine: Engine, req: RunRequest, name: string) {
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

/** The memory cgroup files of a process, from the text of `/proc/<pid>/cgroup`, best first. */
export function memoryFiles(procCgroup: string): string[] {
  const files: string[] = [];
  for (const line of procCgroup.split("\n")) {
    const [, controllers, p] = line.split(":");
    if (p === undefined) continue;
    if (controllers?.split(",").includes("memory")) files.push(`/sys/fs/cgroup/memory${p}/memory.max_usage_in_bytes`);
    else if (line.startsWith("0::")) files.push(`/sys/fs/cgroup${p}/memory.peak`, `/sys/fs/cgroup${p}/memory.current`);
  }
  return files;
}

const IN_CONTAINER_FILES = ["/sys/fs/cgroup/memory/memory.max_usage_in_bytes", "/sys/fs/cgroup/memory.peak", "/sys/fs/cgroup/memory.current"];

function appendTail(prev: string, chunk: string): string {
  const s = prev + chunk;
  return s.length > KEEP_OUTPUT ? s.slice(s.length - KEEP_OUTPUT) : s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the container; its outcome arrives on `done`. */
export function startContainer(engine: Engine, req: RunRequest, opts: StartOptions): RunningContainer {
  if (opts.signal?.aborted) throw new AbortError("the grading was aborted before it started", { cause: opts.signal.reason });
  const client = dockerClientOf(engine);
  const env = { ...engine.env };
  const name = containerName();
  const cmd = gradedRunCommand(engine, req, name);
  opts.onDebug?.(`grade: ${formatCommand(cmd)}`);
  const docker = (args: string[], timeoutMs = 30_000) => capture(client, args, { env, timeoutMs });

  let stdout = "";
  let stderr = "";
  let exited = false;
  let timedOut = false;
  const t0 = Date.now();
  const child = spawn(cmd.file, cmd.args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout = appendTail(stdout, c)));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr = appendTail(stderr, c)));
  const clientExit = new Promise<{ code: number | null; error?: string }>((resolve) => {
    child.once("error", (err) => resolve({ code: null, error: err.message }));
    child.once("close", (code) => resolve({ code }));
  });

  let removal: Promise<unknown> | undefined;
  const remove = async (): Promise<void> => {
    removal ??= docker(["rm", "-f", "-v", name]);
    await removal;
  };
  // Ctrl-C and SIGTERM: the cleanup registry; SIGKILL of r2d: the watchdog.
  const unguard = guardCommand([client, "rm", "-f", "-v", name], env);
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

  let peak: number | null = null;
  let peakSource: ContainerOutcome["peakMemorySource"] = null;
  const sampler = (async () => {
    let pid = 0;
    while (!exited && pid <= 0) {
      const r = await docker(["inspect", "--format", "{{.State.Pid}}", name], 10_000);
      pid = r.exitCode === 0 ? Number(r.stdout.trim()) || 0 : 0;
      if (pid <= 0) await sleep(50);
    }
    if (exited) return;
    const files = memoryFiles(await readFile(`/proc/${pid}/cgroup`, "utf8").catch(() => ""));
    let hostFile: string | undefined;
    for (const f of files) {
      if (await readFile(f, "utf8").then(() => true, () => false)) {
        hostFile = f;
        break;
      }
    }
    const record = (text: string, source: "cgroup" | "exec") => {
      const n = Number(text.trim());
      if (Number.isFinite(n) && n > 0 && text.trim() !== "") {
        peak = Math.max(peak ?? 0, n);
        peakSource = source;
      }
    };
    if (hostFile) {
      while (!exited) {
        const text = await readFile(hostFile, "utf8").catch(() => null);
        if (text === null) break; // the cgroup is gone: the container has stopped
        record(text, "cgroup");
        await sleep(100);
      }
      return;
    }
    while (!exited) {
      for (const f of IN_CONTAINER_FILES) {
        const r = await docker(["exec", name, "cat", f], 5000);
        if (r.exitCode === 0) {
          record(r.stdout, "exec");
          break;
        }
      }
      await sleep(1000);
    }
  })();

  const abort = (): void => {
    void remove();
    child.kill("SIGKILL");
  };
  opts.signal?.addEventListener("abort", abort, { once: true });

  const done = (async (): Promise<ContainerOutcome> => {
    const client = await clientExit;
    exited = true;
    clearTimeout(timer);
    await sampler.catch(() => {});
    opts.signal?.removeEventListener("abort", abort);
    if (opts.signal?.aborted) {
      await remove();
      // Once more now that the client is gone: a create still in flight at the first `rm -f` may have landed since.
      await docker(["rm", "-f", "-v", name]);
      await disposeCleanup();
      throw new AbortError("the grading was aborted", { cause: opts.signal.reason });
    }
    const wall = Date.now() - t0;
    const st = await docker(["inspect", "--format", "{{json .State}}", name]);
    let state: { ExitCode?: number; OOMKilled?: boolean; StartedAt?: string; FinishedAt?: string; Error?: string } | null = null;
    if (st.exitCode === 0) {
      try {
        state = JSON.parse(st.stdout);
      } catch {
        state = null;
      }
    }
    const started = state?.StartedAt ? Date.parse(state.StartedAt) : NaN;
    const finished = state?.FinishedAt ? Date.parse(state.FinishedAt) : NaN;
    const ran = Number.isFinite(started) && started > 0;
    const durationMs = ran && Number.isFinite(finished) && finished >= started ? finished - started : wall;
    const diff = ran ? await docker(["diff", name]) : null;
    const startError = ran ? undefined : client.error || state?.Error || stderr.trim().split("\n").slice(-3).join("\n") || "the container did not start";
    return {
      exitCode: state?.ExitCode ?? client.code ?? null,
      oomKilled: Boolean(state?.OOMKilled),
      timedOut,
      startError,
      durationMs,
      peakMemoryBytes: peak,
      peakMemorySource: peakSource,
      stdout,
      stderr,
      changes: diff?.exitCode === 0 ? parseDiff(diff.stdout) : [],
    };
  })();

  // Awaited later (after HTTP calls, for instance): an abort in between must not count as unhandled.
  done.catch(() => {});
  return {
    name,
    done,
    exited: () => exited,
    output: () => ({ stdout, stderr }),
    kill,
    remove: async () => {
      await remove();
      await disposeCleanup();
    },
  };
}

/** Runs `id` in the image as the user a grader would get: "uid=1000(jovyan) gid=...". */
export async function imageUser(engine: Engine, image: string, configUser: string, platform?: string): Promise<{ uid: number | null; name: string | null }> {
  const numeric = /^(\d+)(?::\d+)?$/.exec(configUser);
  if (configUser === "" || configUser === "root" || configUser.startsWith("root:")) return { uid: 0, name: "root" };
  const r = await capture(
    dockerClientOf(engine),
    ["run", "--rm", "--network", "none", ...(platform ? ["--platform", platform] : []), "--entrypoint", "id", image],
    { env: { ...engine.env }, timeoutMs: 60_000 },
  );
  const m = /uid=(\d+)(?:\(([^)]*)\))?/.exec(r.stdout);
  if (r.exitCode === 0 && m) return { uid: Number(m[1]), name: m[2] ?? null };
  if (numeric) return { uid: Number(numeric[1]), name: null };
  return { uid: null, name: configUser.split(":")[0] ?? configUser };
}

/** `os/architecture` of a local image. */
export async function imagePlatform(engine: Engine, image: string): Promise<string | null> {
  const r = await capture(dockerClientOf(engine), ["image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", image], { env: { ...engine.env }, timeoutMs: 30_000 });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** The host address a published container port landed on, e.g. "127.0.0.1:49153". */
export async function publishedPort(engine: Engine, name: string, port: number): Promise<string | null> {
  const r = await capture(dockerClientOf(engine), ["port", name, `${port}/tcp`], { env: { ...engine.env }, timeoutMs: 30_000 });
  const line = r.stdout.split("\n").find((l) => l.startsWith("127.0.0.1:"));
  return r.exitCode === 0 && line ? line.trim() : null;
}
