/**
 * The hostile corpus (test/hostile/cases/*): every case through the compiled CLI — plan as JSON,
 * plan with --debug, and a build through a stand-in docker client that keeps the context it is
 * sent — checking exit codes, messages, that no marker (outside files, r2d's environment, the
 * index password, build argument values) shows up anywhere, and that the repository is unchanged.
 * No engine is needed. Cases marked asNobody run r2d as uid 65534 (these tests run as root).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { compileCli } from "../integration/helpers.js";
import { loadCases } from "./case.js";
import { checkCase } from "./check.js";

const cases = loadCases();

beforeAll(() => compileCli(), 180_000);

describe("the corpus", () => {
  it("has at least 80 cases, each described", () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
    for (const c of cases) {
      expect(c.description.length, c.name).toBeGreaterThan(10);
      // A refusal is checked for what it says (the file or flag, the line), not only for its exit code.
      if (c.expect.exit !== 0) expect(c.expect.message?.length, `${c.name}: expect.message`).toBeGreaterThan(0);
      if (c.knownGap !== undefined) expect(c.knownGap, c.name).toMatch(/^KNOWN GAP: /);
    }
  });
});

describe.concurrent("hostile repositories and flags", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { made } = await checkCase(c);
      await made.cleanup();
    }, 180_000);
  }
});
