/**
 * Peak memory of a running container: read from the host's cgroup files of its main process
 * (`/proc/<pid>/cgroup` → `memory.max_usage_in_bytes` on cgroup v1, `memory.peak` or
 * `memory.current` on v2), every 100 ms; where the host files cannot be read (a remote daemon),
 * `docker exec <name> cat` of the same files inside the container, every second.
 * `docker stats --no-stream` is not used: it reports current use, not the peak, and takes
 * about two seconds per sample.
 */
import { readFile } from "node:fs/promises";
import type { CaptureResult } from "./exec.js";

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const readable = (f: string): Promise<boolean> =>
  readFile(f, "utf8").then(
    () => true,
    () => false,
  );

export interface MemoryPeak {
  bytes: number | null;
  source: "cgroup" | "exec" | null;
}

/**
 * Samples the container's memory until `exited()`; the peak so far is in the returned object.
 * `docker(args, timeoutMs)` runs a docker command against the container's daemon.
 */
export function sampleMemory(name: string, docker: (args: string[], timeoutMs?: number) => Promise<CaptureResult>, exited: () => boolean): { peak: MemoryPeak; done: Promise<void> } {
  const peak: MemoryPeak = { bytes: null, source: null };
  const record = (text: string, source: "cgroup" | "exec"): void => {
    const n = Number(text.trim());
    if (Number.isFinite(n) && n > 0 && text.trim() !== "") {
      peak.bytes = Math.max(peak.bytes ?? 0, n);
      peak.source = source;
    }
  };
  const done = (async () => {
    let pid = 0;
    while (!exited() && pid <= 0) {
      const r = await docker(["inspect", "--format", "{{.State.Pid}}", name], 10_000);
      pid = r.exitCode === 0 ? Number(r.stdout.trim()) || 0 : 0;
      if (pid <= 0) await sleep(50);
    }
    if (exited()) return;
    const files = memoryFiles(await readFile(`/proc/${pid}/cgroup`, "utf8").catch(() => ""));
    let hostFile: string | undefined;
    for (const f of files) {
      if (await readable(f)) {
        hostFile = f;
        break;
      }
    }
    if (hostFile) {
      while (!exited()) {
        const text = await readFile(hostFile, "utf8").catch(() => null);
        if (text === null) break; // the cgroup is gone: the container has stopped
        record(text, "cgroup");
        await sleep(100);
      }
      return;
    }
    while (!exited()) {
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
  return { peak, done };
}
