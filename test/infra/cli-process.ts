/**
 * Fault-test plumbing: the compiled CLI as a child process whose `--json` events can be waited
 * for, a docker client that is slow on purpose (to hold r2d in a phase), and the traces r2d
 * must not leave: r2d-* folders in its TMPDIR, processes naming that TMPDIR, containers and
 * images carrying the run's label.
 */
import { chmod, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa, type ResultPromise } from "execa";

export interface CliProcess {
  child: ResultPromise;
  pid: number;
  /** Every `--json` event so far. */
  events: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the first event matching (also one already seen); rejects when r2d exits first or after `ms`. */
  waitFor(match: (e: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  /** Resolves when r2d has exited: its exit code, or the signal that killed it. */
  exited: Promise<{ exitCode?: number; signal?: string }>;
}

export function startCli(cli: string, args: string[], env: Record<string, string>): CliProcess {
  const child = execa(process.execPath, [cli, ...args], { reject: false, env, stdin: "ignore", buffer: false });
  const events: Record<string, unknown>[] = [];
  let stderr = "";
  let partial = "";
  const waiters = new Set<() => void>();
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    partial += chunk;
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not an event */
      }
    }
    for (const w of [...waiters]) w();
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => void (stderr += chunk));
  const exited = child.then((r) => ({ exitCode: r.exitCode, signal: r.signal }));
  const waitFor: CliProcess["waitFor"] = (match, ms = 240_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const hit = events.find(match);
        if (!hit) return;
        cleanup();
        resolve(hit);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no such event within ${ms / 1000} s; stderr:\n${stderr}`));
      }, ms);
      const cleanup = () => {
        waiters.delete(check);
        clearTimeout(timer);
      };
      waiters.add(check);
      void exited.then(() => {
        if (!waiters.has(check)) return;
        cleanup();
        reject(new Error(`r2d exited before the event; stderr:\n${stderr}`));
      });
      check();
    });
  return { child, pid: child.pid!, events, stderr: () => stderr, waitFor, exited };
}

/** `{"event":"phase","phase":"X"}` */
export const phase = (name: string) => (e: Record<string, unknown>) => e.event === "phase" && e.phase === name;
/** A build step (progress event) whose name contains `text`, with this status. */
export const step = (text: string, status = "started") => (e: Record<string, unknown>) => {
  const p = e.progress as { type?: string; name?: string; status?: string } | undefined;
  return e.event === "progress" && p?.type === "step" && (p.name ?? "").includes(text) && p.status === status;
};
/** A line of build output containing `text`. */
export const logLine = (text: string) => (e: Record<string, unknown>) => {
  const p = e.progress as { type?: string; text?: string } | undefined;
  return e.event === "progress" && p?.type === "log" && (p.text ?? "").includes(text);
};

/**
 * A docker client that sleeps before some subcommands (`version`: the engine probe, in the planning
 * phase; `network`: the bridge check, answered while the context is selected), then runs the real one.
 */
export async function slowDocker(dir: string, realDocker: string, delays: { version?: number; network?: number }): Promise<string> {
  const file = path.join(dir, "slow-docker");
  const script = [
    "#!/bin/sh",
    `case "$1" in`,
    `  version) sleep ${delays.version ?? 0} ;;`,
    `  network) sleep ${delays.network ?? 0} ;;`,
    "esac",
    `exec '${realDocker}' "$@"`,
    "",
  ].join("\n");
  await writeFile(file, script);
  await chmod(file, 0o755);
  return file;
}

/** r2d's own entries in a TMPDIR (run folders, old build or clone folders). */
export async function r2dEntries(tmp: string): Promise<string[]> {
  return (await readdir(tmp)).filter((n) => n.startsWith("r2d-"));
}

/** Processes (other than this one) whose command line mentions `text`, as "pid args". */
export async function processesMentioning(text: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(text)) out.push(`${name} ${cmdline.replace(/\0/g, " ").trim()}`);
  }
  return out;
}

/** Child processes of `pid` (from /proc), with their command lines. */
export async function childrenOf(pid: number): Promise<{ pid: number; args: string }[]> {
  const out: { pid: number; args: string }[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid !== pid) continue;
    out.push({ pid: Number(name), args: (await readFile(`/proc/${name}/cmdline`, "utf8").catch(() => "")).replace(/\0/g, " ").trim() });
  }
  return out;
}

/** Polls until `cond` holds (true) or `ms` pass (false). */
export async function eventually(cond: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}
