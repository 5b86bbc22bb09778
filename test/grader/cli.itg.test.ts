/**
 * --grader through the real entry points: the compiled CLI (report on stderr, JSON with --json,
 * exit 1 when a check fails) and buildRepo's `grader` option.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo } from "../../src/build-repo.js";
import { ConfigError } from "../../src/errors.js";
import { formatGradeReport } from "../../src/grader/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { cli, compileCli } from "../integration/helpers.js";
import { containerNames, existingContainers, fixture, GraderScope } from "./helpers.js";

let infra: Infra;
const scope = new GraderScope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
  await compileCli();
});
afterAll(() => scope.dispose());

function buildFlags(name: string): string[] {
  return [fixture(name), "--image-name", scope.imageName(name), "--base-image", infra.basePython, "--build-network", "host", "--pip-index-url", infra.pipIndex, "--docker", infra.docker];
}

describe("r2d --grader", () => {
  it("prints the report on stderr and exits 1 when a check fails", async () => {
    const r = await cli([...buildFlags("synapse-network"), "--grader", "synapse", "--memory", "256m", "--timeout", "2m", "--debug"]);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain("r2d grade (synapse): FAILED");
    expect(r.stderr).toMatch(/FAIL {2}network +needs the network: /);
    expect(r.stderr).toContain("hint: Synapse runs submissions with --network none");
    expect(r.stderr).toContain("to run it by hand: ");
    const names = containerNames(r.stderr);
    expect(names).toHaveLength(1);
    expect(await existingContainers(infra.docker, names)).toEqual([]);
  });

  it("--json puts the grade on the result line; crowdAI builds as crowdai/1001 by default and exits 0 when it passes", async () => {
    const r = await cli([...buildFlags("crowdai-ok"), "--grader", "crowdai", "--json"]);
    const last = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}");
    expect(last.event).toBe("result");
    expect(last.grade.passed, r.stderr + JSON.stringify(last.grade, null, 2)).toBe(true);
    expect(r.exitCode).toBe(0);
    expect(last.grade.user).toEqual({ uid: 1001, name: "crowdai" });
    expect(last.grade.checks.find((c: { name: string }) => c.name === "output-file").reason).toContain("/crowdai-output/predictions.csv");
  });
});

describe("buildRepo({ grader })", () => {
  it("builds, grades instead of the plain run, and puts the result on `grade`", async () => {
    const messages: string[] = [];
    const result = await buildRepo(fixture("modzy-ok"), {
      baseImage: infra.basePython,
      buildNetwork: "host",
      docker: infra.docker,
      imageName: scope.imageName("modzy-ok-api"),
      grader: { profile: "modzy", shutdownGraceMs: 5000 },
      onEvent: (e) => {
        if (e.type === "message") messages.push(e.text);
      },
    });
    expect(result.run).toBeUndefined();
    expect(result.grade?.passed, result.grade && formatGradeReport(result.grade)).toBe(true);
    expect(messages.some((m) => m.startsWith("starting ") && m.includes("Modzy model server"))).toBe(true);
  });

  it("refuses --grader with --no-run", async () => {
    await expect(buildRepo(fixture("modzy-ok"), { run: false, grader: { profile: "modzy" } })).rejects.toThrow(ConfigError);
  });
});
