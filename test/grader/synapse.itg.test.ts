/**
 * The Synapse profile against the real engine: --network none, /input read-only, /output,
 * linux/amd64. One fixture repository per rule (test/grader/repos/synapse-*).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { formatGradeReport } from "../../src/grader/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { tmpRepo } from "../helpers/repo.js";
import { isAbortError } from "../../src/engine/index.js";
import { check, failed, GraderScope } from "./helpers.js";

let infra: Infra;
const scope = new GraderScope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

describe("synapse: a model that follows the rules", () => {
  it("passes every check, with the expected outputs compared, and reports user, memory and duration", async () => {
    const built = await scope.build("synapse-ok");
    const g = await scope.grade(built, "synapse-ok", { profile: "synapse", memory: "256m", cpus: "1" });
    expect(failed(g), formatGradeReport(g)).toEqual([]);
    expect(g.passed).toBe(true);
    expect(check(g, "outputs").reason).toContain("predictions.csv");
    expect(check(g, "expected-outputs").reason).toBe("1 expected file(s) match");
    expect(check(g, "network").passed).toBe(true);
    expect(g.user).toEqual({ uid: 1000, name: "jovyan" });
    expect(g.limits).toMatchObject({ memory: "256m", cpus: "1", network: "none", platform: "linux/amd64" });
    expect(g.exitCode).toBe(0);
    expect(g.durationMs).toBeGreaterThan(0);
    expect(g.data.source).toContain("sample_data/");
    expect(g.logs.stdout).toContain("r2d-hello");
    // The container ran python for a moment: the cgroup sampler saw it.
    if (g.peakMemoryBytes !== null) {
      expect(g.peakMemorySource).toBe("cgroup");
      expect(g.peakMemoryBytes).toBeGreaterThan(1024 * 1024);
    }
    expect(g.command).toContain("--network none");
  });

  it("fails expected-outputs with the first differing line when the expected file disagrees", async () => {
    const built = await scope.build("synapse-ok");
    const expected = await tmpRepo({ "predictions.csv": "file,count,sum\na.csv,5,15.00\nb.csv,2,99.00\n" }, "r2d-itg-expected-");
    try {
      const g = await scope.grade(built, "synapse-ok", { profile: "synapse", expectedDir: expected.root });
      expect(failed(g)).toEqual(["expected-outputs"]);
      expect(check(g, "expected-outputs").reason).toContain('line 3: expected "b.csv,2,99.00", got "b.csv,2,10.75"');
      expect(g.passed).toBe(false);
    } finally {
      await expected.cleanup();
    }
  });
});

describe("synapse: repositories that break a rule", () => {
  it("a run that downloads its weights fails with 'needs the network'", async () => {
    const built = await scope.build("synapse-network");
    const g = await scope.grade(built, "synapse-network", { profile: "synapse" });
    const net = check(g, "network");
    expect(net.passed).toBe(false);
    expect(net.reason).toMatch(/^needs the network: .*(name resolution|Network is unreachable|urlopen error)/);
    expect(net.hint).toContain("--network none");
    expect(check(g, "exit-code").passed).toBe(false);
    expect(check(g, "outputs").passed).toBe(false);
  });

  it("a run that writes next to its code instead of /output fails outputs and names the file it wrote", async () => {
    const built = await scope.build("synapse-elsewhere");
    const g = await scope.grade(built, "synapse-elsewhere", { profile: "synapse" });
    expect(failed(g)).toEqual(["outputs"]);
    const out = check(g, "outputs");
    expect(out.reason).toBe("wrote nothing to /output");
    expect(out.hint).toContain("it wrote /home/jovyan/predictions.csv instead");
  });

  it("a run that needs more memory than the limit fails memory (killed by the OOM killer)", async () => {
    const built = await scope.build("synapse-memory");
    const g = await scope.grade(built, "synapse-memory", { profile: "synapse", memory: "128m" });
    const mem = check(g, "memory");
    expect(mem.passed).toBe(false);
    expect(mem.reason).toContain("exceeded its memory limit (128m)");
    expect(check(g, "exit-code").reason).toContain("memory");
    expect(g.exitCode).toBe(137);
    if (g.peakMemoryBytes !== null) expect(g.peakMemoryBytes).toBeGreaterThan(64 * 1024 * 1024);
  });

  it("a run that never finishes is killed at the wall-clock limit", async () => {
    const built = await scope.build("synapse-slow");
    const t0 = Date.now();
    const g = await scope.grade(built, "synapse-slow", { profile: "synapse", timeoutMs: 3000 });
    expect(Date.now() - t0).toBeLessThan(30_000);
    const t = check(g, "timeout");
    expect(t.passed).toBe(false);
    expect(t.reason).toBe("still running after the 3.0 s limit: killed");
    expect(g.logs.stdout).toContain("training on the test set");
  });

  it("Ctrl-C (an aborted signal) stops the run and still removes the container and the temp folder", async () => {
    const built = await scope.build("synapse-slow");
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("interrupted")), 1500);
    const err = await scope.grade(built, "synapse-slow", { profile: "synapse", signal: ac.signal }).catch((e: Error) => e);
    expect(isAbortError(err)).toBe(true);
  });

  it("an image whose Dockerfile runs as root fails the user check (and only that)", async () => {
    const built = await scope.build("synapse-root", { buildArgs: { BASE: infra.basePython } });
    const g = await scope.grade(built, "synapse-root", { profile: "synapse" });
    expect(failed(g)).toEqual(["user"]);
    expect(check(g, "user").reason).toBe("ran as root (uid 0)");
    expect(g.user).toEqual({ uid: 0, name: "root" });
  });

  it("a --grader-input that does not exist is a ConfigError naming the flag", async () => {
    const built = await scope.build("synapse-ok");
    const err = await scope.grade(built, "synapse-ok", { profile: "synapse", inputDir: "/nonexistent/r2d-input" }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain("--grader-input: /nonexistent/r2d-input is not a directory");
  });
});
