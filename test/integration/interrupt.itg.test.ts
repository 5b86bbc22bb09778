/**
 * Ctrl-C during a real build: the CLI stops the build, exits 130, leaves no tag, and removes its
 * temporary files (the build dir with the secrets, and a git clone).
 */
import { readdir } from "node:fs/promises";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { CLI, compileCli, imageId, Scope, script } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
  await compileCli();
});
afterAll(() => scope.dispose());

describe("Ctrl-C", () => {
  it("stops a build in postBuild: exit 130, no tag, no temp dirs left", async () => {
    const repo = await scope.repo({
      "requirements.txt": `${infra.pyDep}\n`,
      // A unique line so the step is never cached from an earlier run.
      postBuild: script(`#!/bin/bash\necho "started ${Date.now()}"\nsleep 120\n`),
    });
    await execa("git", ["init", "-q", "-b", "main"], { cwd: repo });
    await execa("git", ["add", "-A"], { cwd: repo });
    await execa("git", ["-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "repo"], { cwd: repo });
    const tmp = await scope.tmp("r2d-itg-tmpdir-");
    const name = scope.image("interrupt");

    // A git URL, so a clone exists too; TMPDIR isolates this run's temporary files.
    const child = execa(process.execPath, [CLI, `file://${repo}`, "--image-name", name, "--no-run", "--json", "--base-image", infra.basePython, "--build-network", "host", "--pip-index-url", infra.pipIndex], {
      reject: false,
      env: { TMPDIR: tmp },
      stdin: "ignore",
    });
    let sawPostBuild = false;
    const started = new Promise<void>((resolve) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        if (!sawPostBuild && /RUN \.\/postBuild/.test(String(chunk)) && /"started"/.test(String(chunk))) {
          sawPostBuild = true;
          resolve();
        }
      });
    });
    await Promise.race([started, child.then(() => undefined)]);
    expect(sawPostBuild, "the build reached postBuild").toBe(true);
    const during = await readdir(tmp);
    expect(during.some((d) => d.startsWith("r2d-build-"))).toBe(true);
    expect(during.some((d) => d.startsWith("r2d-clone-"))).toBe(true);

    const t0 = Date.now();
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(String(result.stderr)).toContain("interrupted");
    expect(await readdir(tmp)).toEqual([]);
    expect(await imageId(infra, name)).toBeNull();
  });
});
