/**
 * The CLI as installed: `bin` is the loader of the one-file bundle scripts/bundle.mjs makes (in
 * `prepare`, so `npm ci` makes it). Built here into a throwaway package layout, it must plan exactly
 * as the library does, and planning alone must load no package from node_modules (the parsers,
 * tar-stream, semver and the engine's helpers are loaded on first use). The code cache: bin-cache.test.ts.
 */
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo } from "../../src/build-repo.js";
import { bundledPackage, ROOT } from "../helpers/bundle.js";
import { TempFiles } from "../helpers/repo.js";

const temp = new TempFiles();
afterAll(() => temp.cleanup());

let bundle: string;
let loadedLog: string;

beforeAll(async () => {
  const pkg = await bundledPackage(temp);
  bundle = path.join(pkg, "dist", "bin", "r2d.js");
  loadedLog = path.join(pkg, "loaded.json");
  // Notes at exit every CommonJS module the process loaded (a package required on first use shows up here).
  await writeFile(
    path.join(pkg, "hook.mjs"),
    [
      'import { writeFileSync } from "node:fs";',
      'import { createRequire } from "node:module";',
      'const Module = createRequire(import.meta.url)("node:module");',
      `process.on("exit", () => writeFileSync(${JSON.stringify(loadedLog)}, JSON.stringify(Object.keys(Module._cache))));`,
      "",
    ].join("\n"),
  );
}, 60_000);

function r2d(args: string[], hook = false): string {
  const pre = hook ? [`--import=${path.join(path.dirname(loadedLog), "hook.mjs")}`] : [];
  const env = { ...process.env, XDG_CACHE_HOME: path.join(path.dirname(loadedLog), "cache") };
  return execFileSync(process.execPath, [...pre, bundle, ...args], { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });
}

describe("the bundled CLI", () => {
  it("is what package.json's bin names, made by build and prepare", async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.bin).toEqual({ r2d: "dist/bin/r2d.js" });
    for (const script of ["build", "prepare"]) expect(pkg.scripts[script]).toMatch(/node scripts\/bundle\.mjs/);
  });

  it("is a CommonJS loader and one CommonJS file that require only Node's own modules", async () => {
    const dir = path.dirname(bundle);
    expect(JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"))).toEqual({ type: "commonjs" });
    expect((await readFile(bundle, "utf8")).startsWith("#!/usr/bin/env node\n")).toBe(true);
    for (const file of [bundle, path.join(dir, "r2d-cli.cjs")]) {
      const text = await readFile(file, "utf8");
      expect(text).not.toMatch(/^\s*(?:import|export)\b[^;(]*?\bfrom\s*"/m);
      const required = [...text.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!);
      expect(required.length).toBeGreaterThan(0);
      // ejs requires "fs" and "path" by their old names.
      expect(required.filter((s) => !s.startsWith("node:") && s !== "fs" && s !== "path")).toEqual([]);
      // esbuild inlines the sources' import(); one left would run (the loader passes Node's own
      // loader to vm.Script) but print an ExperimentalWarning under Node 20.
      expect(text).not.toMatch(/\bimport\(/);
      expect(text).not.toContain("import.meta");
    }
  });

  it("plans exactly as the library does, loading no package from node_modules", async () => {
    const repo = await temp.repo({ "requirements.txt": "numpy==1.26.4\n", "run.sh": "#!/bin/sh\npython main.py\n", "main.py": "print(1)\n", "apt.txt": "curl\n" });
    const out = JSON.parse(r2d([repo, "--no-build", "--json"], true)) as Record<string, unknown>;
    const lib = await buildRepo(repo, { build: false });
    expect(out).toEqual(JSON.parse(JSON.stringify({ ...lib.plan, dockerfile: lib.dockerfile, imageName: lib.imageName })));
    const loaded = JSON.parse(await readFile(loadedLog, "utf8")) as string[];
    expect(loaded.filter((f) => f.includes(`${path.sep}node_modules${path.sep}`))).toEqual([]);
  });

  it("loads the YAML parser when a repository has an environment.yml", async () => {
    const repo = await temp.repo({ "environment.yml": "dependencies:\n  - python=3.11\n" });
    const out = JSON.parse(r2d([repo, "--no-build", "--json"], true)) as { buildpack: string };
    expect(out.buildpack).toBe("conda");
    const loaded = JSON.parse(await readFile(loadedLog, "utf8")) as string[];
    expect(loaded.some((f) => f.includes(`${path.sep}node_modules${path.sep}yaml${path.sep}`))).toBe(true);
  });

  it("requires semver from node_modules when a pyproject.toml says requires-python, as the library does", async () => {
    const repo = await temp.repo({ "pyproject.toml": '[project]\nname = "x"\nversion = "0.1"\nrequires-python = ">=3.11, <3.13"\n' });
    const out = JSON.parse(r2d([repo, "--no-build", "--json"], true)) as { python: string };
    expect(out.python).toBe((await buildRepo(repo, { build: false })).plan.python);
    expect(out.python).toBe("3.12");
    const loaded = JSON.parse(await readFile(loadedLog, "utf8")) as string[];
    expect(loaded.some((f) => f.includes(`${path.sep}node_modules${path.sep}semver${path.sep}`))).toBe(true);
  });

  it("answers --version and --help", () => {
    expect(r2d(["--version"]).trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(r2d(["--help"])).toContain("--no-build");
  });
});
