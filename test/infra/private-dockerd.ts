/**
 * A second, private dockerd for fault tests that must break an engine (fill its disk, kill it
 * mid-build) without touching the shared one. Debian's dockerd runs next to the main daemon
 * with its own data root (a small tmpfs, so the disk can fill), exec root, pid file, socket and
 * the containerd it starts itself; no bridge, no iptables. `stop()` undoes everything, also after
 * the daemon was killed: build processes it left running, its containerd, mounts, cgroups.
 * Needs root (dockerd, mount), like test/infra/setup.sh.
 */
import { spawn } from "node:child_process";
import { existsSync, openSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";

export interface PrivateDockerd {
  /** `unix://…/docker.sock`, for DOCKER_HOST. */
  host: string;
  root: string;
  pid: number;
  /** The daemon's own log, for failure messages. */
  log(): Promise<string>;
  /** `docker …` against this daemon. */
  docker(args: string[], opts?: { input?: string }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** SIGKILL dockerd (its containerd dies with it; builds it ran are left behind, as in a crash). */
  kill(): void;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes whose root mount lives under `dir` (a build step of a killed daemon keeps running). */
async function processesUnder(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const mounts = await readFile(`/proc/${name}/mountinfo`, "utf8").catch(() => "");
    const rootLine = mounts.split("\n").find((l) => l.split(" ")[4] === "/");
    if (rootLine?.includes(dir)) out.push(Number(name));
  }
  return out;
}

async function cgroupsOf(pid: number): Promise<string[]> {
  const text = await readFile(`/proc/${pid}/cgroup`, "utf8").catch(() => "");
  return text
    .split("\n")
    .map((l) => l.split(":"))
    .filter((f) => f.length >= 3 && f[2] !== "/")
    .map(([, controllers, p]) => (controllers ? path.join("/sys/fs/cgroup", controllers.replace(/^name=/, ""), p ?? "") : path.join("/sys/fs/cgroup", p ?? "")));
}

export async function startPrivateDockerd(opts: { docker: string; diskMb?: number; images?: string[] }): Promise<PrivateDockerd> {
  if (process.getuid?.() !== 0) throw new Error("a private dockerd needs root (as test/infra/setup.sh does)");
  // Short paths: a unix socket path has a ~100-byte limit.
  const root = await mkdtemp(path.join(os.tmpdir(), "r2d-privd-"));
  const data = path.join(root, "data");
  await mkdir(data);
  await execa("mount", ["-t", "tmpfs", "-o", `size=${opts.diskMb ?? 450}m,mode=0700`, "tmpfs", data]);
  const sock = path.join(root, "docker.sock");
  const host = `unix://${sock}`;
  const logFile = path.join(root, "dockerd.log");
  const args = ["--data-root", data, "--exec-root", path.join(root, "exec"), "--pidfile", path.join(root, "dockerd.pid"), "-H", host];
  args.push("--bridge=none", "--iptables=false", "--ip6tables=false");
  const fd = openSync(logFile, "a");
  const daemon = spawn("dockerd", args, { detached: true, stdio: ["ignore", fd, fd] });
  daemon.unref();
  const pid = daemon.pid!;
  const docker: PrivateDockerd["docker"] = async (a, o = {}) => {
    const r = await execa(opts.docker, a, { env: { DOCKER_HOST: host }, reject: false, input: o.input, timeout: 120_000 });
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  const log = () => readFile(logFile, "utf8").catch(() => "");

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await sleep(100);
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
    const leftovers = await processesUnder(data);
    const cgroups = (await Promise.all(leftovers.map(cgroupsOf))).flat();
    for (const p of leftovers) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    const containerd = await execa("pgrep", ["-f", `${path.join(root, "exec")}/containerd`], { reject: false });
    for (const p of String(containerd.stdout).split("\n").filter(Boolean)) process.kill(Number(p), "SIGKILL");
    await sleep(300);
    const mounts = (await readFile("/proc/mounts", "utf8")).split("\n").map((l) => l.split(" ")[1] ?? "").filter((m) => m.startsWith(root));
    for (const m of mounts.sort().reverse()) await execa("umount", ["-l", m], { reject: false });
    for (const c of new Set(cgroups)) await rmdir(c).catch(() => {});
    await rm(root, { recursive: true, force: true });
  };

  try {
    for (let i = 0; ; i++) {
      if ((await docker(["version", "--format", "{{.Server.Version}}"])).exitCode === 0) break;
      if (i > 120) throw new Error(`the private dockerd did not start within 60 s:\n${(await log()).slice(-2000)}`);
      await sleep(500);
    }
    for (const image of opts.images ?? []) {
      // docker save | DOCKER_HOST=private docker load
      const save = execa(opts.docker, ["save", image], { buffer: false });
      const load = execa(opts.docker, ["load"], { env: { DOCKER_HOST: host }, reject: false });
      save.stdout.pipe(load.stdin);
      const [, loaded] = await Promise.all([save, load]);
      if (loaded.exitCode !== 0) throw new Error(`loading ${image} into the private dockerd failed: ${String(loaded.stderr)}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { host, root, pid, log, docker, kill: () => process.kill(pid, "SIGKILL"), stop };
}
