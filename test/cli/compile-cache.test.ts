/**
 * The code cache's parts, in this process (the bin end to end: bin-cache.test.ts): where a cache
 * is kept, which files are read, how they are written, and a CommonJS file run as Node would.
 */
import { chmodSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileCacheFile, compileWithCache, readCompileCache, runCommonJs, writeCompileCache } from "../../src/cli/compile-cache.js";
import { TempFiles } from "../helpers/repo.js";

const temp = new TempFiles();
afterAll(() => temp.cleanup());

describe("compileCacheFile", () => {
  const env = { XDG_CACHE_HOME: "/x/cache" };
  const source = Buffer.from("module.exports = 1;");

  it("is under r2d's cache folder, named by the source, Node and its flags", () => {
    const file = compileCacheFile(source, env, []);
    expect(path.dirname(file)).toBe("/x/cache/r2d/v8");
    expect(compileCacheFile(Buffer.from("module.exports = 1;"), env, [])).toBe(file);
    expect(compileCacheFile(Buffer.from("module.exports = 2;"), env, [])).not.toBe(file);
    expect(compileCacheFile(source, env, ["--jitless"])).not.toBe(file);
    expect(compileCacheFile(source, { ...env, NODE_OPTIONS: "--max-old-space-size=100" }, [])).not.toBe(file);
  });
});

describe("readCompileCache and writeCompileCache", () => {
  it("write atomically into a private folder, and read back", async () => {
    const file = path.join(await temp.dir("r2d-cc-"), "r2d", "v8", "a.v8code");
    expect(writeCompileCache(file, Buffer.from("code"))).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readdirSync(path.dirname(file))).toEqual(["a.v8code"]);
    expect(readCompileCache(file)?.toString()).toBe("code");
  });

  it("read nothing through a symbolic link, from a file others may write, or from no file", async () => {
    const dir = await temp.dir("r2d-cc-");
    writeFileSync(path.join(dir, "real.v8code"), "code", { mode: 0o600 });
    symlinkSync(path.join(dir, "real.v8code"), path.join(dir, "link.v8code"));
    expect(readCompileCache(path.join(dir, "link.v8code"))).toBeUndefined();
    writeFileSync(path.join(dir, "open.v8code"), "code");
    chmodSync(path.join(dir, "open.v8code"), 0o666);
    expect(readCompileCache(path.join(dir, "open.v8code"))).toBeUndefined();
    expect(readCompileCache(path.join(dir, "none.v8code"))).toBeUndefined();
  });

  it("write nothing, and say so, where the folder cannot be made", async () => {
    const dir = await temp.dir("r2d-cc-");
    writeFileSync(path.join(dir, "r2d"), "");
    expect(writeCompileCache(path.join(dir, "r2d", "v8", "a.v8code"), Buffer.from("code"))).toBe(false);
  });

  it("remove the files of other builds unused for a month", async () => {
    const dir = path.join(await temp.dir("r2d-cc-"), "v8");
    expect(writeCompileCache(path.join(dir, "old.v8code"), Buffer.from("old"))).toBe(true);
    expect(writeCompileCache(path.join(dir, "recent.v8code"), Buffer.from("recent"))).toBe(true);
    const { utimesSync } = await import("node:fs");
    const monthsAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    utimesSync(path.join(dir, "old.v8code"), monthsAgo, monthsAgo);
    expect(writeCompileCache(path.join(dir, "new.v8code"), Buffer.from("new"))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["new.v8code", "recent.v8code"]);
  });
});

describe("compileWithCache and runCommonJs", () => {
  it("run a CommonJS file as Node would, and keep its code", async () => {
    const dir = await temp.dir("r2d-cc-");
    const file = path.join(dir, "m.cjs");
    // A source of its own: V8 keeps compiled scripts per process too.
    writeFileSync(file, `"use strict"; module.exports = { file: __filename, dir: __dirname, sep: require("node:path").sep, strict: (function () { return this; })() === undefined, os: import("node:os"), id: ${Date.now()} };`);
    const compiled = compileWithCache(file, { XDG_CACHE_HOME: dir });
    expect(compiled.state).toBe("none");
    const out = runCommonJs(compiled.script, file) as { file: string; dir: string; sep: string; strict: boolean; os: Promise<{ platform(): string }> };
    expect(out).toMatchObject({ file, dir, sep: path.sep, strict: true });
    expect((await out.os).platform()).toBe(process.platform);
    expect(compiled.save()).toBe(true);
    expect(readCompileCache(compiled.file!)?.length).toBeGreaterThan(0);
  });

  it("keep nothing when turned off", async () => {
    const dir = await temp.dir("r2d-cc-");
    const file = path.join(dir, "m.cjs");
    writeFileSync(file, `module.exports = ${Date.now()};`);
    const compiled = compileWithCache(file, { XDG_CACHE_HOME: dir, R2D_NO_COMPILE_CACHE: "1" });
    expect(compiled).toMatchObject({ state: "off", file: undefined });
    expect(compiled.save()).toBe(false);
    expect(readdirSync(dir)).toEqual(["m.cjs"]);
  });
});
