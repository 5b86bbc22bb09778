/**
 * The CLI as installed: `bin` is the one-file bundle scripts/bundle.mjs makes (in `prepare`, so
 * `npm ci` makes it). Built here into a throwaway package layout, it must plan exactly as the
 * library does, and planning alone must load no package from node_modules (the parsers, tar-stream,
 * semver and the engine's helpers are loaded on first use).
 */
import { execFileSync } from "node:child_process";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo } from "../../src/build-repo.js";
import { TempFiles } from "../helpers/repo.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const temp = new TempFiles();
afterAll(() => temp.cleanup());

let bundle: string;
let loadedLog: string;

beforeAll(async () => {
  // The bundle finds buildpacks/, package.json and node_modules/ two folders above itself.
  const pkg = await temp.dir("r2d-bundle-");
  await symlink(path.join(ROOT, "buildpacks"), path.join(pkg, "buildpacks"));
  await symlink(path.join(ROOT, "node_modules"), path.join(pkg, "node_modules"));
  await writeFile(path.join(pkg, "package.json"), await readFile(path.join(ROOT, "package.json")));
  await mkdir(path.join(pkg, "dist"));
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "bundle.mjs"), "--outdir", path.join(pkg, "dist", "bin")], { stdio: "pipe" });
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
  return execFileSync(process.execPath, [...pre, bundle, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("the bundled CLI", () => {
  it("is what package.json's bin names, made by build and prepare", async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.bin).toEqual({ r2d: "dist/bin/r2d.js" });
    for (const script of ["build", "prepare"]) expect(pkg.scripts[script]).toMatch(/node scripts\/bundle\.mjs/);
  });

  it("is one file that imports only Node's own modules", async () => {
    const text = await readFile(bundle, "utf8");
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
    const imports = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((s) => !s!.startsWith("node:"))).toEqual([]);
    expect(text).not.toMatch(/\bimport\(\s*"(?!node:)[^"]*"\s*\)/);
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
