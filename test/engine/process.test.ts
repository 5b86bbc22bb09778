/**
 * The exec layer: the one place r2d starts processes. Each start is logged under --debug (a URL's
 * password masked), an abort stops the process (its whole group when it has one), and no module
 * outside src/engine starts a process itself.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { capture, logCommand } from "../../src/engine/exec.js";
import { gitCheckout, gitClone, gitRevision } from "../../src/engine/git.js";
import { startProcess } from "../../src/engine/process.js";
import { cleanupTempDirs, tempDir } from "./helpers.js";

afterAll(cleanupTempDirs);

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "src");

/** Running (a zombie waiting for its reaper is not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = (() => {
    try {
      return readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      return "";
    }
  })();
  return !/^\d+ \(.*\) Z/.test(stat);
}

async function eventually(test: () => boolean, ms = 3000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (test()) return true;
  return test();
}

describe("startProcess", () => {
  it("logs the command with its label, keeps the tail of its output, reports its exit", async () => {
    const debug: string[] = [];
    const chunks: string[] = [];
    const p = startProcess(
      { file: "/bin/sh", args: ["-c", "printf 0123456789; echo oops >&2; exit 4"], env: { R2D_X: "a b" } },
      { label: "run", onDebug: (m) => debug.push(m), keepOutput: 4, onStdout: (c) => chunks.push(c) },
    );
    expect(await p.exited).toEqual({ exitCode: 4, signal: undefined, spawnError: undefined });
    expect(debug).toEqual(["run: R2D_X='a b' /bin/sh -c 'printf 0123456789; echo oops >&2; exit 4'"]);
    expect(p.output()).toEqual({ stdout: "6789", stderr: "ops\n" });
    expect(chunks.join("")).toBe("0123456789");
    expect(p.hasExited()).toBe(true);
  });

  it("says why a process could not start", async () => {
    const p = startProcess({ file: "/nonexistent/client", args: [], env: {} }, { label: "build" });
    expect((await p.exited).spawnError).toBe("ENOENT");
    let called = false;
    p.onExit(() => (called = true));
    expect(called).toBe(true);
  });

  it("stops its process group on abort: SIGINT, then SIGKILL for what ignores it", async () => {
    const dir = await tempDir();
    const pidFile = path.join(dir, "child.pid");
    const ac = new AbortController();
    // A parent that ignores SIGINT with a child that ignores it too (a client and its plugin).
    const script = `trap '' INT; sh -c "trap '' INT; while :; do sleep 0.1; done" & echo $! > '${pidFile}'; wait`;
    const p = startProcess({ file: "/bin/sh", args: ["-c", script], env: {} }, { label: "build", group: true, signal: ac.signal, killGraceMs: 300 });
    await new Promise((r) => setTimeout(r, 300));
    const child = Number(readFileSync(pidFile, "utf8"));
    expect(alive(child)).toBe(true);
    const t0 = Date.now();
    ac.abort();
    const exit = await p.exited;
    expect(exit.signal).toBe("SIGKILL");
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await eventually(() => !alive(child))).toBe(true);
  });

  it("runs the caller's abort handler instead, when given", async () => {
    const ac = new AbortController();
    const seen: string[] = [];
    const p = startProcess({ file: "/bin/sh", args: ["-c", "exec sleep 5"], env: {} }, { label: "run", signal: ac.signal, onAbort: () => (seen.push("aborted"), p.kill("SIGTERM")) });
    ac.abort();
    expect((await p.exited).signal).toBe("SIGTERM");
    expect(seen).toEqual(["aborted"]);
  });
});

describe("logCommand and capture", () => {
  it("masks a URL's password in the --debug line", () => {
    const lines: string[] = [];
    logCommand((m) => lines.push(m), "exec", { file: "git", args: ["clone", "https://alice:s3cret@example.org/r.git", "/tmp/x"], env: {} });
    expect(lines).toEqual(["exec: git clone https://alice:****@example.org/r.git /tmp/x"]);
    logCommand(undefined, "exec", { file: "git", args: [], env: {} }); // no --debug: nothing to call
  });

  it("stops a short command on abort", async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    const r = capture("/bin/sh", ["-c", "exec sleep 5"], { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    expect((await r).exitCode).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe("git through the exec layer", () => {
  it("clones, checks out, reads the revision, logging each command", async () => {
    const dir = await tempDir();
    const origin = path.join(dir, "origin");
    const git = (...args: string[]) => execFileSync("git", args, { cwd: origin, stdio: "pipe" });
    execFileSync("git", ["init", "-q", "-b", "main", origin]);
    git("-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "one");
    git("tag", "v1");
    git("-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "two");
    const debug: string[] = [];
    const clone = path.join(dir, "clone");
    const r = await gitClone(`file://${origin}`, clone, { shallow: false, onDebug: (m) => debug.push(m) });
    expect(r.exitCode).toBe(0);
    expect(debug).toEqual([`exec: GIT_TERMINAL_PROMPT=0 git clone --quiet --recurse-submodules file://${origin} ${clone}`]);
    expect(await gitCheckout(clone, "v1")).toBe(true);
    expect(await gitCheckout(clone, "no-such-ref")).toBe(false);
    expect(await gitRevision(clone)).toBe(git("rev-parse", "v1").toString().trim());
    expect(await gitRevision(dir)).toBeNull();
  });
});

describe("the process boundary", () => {
  it("no module outside src/engine starts a process", () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (p !== path.join(SRC, "engine")) walk(p);
        } else if (e.name.endsWith(".ts")) {
          readFileSync(p, "utf8")
            .split("\n")
            .forEach((line, i) => {
              if (/execa|child_process|spawn\(/.test(line)) offenders.push(`${path.relative(SRC, p)}:${i + 1}: ${line.trim()}`);
            });
        }
      }
    };
    walk(SRC);
    expect(offenders).toEqual([]);
  });
});
