import { describe, expect, it } from "vitest";
import { capture, formatCommand, isDaemonFailure, shellQuote, tail } from "../../src/engine/exec.js";

describe("isDaemonFailure", () => {
  it.each([
    ["Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", true],
    ["error during connect: Get \"http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.24/version\": open //./pipe/docker_engine", true],
    ["error: failed to receive status: rpc error: code = Unavailable desc = error reading from server: EOF", true],
    ["ERROR: failed to solve: EOF", true],
    ["error: unexpected EOF", true],
    ["EOF", true],
    ["failed to dial gRPC: cannot connect to the Docker daemon", true],
    ["executor failed running [/bin/sh -c exit 3]: exit code: 3", false],
    ["curl: (56) Recv failure: got EOF", false],
    ['ERROR: failed to solve: process "/bin/sh -c pip install x" did not complete successfully: exit code: 1', false],
  ])("%s → %s", (line, want) => {
    expect(isDaemonFailure(line)).toBe(want);
  });
});

describe("exec helpers", () => {
  it("quotes for display", () => {
    expect(shellQuote("plain-arg_1.2/x:y=z,w@v%+")).toBe("plain-arg_1.2/x:y=z,w@v%+");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(formatCommand({ file: "/usr/bin/docker", args: ["build", "{{json .}}"], env: { DOCKER_BUILDKIT: "1" } })).toBe(
      "DOCKER_BUILDKIT=1 /usr/bin/docker build '{{json .}}'",
    );
  });

  it("keeps the last lines", () => {
    expect(tail("a\nb\nc\n", 2)).toBe("b\nc");
    expect(tail("a", 5)).toBe("a");
  });

  it("captures output and exit codes without throwing", async () => {
    expect(await capture("/bin/sh", ["-c", "cat; echo err >&2; exit 3"], { input: "in" })).toEqual({
      exitCode: 3,
      stdout: "in",
      stderr: "err\n",
      spawnError: undefined,
      timedOut: false,
    });
    expect((await capture("/nonexistent/bin", [])).spawnError).toBe("ENOENT");
    expect(await capture("/bin/sh", ["-c", "sleep 5"], { timeoutMs: 100 })).toMatchObject({ exitCode: undefined, timedOut: true });
    const debug: string[] = [];
    await capture("/bin/sh", ["-c", "echo $R2D_T"], { env: { R2D_T: "x y" }, onDebug: (m) => debug.push(m) });
    expect(debug).toEqual(["exec: R2D_T='x y' /bin/sh -c 'echo $R2D_T'"]);
    expect((await capture("/bin/sh", ["-c", "echo ${HOME:-none}"], { baseEnv: { PATH: "/bin" } })).stdout).toBe("none\n");
  });

  it("stops a command on abort or timeout without waiting for what it started (which may hold its output open)", async () => {
    const started = Date.now();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    // The shell leaves a `sleep` behind that keeps stdout open for 8 s.
    const r = await capture("/bin/sh", ["-c", "sleep 8 & echo started; wait"], { signal: ac.signal });
    expect(r).toMatchObject({ exitCode: undefined, stdout: "started\n", timedOut: false });
    const t = await capture("/bin/sh", ["-c", "sleep 8 & wait"], { timeoutMs: 100 });
    expect(t).toMatchObject({ exitCode: undefined, timedOut: true });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("gives a command r2d's environment plus its own, or exactly the base environment", async () => {
    process.env.R2D_EXEC_TEST_INHERITED = "from r2d";
    try {
      expect((await capture("/bin/sh", ["-c", 'echo "$R2D_EXEC_TEST_INHERITED/$R2D_T"'], { env: { R2D_T: "own" } })).stdout).toBe("from r2d/own\n");
      expect((await capture("/bin/sh", ["-c", 'echo "${R2D_EXEC_TEST_INHERITED:-unset}/$R2D_T"'], { baseEnv: { PATH: "/bin" }, env: { R2D_T: "own" } })).stdout).toBe("unset/own\n");
    } finally {
      delete process.env.R2D_EXEC_TEST_INHERITED;
    }
  });
});
