/** The action on a cancelled job: the same exit codes as the CLI (130 SIGINT, 143 SIGTERM). */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runAction } from "../../src/action/run.js";
import { Interrupted } from "../../src/cleanup.js";

const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

describe("runAction interrupted", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s: exit %i with an ::error:: saying so", async (signal, code) => {
    const repo = await mkdtemp(path.join(os.tmpdir(), "r2d-action-interrupt-"));
    made.push(repo);
    await writeFile(path.join(repo, "main.py"), "print(1)\n");
    const ac = new AbortController();
    ac.abort(new Interrupted(signal));
    let log = "";
    const exit = await runAction({ INPUT_REPO: repo, GITHUB_WORKSPACE: repo }, { write: (s) => void (log += s), signal: ac.signal });
    expect(exit).toBe(code);
    expect(log).toContain(`::error::r2d was interrupted by ${signal}; temporary files and containers removed`);
  });
});
