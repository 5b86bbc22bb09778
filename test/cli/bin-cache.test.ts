/**
 * The bin's V8 code cache (src/cli/bin.ts, src/cli/compile-cache.ts), end to end on the bundle:
 * kept after a first run, used by the next, replaced when V8 refuses it, private, and never a
 * reason for the CLI to fail. R2D_COMPILE_CACHE_DEBUG has the bin say what became of it.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledPackage } from "../helpers/bundle.js";
import { TempFiles } from "../helpers/repo.js";

const temp = new TempFiles();
afterAll(() => temp.cleanup());

let bin: string;
let repo: string;

beforeAll(async () => {
  bin = path.join(await bundledPackage(temp), "dist", "bin", "r2d.js");
  repo = await temp.repo({ "requirements.txt": "requests\n", "run.sh": "#!/bin/sh\npython main.py\n", "main.py": "print(1)\n" });
}, 60_000);

/** One planning run: the plan's buildpack, and what the bin said of the cache ("none", "written", …). */
function plan(env: NodeJS.ProcessEnv): { buildpack: string; said: string[] } {
  const r = spawnSync(process.execPath, [bin, repo, "--no-build", "--json"], {
    encoding: "utf8",
    env: { ...process.env, R2D_NO_COMPILE_CACHE: "", ...env, R2D_COMPILE_CACHE_DEBUG: "1" },
  });
  expect(r.status, r.stderr).toBe(0);
  const prefix = "r2d: compile cache: ";
  const said = r.stderr.split("\n").flatMap((l) => (l.startsWith(prefix) ? [l.slice(prefix.length).replace(/ \/.*$/, "")] : []));
  return { buildpack: (JSON.parse(r.stdout) as { buildpack: string }).buildpack, said };
}

/** The cache files under an XDG_CACHE_HOME. */
function cacheFiles(xdg: string): string[] {
  const dir = path.join(xdg, "r2d", "v8");
  return readdirSync(dir).map((name) => path.join(dir, name));
}

describe("the bin's code cache", () => {
  it("is written by a first run, private, and used by the next", async () => {
    const xdg = await temp.dir("r2d-xdg-");
    expect(plan({ XDG_CACHE_HOME: xdg })).toEqual({ buildpack: "python", said: ["none", "written"] });
    const [file, ...more] = cacheFiles(xdg);
    expect(more).toEqual([]);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file!)).mode & 0o777).toBe(0o700);
    expect(plan({ XDG_CACHE_HOME: xdg })).toEqual({ buildpack: "python", said: ["accepted"] });
  });

  it("replaces a file V8 refuses, and is used after", async () => {
    const xdg = await temp.dir("r2d-xdg-");
    plan({ XDG_CACHE_HOME: xdg });
    const [file] = cacheFiles(xdg);
    await writeFile(file!, "not V8's code");
    expect(plan({ XDG_CACHE_HOME: xdg }).said).toEqual(["rejected", "written"]);
    expect(plan({ XDG_CACHE_HOME: xdg }).said).toEqual(["accepted"]);
  });

  it("keeps none, and still runs, where its folder cannot be made", async () => {
    const xdg = await temp.dir("r2d-xdg-");
    await writeFile(path.join(xdg, "r2d"), "a file where the folder would go");
    expect(plan({ XDG_CACHE_HOME: xdg })).toEqual({ buildpack: "python", said: ["none", "not written"] });
  });

  it("is neither read nor written under R2D_NO_COMPILE_CACHE", async () => {
    const xdg = await temp.dir("r2d-xdg-");
    plan({ XDG_CACHE_HOME: xdg });
    expect(plan({ XDG_CACHE_HOME: xdg, R2D_NO_COMPILE_CACHE: "1" })).toEqual({ buildpack: "python", said: ["off"] });
    const other = await temp.dir("r2d-xdg-");
    plan({ XDG_CACHE_HOME: other, R2D_NO_COMPILE_CACHE: "1" });
    expect(readdirSync(other)).toEqual([]);
  });
});
