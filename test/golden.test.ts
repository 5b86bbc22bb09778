import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DockerfileParser } from "dockerfile-ast";
import { validate } from "dockerfile-utils";
import { describe, expect, it } from "vitest";
import { planRepo } from "../src/index.js";

/**
 * One test per folder under fixtures/: `repo/` is planned with `options.json` (if any) and the
 * result compared with `expected/plan.json` + `expected/Dockerfile`, or `expected/error.txt` for a
 * repository r2d must refuse. `npx vitest run test/golden.test.ts -u` rewrites the expectations.
 */
const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const cases = readdirSync(FIXTURES).filter((d) => existsSync(path.join(FIXTURES, d, "repo")));

/** Root callers get the documented 1000/jovyan fallback, so expectations do not depend on who runs the tests. */
const INVOKING = { uid: 0, name: "root" };

describe.each(cases)("fixture %s", (name) => {
  const dir = path.join(FIXTURES, name);
  const optionsFile = path.join(dir, "options.json");
  const options = existsSync(optionsFile) ? JSON.parse(readFileSync(optionsFile, "utf8")) : {};
  const expectError = existsSync(path.join(dir, "expected", "error.txt"));

  it(expectError ? "is refused with a clear message" : "plans and renders as expected", async () => {
    const result = planRepo(path.join(dir, "repo"), { invoking: INVOKING, ...options });
    if (expectError) {
      const err = await result.then(() => null, (e: Error) => e);
      expect(err, "planning should fail").toBeInstanceOf(Error);
      await expect(`${err!.name}: ${err!.message}\n`).toMatchFileSnapshot(path.join(dir, "expected/error.txt"));
      return;
    }
    const { plan, dockerfile } = await result;
    await expect(JSON.stringify(plan, null, 2) + "\n").toMatchFileSnapshot(path.join(dir, "expected/plan.json"));
    await expect(dockerfile).toMatchFileSnapshot(path.join(dir, "expected/Dockerfile"));

    // Every Dockerfile parses, and the linter finds no errors in what r2d generates.
    const parsed = DockerfileParser.parse(dockerfile);
    expect(parsed.getFROMs().length).toBeGreaterThan(0);
    const errors = validate(dockerfile).filter((d) => d.severity === 1);
    expect(errors.map((e) => `${e.range.start.line + 1}: ${typeof e.message === "string" ? e.message : e.message.value}`)).toEqual([]);
    if (plan.buildpack !== "dockerfile") {
      const names = parsed.getInstructions().map((i) => i.getKeyword());
      // Dependencies are installed before the repository is copied, and the image ends as the user.
      const copyRepo = parsed.getInstructions().findIndex((i) => i.getKeyword() === "COPY" && i.getArgumentsContent()?.includes('"src/"'));
      expect(copyRepo).toBeGreaterThan(0);
      for (const file of plan.dependencyFiles) {
        const at = parsed.getInstructions().findIndex((i) => i.getKeyword() === "COPY" && i.getArgumentsContent()?.includes(`"src/${file}"`));
        expect(at, `${file} copied before the repository`).toBeGreaterThan(-1);
        expect(at).toBeLessThan(copyRepo);
      }
      const users = parsed.getInstructions().filter((i) => i.getKeyword() === "USER").map((i) => i.getArgumentsContent());
      expect(users.at(-1)).toBe(plan.user.name);
      expect(names).not.toContain("LABEL"); // labels go to the builder, so they never bust the cache
      expect(dockerfile).not.toMatch(/^# syntax=/m);
    }
  });
});
