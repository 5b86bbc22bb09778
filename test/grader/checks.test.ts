import { describe, expect, it } from "vitest";
import {
  exitCheck,
  expectedCheck,
  findNetworkError,
  humanDuration,
  memoryCheck,
  platformCheck,
  strayFiles,
  timeoutCheck,
  userCheck,
} from "../../src/grader/checks.js";
import type { ContainerOutcome } from "../../src/engine/container.js";
import { entryPointCheck, outputFileCheck } from "../../src/grader/crowdai.js";
import { expectStatus, shapeProblem } from "../../src/grader/modzy-http.js";
import { networkCheck, outputsCheck } from "../../src/grader/synapse.js";
import type { BuildPlan } from "../../src/plan/types.js";

function outcome(o: Partial<ContainerOutcome> = {}): ContainerOutcome {
  return { exitCode: 0, oomKilled: false, timedOut: false, durationMs: 1200, peakMemoryBytes: 50 * 1024 * 1024, peakMemorySource: "cgroup", stdout: "", stderr: "", changes: [], ...o };
}

describe("findNetworkError", () => {
  it.each([
    ["urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name resolution>"],
    ["requests.exceptions.ConnectionError: HTTPSConnectionPool(host='x.org', port=443): Max retries exceeded with url: /m.bin"],
    ["curl: (6) Could not resolve host: example.org"],
    ["Error: getaddrinfo EAI_AGAIN registry.npmjs.org"],
    ["OSError: [Errno 101] Network is unreachable"],
    ["Warning message: In download.file(url) : cannot open URL 'https://cran.r-project.org/x'"],
    ["OSError: We couldn't connect to 'https://huggingface.co' to load this file"],
    ["fatal: unable to access 'https://github.com/x/y.git/': Could not resolve host: github.com"],
  ])("recognises %j", (line) => {
    expect(findNetworkError(`Traceback (most recent call last):\n  File "x.py"\n${line}\n`)).toBe(line);
  });

  it("keeps the last such line (the one that says what finally failed) and ignores unrelated errors", () => {
    expect(findNetworkError("socket.gaierror: [Errno -3] Temporary failure in name resolution\n\nurllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name resolution>")).toMatch(/^urllib/);
    expect(findNetworkError("ValueError: could not convert string to float: 'x'\nConnection refused by the database on localhost")).toBeNull();
  });
});

describe("strayFiles", () => {
  it("keeps leaf files the container wrote, without caches, bytecode, runtime dirs or mount points", () => {
    const changes = [
      { kind: "C" as const, path: "/home" },
      { kind: "C" as const, path: "/home/jovyan" },
      { kind: "A" as const, path: "/home/jovyan/predictions.csv" },
      { kind: "A" as const, path: "/home/jovyan/__pycache__" },
      { kind: "A" as const, path: "/home/jovyan/__pycache__/model.cpython-311.pyc" },
      { kind: "A" as const, path: "/home/jovyan/.cache/matplotlib/fontlist.json" },
      { kind: "A" as const, path: "/output" },
      { kind: "A" as const, path: "/input" },
      { kind: "D" as const, path: "/home/jovyan/old.csv" },
      { kind: "A" as const, path: "/tmp/scratch.bin" },
      { kind: "C" as const, path: "/etc/hostname" },
    ];
    expect(strayFiles(changes, ["/input", "/output"])).toEqual(["/home/jovyan/predictions.csv", "/tmp/scratch.bin"]);
  });
});

