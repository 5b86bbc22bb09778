/**
 * The compiled CLI on hostile repositories: `r2d REPO --no-build --json` exits 2 with one error
 * event naming the file, and prints nothing from outside the repository (a marker file next to
 * it, and r2d's own environment through /proc/self/environ). No engine is needed.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, compileCli } from "../integration/helpers.js";
import type { Tree } from "../helpers/repo.js";
import { makeJail, type Jail } from "../source/helpers.js";

const run = promisify(execFile);
const jails: Jail[] = [];
beforeAll(() => compileCli());
afterAll(async () => {
  for (const j of jails.splice(0)) await j.cleanup();
});

async function jail(files: Tree): Promise<Jail> {
  const j = await makeJail(files);
  jails.push(j);
  return j;
}

describe("r2d --no-build --json on hostile repositories", () => {
  it.each<[string, Tree, string[], RegExp]>([
    ["runtime.txt -> /proc/self/environ", { "runtime.txt": { symlink: "/proc/self/environ" }, "requirements.txt": "numpy\n" }, [], /^runtime\.txt: is a symlink to "\/proc\/self\/environ", outside the repository/],
    ["apt.txt -> outside file", { "apt.txt": { symlink: "OUTSIDE/secret.txt" } }, [], /^apt\.txt: is a symlink to .*, outside the repository/],
    ["binder -> ..", { binder: { symlink: ".." }, "requirements.txt": "numpy\n" }, [], /^binder: is a symlink to "\.\.", outside the repository/],
    ["--subdir through a link out", { ext: { symlink: "OUTSIDE" } }, ["--subdir", "ext"], /^--subdir: --subdir ext is a symlink to .*, outside the repository/],
    ["-r to a file outside", { "requirements.txt": "numpy\n-r ../outside/requirements.txt\n" }, [], /^requirements\.txt:2: -r "\.\.\/outside\/requirements\.txt" is outside the repository/],
    ["dependencies is a string", { "environment.yml": "dependencies: numpy\n" }, [], /^environment\.yml:1: `dependencies` must be a list/],
    ["a directory named runtime.txt", { "runtime.txt/": { dir: true } }, [], /^runtime\.txt: is a directory, not a file/],
  ])("%s → exit 2, the message, no outside content", async (_, files, flags, message) => {
    const j = await jail(files);
    const r = await cli([j.repo, "--no-build", "--json", ...flags], { env: { R2D_TEST_ENV_MARKER: `${j.marker}-env` } });
    expect(r.exitCode).toBe(2);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; error?: { name: string; message: string } });
    expect(events.at(-1)?.event).toBe("error");
    expect(events.at(-1)?.error?.name).toBe("ConfigError");
    expect(events.at(-1)?.error?.message).toMatch(message);
    expect(r.stderr).toMatch(/hint: /);
    expect(`${r.stdout}${r.stderr}`).not.toContain(j.marker);
    expect(r.stderr).not.toMatch(/\n\s+at .*\(.*\.js:\d+:\d+\)/); // no stack trace
  });

  it("a sparse 3 GB environment.yml → exit 2 naming the file and its size, at once", async () => {
    const j = await jail({});
    await run("truncate", ["-s", "3G", path.join(j.repo, "environment.yml")]);
    const started = Date.now();
    const r = await cli([j.repo, "--no-build", "--json"]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/environment\.yml: is 3 GiB; r2d reads config files up to 4 MiB/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
