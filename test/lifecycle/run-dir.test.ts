/**
 * One private temp folder per run, and the sweep of those killed runs left behind.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, lstat, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRunDir, lazyRunDir, RUN_DIR_NAME, STALE_AFTER_MS, sweepStaleRunDirs } from "../../src/run-dir.js";

const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

async function tmp(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), "r2d-rundir-test-"));
  made.push(d);
  return d;
}

/** A pid that is certainly not running: a child that has exited and been reaped. */
function deadPid(): number {
  return spawnSync("/bin/true").pid;
}

const old = (Date.now() - STALE_AFTER_MS - 60_000) / 1000;

async function runDirLike(parent: string, pid: number, opts: { age?: "old" | "new"; secret?: boolean } = {}): Promise<string> {
  const dir = path.join(parent, `r2d-${pid}-${Math.random().toString(36).slice(2, 8).padEnd(6, "x")}`);
  await mkdir(dir, { mode: 0o700 });
  if (opts.secret) {
    await mkdir(path.join(dir, "secrets"));
    await writeFile(path.join(dir, "secrets", "pip.conf"), "[global]\nindex-url = https://u:token@example.org/simple\n");
  }
  if (opts.age !== "new") await utimes(dir, old, old);
  return dir;
}

describe("createRunDir", () => {
  it("makes a private folder named r2d-<pid>-XXXXXX under TMPDIR, removed by dispose", async () => {
    const run = await createRunDir();
    expect(path.dirname(run.path)).toBe(os.tmpdir());
    expect(path.basename(run.path)).toMatch(RUN_DIR_NAME);
    expect(path.basename(run.path).startsWith(`r2d-${process.pid}-`)).toBe(true);
    const st = await lstat(run.path);
    expect(st.isDirectory()).toBe(true);
    expect(st.mode & 0o777).toBe(0o700);
    const sub = await run.subdir("secrets");
    expect((await lstat(sub)).mode & 0o777).toBe(0o700);
    await writeFile(path.join(sub, "pip.conf"), "x");
    await run.dispose();
    expect(existsSync(run.path)).toBe(false);
    await run.dispose(); // twice is harmless
  });

  it("gives parallel runs in one process separate folders", async () => {
    const runs = await Promise.all(Array.from({ length: 8 }, () => createRunDir()));
    expect(new Set(runs.map((r) => r.path)).size).toBe(8);
    await Promise.all(runs.map((r) => r.dispose()));
    expect(runs.some((r) => existsSync(r.path))).toBe(false);
  });

  it("lazyRunDir makes nothing until asked, and one folder however often asked", async () => {
    const before = (await readdir(os.tmpdir())).filter((n) => n.startsWith(`r2d-${process.pid}-`));
    const lazy = lazyRunDir();
    await lazy.dispose();
    expect((await readdir(os.tmpdir())).filter((n) => n.startsWith(`r2d-${process.pid}-`))).toEqual(before);
    const [a, b] = await Promise.all([lazy.get(), lazy.get()]);
    expect(a.path).toBe(b.path);
    await lazy.dispose();
    expect(existsSync(a.path)).toBe(false);
  });
});

describe("sweepStaleRunDirs", () => {
  it("removes a killed run's folder (its process gone, untouched for a minute), secrets included", async () => {
    const parent = await tmp();
    const stale = await runDirLike(parent, deadPid(), { secret: true });
    expect(await sweepStaleRunDirs({ dir: parent })).toEqual([stale]);
    expect(existsSync(stale)).toBe(false);
  });

  it("keeps folders of live processes, recent folders, other names, links and other users' folders", async () => {
    const parent = await tmp();
    const live = await runDirLike(parent, process.ppid);
    const recent = await runDirLike(parent, deadPid(), { age: "new" });
    const otherName = path.join(parent, `r2d-itg-${deadPid()}-abcdef`);
    await mkdir(otherName);
    await utimes(otherName, old, old);
    // A link named like a run folder, pointing at a folder that must survive.
    const target = await tmp();
    await writeFile(path.join(target, "keep"), "x");
    const link = path.join(parent, `r2d-${deadPid()}-linkxx`);
    await symlink(target, link);
    const file = path.join(parent, `r2d-${deadPid()}-filexx`);
    await writeFile(file, "x");
    await utimes(file, old, old);
    const foreign = await runDirLike(parent, deadPid());
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      await chown(foreign, 4242, 4242);
      await utimes(foreign, old, old);
    }

    const removed = await sweepStaleRunDirs({ dir: parent });
    expect(removed).toEqual(asRoot ? [] : [foreign]);
    for (const p of [live, recent, otherName, link, file, path.join(target, "keep")]) expect(existsSync(p), p).toBe(true);
    expect(existsSync(foreign)).toBe(asRoot);
  });

  it("also removes build folders of earlier r2d versions (which held pip.conf)", async () => {
    const parent = await tmp();
    const dir = path.join(parent, `r2d-build--${deadPid()}-fk6StwrH1HnZ`);
    await mkdir(dir);
    await writeFile(path.join(dir, "pip.conf"), "x");
    await utimes(dir, old, old);
    expect(await sweepStaleRunDirs({ dir: parent })).toEqual([dir]);
  });
});