describe("common checks", () => {
  it("platform: passes on the grader's platform, else says how to build for it", () => {
    expect(platformCheck("linux/amd64", "linux/amd64").passed).toBe(true);
    const c = platformCheck("linux/arm64", "linux/amd64");
    expect(c).toMatchObject({ passed: false, reason: "the image is linux/arm64, the grader runs linux/amd64" });
    expect(c.hint).toContain("--platform linux/amd64");
  });

  it("user: root fails, a normal user passes, an unknown user fails", () => {
    expect(userCheck({ uid: 1000, name: "jovyan" })).toEqual({ name: "user", passed: true, reason: "ran as jovyan (uid 1000)" });
    expect(userCheck({ uid: 0, name: "root" })).toMatchObject({ passed: false, reason: "ran as root (uid 0)" });
    expect(userCheck({ uid: null, name: "root" }).passed).toBe(false);
    expect(userCheck(null).passed).toBe(false);
  });

  it("memory: the OOM killer is a failure with the limit and the peak; otherwise the peak is reported", () => {
    expect(memoryCheck(outcome(), { memory: "256m" })).toEqual({ name: "memory", passed: true, reason: "peak 50.0 MiB, limit 256m" });
    const c = memoryCheck(outcome({ oomKilled: true, exitCode: 137, peakMemoryBytes: 127 * 1024 * 1024 }), { memory: "128m" }, "resources.memory.size in model.yaml");
    expect(c).toMatchObject({ passed: false, reason: "exceeded its memory limit (128m): killed by the out-of-memory killer at 127.0 MiB" });
    expect(c.hint).toContain("resources.memory.size in model.yaml");
    expect(memoryCheck(outcome({ peakMemoryBytes: null }), {}).reason).toBe("peak not measured (the container exited before it could be sampled), no limit");
  });

  it("timeout: killed at the limit fails", () => {
    expect(timeoutCheck(outcome(), 60_000)).toEqual({ name: "timeout", passed: true, reason: "finished in 1.2 s (limit 60.0 s)" });
    expect(timeoutCheck(outcome({ timedOut: true, exitCode: 137 }), 3_600_000)).toMatchObject({ passed: false, reason: "still running after the 60 min limit: killed" });
  });

  it("humanDuration", () => {
    expect(humanDuration(450)).toBe("450 ms");
    expect(humanDuration(3000)).toBe("3.0 s");
    expect(humanDuration(150_000)).toBe("2 min 30 s");
  });

  it("exit-code: the likeliest cause comes first", () => {
    expect(exitCheck(outcome(), "run.sh")).toEqual({ name: "exit-code", passed: true, reason: "run.sh exited 0 after 1.2 s" });
    expect(exitCheck(outcome({ exitCode: 1, stderr: "Traceback ...\nKeyError: 'x'\n" }), "run.sh")).toMatchObject({ passed: false, reason: "run.sh exited with code 1: KeyError: 'x'" });
    expect(exitCheck(outcome({ exitCode: 1, stderr: "OSError: [Errno 30] Read-only file system: '/input/cache'" }), "run.sh").hint).toContain("read-only");
    expect(exitCheck(outcome({ exitCode: 127, stderr: "exec: run.sh: not found" }), "run.sh").hint).toContain("not found or is not executable");
    expect(exitCheck(outcome({ exitCode: 1, stderr: "urlopen error [Errno -3] Temporary failure in name resolution" }), "run.sh").hint).toContain("tried to reach the network");
    expect(exitCheck(outcome({ exitCode: 137, oomKilled: true }), "run.sh").reason).toContain("memory limit");
    expect(exitCheck(outcome({ exitCode: 137, timedOut: true }), "run.sh").reason).toContain("time limit");
    const gpu = exitCheck(outcome({ exitCode: 125, startError: 'could not select device driver "" with capabilities: [[gpu]]' }), "run.sh");
    expect(gpu.reason).toMatch(/^the container did not start: could not select device driver/);
    expect(gpu.hint).toContain("NVIDIA Container Toolkit");
  });

  it("expected-outputs: lists missing and differing files", () => {
    expect(expectedCheck([], 2, "sample_output")).toEqual({ name: "expected-outputs", passed: true, reason: "2 expected file(s) match" });
    const c = expectedCheck([{ file: "a.csv", detail: "missing" }, { file: "b.csv", detail: 'line 2: expected "1", got "2"' }], 3, "sample_output");
    expect(c.reason).toBe('2 of 3 expected file(s) do not match: missing a.csv; b.csv line 2: expected "1", got "2"');
    expect(c.hint).toContain("sample_output");
  });
});

describe("synapse checks", () => {
  it("network: fails only when a failed run printed a network error", () => {
    const err = "urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name resolution>";
    expect(networkCheck(outcome({ exitCode: 1, stderr: err }))).toMatchObject({ passed: false, reason: `needs the network: ${err}` });
    expect(networkCheck(outcome({ exitCode: 0, stderr: err })).passed).toBe(true);
    expect(networkCheck(outcome({ exitCode: 1, stderr: "KeyError" }))).toMatchObject({ passed: true, reason: "no sign that it needed the network" });
  });

  it("outputs: says where the files went, or why there are none", () => {
    expect(outputsCheck(["pred.csv"], outcome(), "/home/u/run.sh", [])).toMatchObject({ passed: true, reason: "wrote 1 file(s) to /output: pred.csv" });
    const stray = outcome({ changes: [{ kind: "A", path: "/home/u/pred.csv" }] });
    expect(outputsCheck(["a.csv"], stray, "x", []).reason).toContain("it also wrote /home/u/pred.csv outside /output");
    expect(outputsCheck([], stray, "x", []).hint).toContain("it wrote /home/u/pred.csv instead");
    expect(outputsCheck([], outcome(), "/bin/bash", []).hint).toContain("default command is /bin/bash");
    expect(outputsCheck([], outcome({ exitCode: 2 }), "x", []).hint).toContain("failed before writing");
  });
});

