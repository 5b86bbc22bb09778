/**
 * One private temp folder per run: every temp file and folder r2d makes (a clone, the
 * materialised context, secret files, iid and metadata files, the grader's folders) lives in
 * `$TMPDIR/r2d-<pid>-XXXXXX`, made by mkdtemp (mode 0700, a fresh random name, never an existing
 * one). It is removed when the run ends, by the cleanup registry on SIGINT/SIGTERM, by the
 * watchdog when r2d is killed, and failing all that by the next run's sweep.
 */
import { lstat, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { onCleanup } from "./cleanup.js";
import { guardDir } from "./engine/watchdog.js";

/** Names r2d gives its run folders (and the sweep removes): r2d-<pid>-<mkdtemp's six characters>. */
export const RUN_DIR_NAME = /^r2d-(\d+)-[A-Za-z0-9]{6}$/;
/** Build folders of r2d versions before the run folder (tmp's r2d-build-<pid>-<12 characters>), which may hold a pip.conf. */
const OLD_BUILD_DIR_NAME = /^r2d-build--?(\d+)-[A-Za-z0-9]{12}$/;
/** A folder whose process is gone is left alone this long (a run in another PID namespace sharing TMPDIR). */
export const STALE_AFTER_MS = 60_000;

export interface RunDir {
  readonly path: string;
  /** A new sub-folder (mode 0700) of the run folder. */
  subdir(name: string): Promise<string>;
  /** Removes the folder and everything in it (once; later calls do nothing). */
  dispose(): Promise<void>;
}

let swept: Promise<void> | undefined;

/** Creates this run's folder (sweeping stale ones left by killed runs first, once per process). */
export async function createRunDir(): Promise<RunDir> {
  swept ??= sweepStaleRunDirs().then(() => undefined, () => undefined);
  await swept;
  const dir = await mkdtemp(path.join(os.tmpdir(), `r2d-${process.pid}-`));
  const unguard = guardDir(dir);
  const dispose = onCleanup(async () => {
    await rm(dir, { recursive: true, force: true });
    unguard();
  });
  return {
    path: dir,
    subdir: async (name) => {
      const sub = path.join(dir, name);
      await mkdir(sub, { mode: 0o700 });
      return sub;
    },
    dispose,
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes run folders that r2d processes left behind when they were killed: named by r2d, a real
 * folder (not a link) owned by this user, whose process is gone, untouched for a minute.
 * Returns the folders removed.
 */
export async function sweepStaleRunDirs(opts: { dir?: string; now?: number; staleAfterMs?: number } = {}): Promise<string[]> {
  const tmp = opts.dir ?? os.tmpdir();
  const now = opts.now ?? Date.now();
  const uid = process.getuid?.();
  const removed: string[] = [];
  for (const name of await readdir(tmp)) {
    const pid = Number((RUN_DIR_NAME.exec(name) ?? OLD_BUILD_DIR_NAME.exec(name))?.[1]);
    if (!pid || pid === process.pid) continue;
    const full = path.join(tmp, name);
    const st = await lstat(full).catch(() => null);
    if (!st?.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
    if (now - st.mtimeMs < (opts.staleAfterMs ?? STALE_AFTER_MS) || processAlive(pid)) continue;
    await rm(full, { recursive: true, force: true }).then(
      () => removed.push(full),
      () => {},
    );
  }
  return removed;
}

/** A run folder made on first use (planning alone needs none); dispose() removes it if it was made. */
export function lazyRunDir(): { get(): Promise<RunDir>; dispose(): Promise<void> } {
  let made: Promise<RunDir> | undefined;
  return {
    get: () => (made ??= createRunDir()),
    dispose: async () => {
      if (made) await (await made.catch(() => undefined))?.dispose();
    },
  };
}
