/**
 * `r2d … --no-build --json` errors have one shape whatever their kind: a bad config file, a pack
 * r2d refuses, a bad command line. (Compiled CLI; no engine needed.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TempFiles } from "../helpers/repo.js";
import { cli, compileCli } from "./helpers.js";

const temp = new TempFiles();
beforeAll(async () => {
  await compileCli();
}, 120_000);
afterAll(() => temp.cleanup());

interface JsonError {
  event: string;
  error: { name: string; message: string; exitCode: number; location: { file: string; line: number | null } | null; hint: string | null; step: string | null };
  buildpack: string | null;
  python: null;
  r: null;
  dockerfile: null;
}

async function jsonError(files: Record<string, string>, flags: string[] = []): Promise<{ exitCode: number; error: JsonError }> {
  const repo = await temp.repo(files, "r2d-json-");
  const r = await cli([repo, "--no-build", "--json", ...flags]);
  const lines = r.stdout.trim().split("\n");
  return { exitCode: r.exitCode, error: JSON.parse(lines.at(-1)!) as JsonError };
}

const shape = (e: JsonError) => ({ top: Object.keys(e).sort(), error: Object.keys(e.error).sort(), location: e.error.location ? Object.keys(e.error.location).sort() : null });

describe("--no-build --json errors", () => {
  it("a config file error: its file, line and hint", async () => {
    const { exitCode, error } = await jsonError({ "runtime.txt": "python-3.11\nr-2024-05-01\n", "environment.yml": "dependencies:\n  - numpy\n" });
    expect(exitCode).toBe(2);
    expect(error).toMatchObject({
      event: "error",
      error: { name: "ConfigError", exitCode: 2, location: { file: "runtime.txt", line: 2 }, hint: "keep only the runtime, such as python-3.11, on one line (no comments)", step: null },
      buildpack: null,
      python: null,
      r: null,
      dockerfile: null,
    });
    expect(error.error.message).toMatch(/^runtime\.txt:2: a second line/);
  });

  it("a refused pack, a file error without a line and a command-line error have the same keys", async () => {
    const refused = await jsonError({ REQUIRE: "julia 0.6\n" });
    expect(refused.exitCode).toBe(2);
    expect(refused.error.error.name).toBe("UnsupportedError");
    expect(refused.error.buildpack).toBe("julia");
    expect(refused.error.error.location).toEqual({ file: "REQUIRE", line: null });

    const flag = await jsonError({ "requirements.txt": "x\n" }, ["--user-id", "abc"]);
    expect(flag.exitCode).toBe(2);
    expect(flag.error.error).toMatchObject({ name: "ConfigError", exitCode: 2, hint: "see r2d --help" });

    const config = await jsonError({ "runtime.txt": "python-3.11\nr-2024-05-01\n" });
    expect(shape(refused.error)).toEqual(shape(config.error));
    expect(shape(flag.error)).toEqual(shape(config.error));
  });
});
