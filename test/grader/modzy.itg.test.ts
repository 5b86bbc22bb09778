/**
 * The Modzy profile against the real engine: the image's default command serves the container
 * specification on $PSC_MODEL_PORT; r2d drives /status, /run and /shutdown over 127.0.0.1
 * (test/grader/repos/modzy-*: model servers written with Python's standard library).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAbortError } from "../../src/engine/index.js";
import { formatGradeReport } from "../../src/grader/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { check, failed, GraderScope } from "./helpers.js";

let infra: Infra;
const scope = new GraderScope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

describe("modzy", () => {
  it("a server that follows the specification passes every call, with model.yaml's resources applied", async () => {
    const built = await scope.build("modzy-ok");
    const g = await scope.grade(built, "modzy-ok", { profile: "modzy" });
    expect(failed(g), formatGradeReport(g)).toEqual([]);
    expect(g.checks.map((c) => c.name)).toEqual([
      "platform",
      "user",
      "model-yaml",
      "input-data",
      "status",
      "run:0001",
      "run:0002",
      "validation-error:empty",
      "validation-error:not-a-number",
      "not-json-415",
      "bad-job-400",
      "shutdown",
      "memory",
      "timeout",
    ]);
    expect(check(g, "run:0001").reason).toBe("HTTP 200; 1 expected file(s) match");
    expect(check(g, "shutdown").reason).toMatch(/^POST \/shutdown: HTTP 202; the container exited 0$/);
    // model.yaml: memory 256M, cpu 1.
    expect(g.limits).toMatchObject({ memory: "256m", cpus: "1" });
    expect(g.exitCode).toBe(0);
    expect(g.user).toEqual({ uid: 1000, name: "jovyan" });
    expect(g.logs.stderr).toContain('"POST /run HTTP/1.1" 200');
  });

  it("command-line limits win over model.yaml's", async () => {
    const built = await scope.build("modzy-ok");
    const g = await scope.grade(built, "modzy-ok", { profile: "modzy", memory: "300m", cpus: "0.5" });
    expect(g.passed, formatGradeReport(g)).toBe(true);
    expect(g.limits).toMatchObject({ memory: "300m", cpus: "0.5" });
  });

  it("a server whose result differs from the expected output fails that case with the JSON path", async () => {
    const built = await scope.build("modzy-no-shutdown");
    // modzy-no-shutdown writes {"ok": true}; grade it with modzy-ok's expected results.
    const g = await scope.grade(built, "modzy-no-shutdown", {
      profile: "modzy",
      inputDir: `${scope.fixturePath("modzy-ok")}/tests/data/examples/0001`,
      expectedDir: `${scope.fixturePath("modzy-ok")}/tests/data/examples/0001`,
      shutdownGraceMs: 2000,
    });
    const run = check(g, "run:input");
    expect(run.passed).toBe(false);
    expect(run.reason).toContain("results.json $: missing key \"count\"");
  });

  it("a container that never opens its port fails status within model.yaml's status timeout", async () => {
    const built = await scope.build("modzy-no-port");
    const t0 = Date.now();
    const g = await scope.grade(built, "modzy-no-port", { profile: "modzy" });
    expect(Date.now() - t0).toBeLessThan(30_000);
    const status = check(g, "status");
    expect(status.passed).toBe(false);
    expect(status.reason).toMatch(/^nothing answered GET \/status 200 on http:\/\/127\.0\.0\.1:\d+ within 4\.0 s; last answer: ECONNREFUSED$/);
    expect(status.hint).toContain("$PSC_MODEL_PORT");
    // No run was attempted; model.yaml's limits were applied.
    expect(g.checks.some((c) => c.name.startsWith("run:"))).toBe(false);
    expect(g.limits).toMatchObject({ memory: "128m", cpus: "0.5" });
    expect(g.logs.stdout).toContain("no server was started");
  });

  it("an abort while waiting for /status removes the server container and the temp folders", async () => {
    const built = await scope.build("modzy-no-port");
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("interrupted")), 1500);
    const err = await scope.grade(built, "modzy-no-port", { profile: "modzy", signal: ac.signal }).catch((e: Error) => e);
    expect(isAbortError(err)).toBe(true);
  });

  it("a server that ignores /shutdown fails the shutdown check and is killed", async () => {
    const built = await scope.build("modzy-no-shutdown");
    const g = await scope.grade(built, "modzy-no-shutdown", { profile: "modzy", shutdownGraceMs: 3000 });
    expect(failed(g)).toEqual(["shutdown"]);
    expect(check(g, "shutdown").reason).toBe("POST /shutdown: HTTP 202, but the container was still running 3.0 s later");
    expect(check(g, "run:0001").passed).toBe(true);
    // No model.yaml: the limits of Modzy's own container tests.
    expect(g.limits).toMatchObject({ memory: "512m", cpus: "1", shmSize: "0m" });
  });
});
