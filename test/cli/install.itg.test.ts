/**
 * The README's install works as written: after `npm ci` (done: this checkout), `npm link
 * --ignore-scripts` puts a working `r2d` on the PATH. npm's global folder is a temporary prefix
 * here, so the machine's own is left alone; no engine is needed.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/infra.js";
import { TempFiles } from "../helpers/repo.js";
import { compileCli } from "../integration/helpers.js";

const temp = new TempFiles();
beforeAll(() => compileCli());
afterAll(() => temp.cleanup());

describe("installing r2d from a clone", () => {
  it("the README's commands leave `r2d` runnable as users type it", async () => {
    const readme = await readFile(path.join(REPO_ROOT, "README.md"), "utf8");
    const install = readme.slice(readme.indexOf("## Install"), readme.indexOf("## The two commands"));
    expect(install).toContain("npm link --ignore-scripts");
    const prefix = await temp.dir("r2d-npm-prefix-");
    const env = { NPM_CONFIG_PREFIX: prefix };
    const link = await execa("npm", ["link", "--ignore-scripts", "--offline", "--no-audit", "--no-fund"], { cwd: REPO_ROOT, env, reject: false, all: true });
    expect(link.exitCode, String(link.all)).toBe(0);
    const elsewhere = await temp.dir("r2d-elsewhere-");
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    const r = await execa("r2d", ["--version"], { cwd: elsewhere, env: { PATH: `${path.join(prefix, "bin")}:${process.env.PATH ?? ""}` }, reject: false });
    expect(r.stdout.trim()).toBe(pkg.version);
    const help = await execa("r2d", ["--help"], { cwd: elsewhere, env: { PATH: `${path.join(prefix, "bin")}:${process.env.PATH ?? ""}` }, reject: false });
    expect(help.stdout).toContain("--progress <mode>");
  });
});
