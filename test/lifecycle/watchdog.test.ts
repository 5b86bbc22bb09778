/**
 * The watchdog script, driven the way r2d drives it: registrations on its stdin, then the pipe
 * closes (r2d died) or everything was unregistered first (r2d finished). Plus the in-process side:
 * one watchdog, in its own session, that outlives nothing.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { shellQuote } from "../../src/engine/exec.js";
import { commandEntry, discardUnnamedImageCommand, guardDir, WATCHDOG_SCRIPT, watchdogPid } from "../../src/engine/watchdog.js";

const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

async function tmp(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), "r2d-watchdog-test-"));
  made.push(d);
  return d;
}

/** Runs the script with these lines on stdin, then closes it; resolves when the script exits. */
function runWatchdog(lines: string[]): Promise<number | null> {
  const sub = spawn("/bin/sh", ["-c", WATCHDOG_SCRIPT, "r2d-watchdog"], { stdio: ["pipe", "ignore", "ignore"] });
  sub.stdin.end(lines.map((l) => `${l}\n`).join(""));
  return new Promise((resolve) => sub.once("exit", (code) => resolve(code)));
}

/** A process group of its own that ignores SIGINT (like a client that will not stop); returns its pid = pgid. */
async function stubbornGroup(): Promise<number> {
  const sub = spawn("/bin/sh", ["-c", "trap '' INT; while :; do sleep 1; done"], { detached: true, stdio: "ignore" });
  sub.unref();
  await new Promise((r) => setTimeout(r, 100));
  return sub.pid!;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the watchdog script", () => {
  it("when the pipe closes with registrations open: stops groups, runs commands, removes folders", async () => {
    const dir = await tmp();
    const kept = path.join(dir, "kept");
    const removed = path.join(dir, "run dir with spaces");
    await mkdir(kept);
    await mkdir(path.join(removed, "secrets"), { recursive: true });
    await writeFile(path.join(removed, "secrets", "pip.conf"), "index-url = https://u:token@example.org\n");
    const pgid = await stubbornGroup();
    const marker = path.join(dir, "it's $(ran) `here`");
    const t0 = Date.now();
    const code = await runWatchdog([
      `+1 dir ${kept}`,
      `+2 dir ${removed}`,
      "-1",
      `+3 group ${pgid}`,
      `+4 run ${["touch", marker].map(shellQuote).join(" ")}`,
    ]);
    expect(code).toBe(0);
    expect(existsSync(removed)).toBe(false);
    expect(existsSync(kept)).toBe(true);
    // The quoted word reached touch as one argument, $() and backticks not run.
    expect(existsSync(marker)).toBe(true);
    expect(alive(pgid)).toBe(false); // SIGINT ignored: SIGKILL after ~3 s
    expect(Date.now() - t0).toBeLessThan(6000);
  });

  it("when everything was unregistered first (r2d finished): does nothing and leaves at once", async () => {
    const dir = await tmp();
    const pgid = await stubbornGroup();
    const t0 = Date.now();
    expect(await runWatchdog([`+7 dir ${dir}`, `+8 group ${pgid}`, "-8", "-7"])).toBe(0);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(existsSync(dir)).toBe(true);
    expect(alive(pgid)).toBe(true);
    process.kill(-pgid, "SIGKILL");
  });

  it("removes the image an interrupted build made, unless something names it (the iidfile tells which)", async () => {
    const dir = await tmp();
    const log = path.join(dir, "calls");
    const fake = path.join(dir, "docker");
    // A docker stand-in: records its arguments; `image inspect` answers with the number of tags in $TAGS.
    await writeFile(fake, `#!/bin/sh
echo "$DOCKER_HOST $*" >> '${log}'
[ "$1 $2" = "image inspect" ] && echo "$TAGS"
exit 0
`, { mode: 0o755 });
    const iid = path.join(dir, "iid");
    await writeFile(iid, `sha256:${"b".repeat(64)}`);
    for (const [tags, rm] of [["0", true], ["1", false]] as const) {
      await writeFile(log, "");
      expect(await runWatchdog([`+1 ${commandEntry(discardUnnamedImageCommand(fake, iid), { DOCKER_HOST: "unix:///x.sock", TAGS: tags })}`])).toBe(0);
      const calls = (await readFile(log, "utf8")).trim().split("\n");
      expect(calls[0]).toBe(`unix:///x.sock image inspect --format {{len .RepoTags}} sha256:${"b".repeat(64)}`);
      expect(calls.includes(`unix:///x.sock image rm sha256:${"b".repeat(64)}`)).toBe(rm);
    }
    // No iidfile (the client was stopped first): the ID r2d saw in the progress.
    await writeFile(log, "");
    const seen = `sha256:${"c".repeat(64)}`;
    expect(await runWatchdog([`+1 ${commandEntry(discardUnnamedImageCommand(fake, path.join(dir, "none"), seen), { TAGS: "0" })}`])).toBe(0);
    expect((await readFile(log, "utf8")).trim().split("\n").pop()).toBe(` image rm ${seen}`);
    // Neither (the engine made no image): nothing is called.
    await writeFile(log, "");
    expect(await runWatchdog([`+1 ${commandEntry(discardUnnamedImageCommand(fake, path.join(dir, "none")))}`])).toBe(0);
    expect(await readFile(log, "utf8")).toBe("");
  });

  it("ignores malformed lines and relative folders", async () => {
    const dir = await tmp();
    const inside = path.join(dir, "x");
    await mkdir(inside);
    expect(await runWatchdog([`+a dir ${inside}`, `+1;true dir ${inside}`, "+2 dir x", "garbage", "-zz"])).toBe(0);
    expect(existsSync(inside)).toBe(true);
  });
});

describe("the in-process watchdog", () => {
  it("runs once per process, in its own session, and is not waited for", async () => {
    const dir = await tmp();
    const undo = guardDir(dir);
    const again = guardDir(path.join(dir, "y"));
    const pid = watchdogPid();
    expect(pid).toBeGreaterThan(0);
    const stat = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
    // Fields after the name: state ppid pgrp session — its own group and session.
    expect(Number(stat[2])).toBe(pid);
    expect(Number(stat[3])).toBe(pid);
    expect(watchdogPid()).toBe(pid);
    undo();
    again();
    undo(); // twice is harmless
  });
});
