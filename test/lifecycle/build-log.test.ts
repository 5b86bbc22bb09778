/**
 * The failed build's log: in the user's cache folder, private, created exclusively; a planted
 * link or folder is neither followed nor a crash.
 */
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildLogDir, writeBuildLog } from "../../src/cli/build-log.js";

const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

async function tmp(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), "r2d-buildlog-test-"));
  made.push(d);
  return d;
}

function fallbackCleanup(file: string | undefined): void {
  if (file && path.basename(path.dirname(file)).startsWith("r2d-log-")) made.push(path.dirname(file));
}

describe("writeBuildLog", () => {
  it("writes $XDG_CACHE_HOME/r2d/logs/build-….log, folders 0700, file 0600", async () => {
    const cache = await tmp();
    const kept = await writeBuildLog("step 3 failed\n", { XDG_CACHE_HOME: cache });
    expect(kept.problem).toBeUndefined();
    expect(path.dirname(kept.file!)).toBe(path.join(cache, "r2d", "logs"));
    expect(path.basename(kept.file!)).toMatch(/^build-\d{4}-\d\d-\d\dT[\d-]+Z-[0-9a-f]{12}\.log$/);
    expect(await readFile(kept.file!, "utf8")).toBe("step 3 failed\n");
    expect((await lstat(kept.file!)).mode & 0o777).toBe(0o600);
    expect((await lstat(path.join(cache, "r2d"))).mode & 0o777).toBe(0o700);
    expect((await lstat(path.join(cache, "r2d", "logs"))).mode & 0o777).toBe(0o700);
    const again = await writeBuildLog("x", { XDG_CACHE_HOME: cache });
    expect(again.file).not.toBe(kept.file);
  });

  it("defaults to ~/.cache and ignores a relative XDG_CACHE_HOME", () => {
    expect(buildLogDir({})).toBe(path.join(os.homedir(), ".cache", "r2d", "logs"));
    expect(buildLogDir({ XDG_CACHE_HOME: "relative/cache" })).toBe(path.join(os.homedir(), ".cache", "r2d", "logs"));
  });

  it("does not follow a planted link to the logs folder: the log goes to a fresh private folder instead", async () => {
    const cache = await tmp();
    const elsewhere = await tmp();
    await mkdir(path.join(cache, "r2d"), { mode: 0o700 });
    await symlink(elsewhere, path.join(cache, "r2d", "logs"));
    const kept = await writeBuildLog("secret-free log\n", { XDG_CACHE_HOME: cache });
    fallbackCleanup(kept.file);
    expect(await readdir(elsewhere)).toEqual([]);
    expect(kept.problem).toContain("is a symbolic link");
    expect(kept.file).toBeDefined();
    expect(path.basename(path.dirname(kept.file!))).toMatch(/^r2d-log-/);
    expect((await lstat(path.dirname(kept.file!))).mode & 0o777).toBe(0o700);
    expect(await readFile(kept.file!, "utf8")).toBe("secret-free log\n");
  });

  it("does not follow a planted link to the r2d folder, nor crash on a file where a folder should be", async () => {
    const cache = await tmp();
    const elsewhere = await tmp();
    await symlink(elsewhere, path.join(cache, "r2d"));
    const linked = await writeBuildLog("x", { XDG_CACHE_HOME: cache });
    fallbackCleanup(linked.file);
    expect(linked.problem).toContain("is a symbolic link");
    expect(await readdir(elsewhere)).toEqual([]);

    const other = await tmp();
    await writeFile(path.join(other, "r2d"), "a file");
    const blocked = await writeBuildLog("x", { XDG_CACHE_HOME: other });
    fallbackCleanup(blocked.file);
    expect(blocked.problem).toContain("is not a folder");
    expect(blocked.file).toBeDefined();
  });

  it("refuses a logs folder others can write to", async () => {
    const cache = await tmp();
    await mkdir(path.join(cache, "r2d", "logs"), { recursive: true });
    await chmod(path.join(cache, "r2d"), 0o700);
    await chmod(path.join(cache, "r2d", "logs"), 0o777);
    const kept = await writeBuildLog("x", { XDG_CACHE_HOME: cache });
    fallbackCleanup(kept.file);
    expect(kept.problem).toContain("writable by others");
    expect(await readdir(path.join(cache, "r2d", "logs"))).toEqual([]);
  });
});