describe("crowdai checks", () => {
  const plan = (repoDir: string, buildpack = "python") => ({ repoDir, buildpack }) as unknown as BuildPlan;

  it("entry-point: run.sh must exist and the repository must land in /home/crowdai", () => {
    const withRunSh = new URL("./repos/crowdai-ok", import.meta.url).pathname;
    const noRunSh = new URL("./repos/synapse-root", import.meta.url).pathname;
    expect(entryPointCheck(plan("/home/crowdai"), withRunSh)).toMatchObject({ passed: true });
    expect(entryPointCheck(plan("/home/jovyan"), withRunSh)).toMatchObject({ passed: false, reason: "the repository lands in /home/jovyan, so /home/crowdai/run.sh does not exist" });
    expect(entryPointCheck(plan("/home/crowdai"), noRunSh)).toMatchObject({ passed: false, reason: "the repository has no run.sh at its root" });
    expect(entryPointCheck(plan("/whatever", "dockerfile"), withRunSh)).toBeNull();
  });

  it("output-file: names the stray file most like OUTPUT_PATH", () => {
    const o = outcome({ changes: [{ kind: "A", path: "/home/crowdai/notes.txt" }, { kind: "A", path: "/tmp/output.csv" }] });
    const c = outputFileCheck(null, "/crowdai-output/output.csv", o, []);
    expect(c.reason).toBe("OUTPUT_PATH /crowdai-output/output.csv was not written");
    expect(c.hint).toMatch(/^wrote to \/tmp\/output\.csv, but OUTPUT_PATH was \/crowdai-output\/output\.csv/);
    expect(outputFileCheck(null, "/crowdai-output/output.csv", outcome(), ["preds.csv"]).hint).toMatch(/^wrote to \/crowdai-output\/preds\.csv/);
    expect(outputFileCheck({ bytes: 10 }, "/crowdai-output/output.csv", outcome(), [])).toMatchObject({ passed: true, reason: "wrote OUTPUT_PATH /crowdai-output/output.csv (10 B)" });
  });
});

describe("modzy response checks", () => {
  const answer = (status: number, body: unknown) => ({ status, contentType: "application/json", text: JSON.stringify(body), json: body });

  it("shapeProblem wants {statusCode, status, message} with statusCode = the HTTP status", () => {
    expect(shapeProblem(answer(200, { statusCode: 200, status: "OK", message: "" }))).toBeNull();
    expect(shapeProblem(answer(200, { statusCode: 200 }))).toBe("the JSON body lacks status (a string), message (a string)");
    expect(shapeProblem(answer(415, { statusCode: 200, status: "OK", message: "" }))).toBe("the body says statusCode 200 but the HTTP status is 415");
    expect(shapeProblem({ status: 200, contentType: "text/html", text: "<h1>ok</h1>" })).toMatch(/^the body is not the JSON object/);
  });

  it("expectStatus reports the status it got, connection errors, and bad bodies", () => {
    expect(expectStatus("x", answer(415, { statusCode: 415, status: "x", message: "json only" }), 415, "POST /run", "h")).toEqual({ name: "x", passed: true, reason: "POST /run: HTTP 415" });
    expect(expectStatus("x", answer(500, { statusCode: 500, status: "x", message: "boom" }), 415, "POST /run", "h")).toMatchObject({ passed: false, reason: "POST /run: expected HTTP 415, got HTTP 500 (boom)" });
    expect(expectStatus("x", { error: "ECONNREFUSED" }, 200, "GET /status", "h")).toMatchObject({ passed: false, reason: "GET /status: ECONNREFUSED" });
    expect(expectStatus("x", answer(400, "bad"), 400, "POST /run", "h").passed).toBe(false);
  });
});
