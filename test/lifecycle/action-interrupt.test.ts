/** The action on a cancelled job: the same exit codes as the CLI (130 SIGINT, 143 SIGTERM). */
import { afterAll, describe, expect, it } from "vitest";
import { runAction } from "../../src/action/run.js";
import { Interrupted } from "../../src/cleanup.js";
import { TempFiles } from "../helpers/repo.js";

const temp = new TempFiles();
afterAll(() => temp.cleanup());

describe("runAction interrupted", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s: exit %i with an ::error:: saying so", async (signal, code) => {
    const repo = await temp.repo({ "main.py": "print(1)\n" }, "r2d-action-interrupt-");
    const ac = new AbortController();
    ac.abort(new Interrupted(signal));
    let log = "";
    const exit = await runAction({ INPUT_REPO: repo, GITHUB_WORKSPACE: repo }, { write: (s) => void (log += s), signal: ac.signal });
    expect(exit).toBe(code);
    expect(log).toContain(`::error::r2d was interrupted by ${signal}; temporary files and containers removed`);
  });
});
