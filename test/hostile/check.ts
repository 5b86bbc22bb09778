/**
 * One case through r2d, checked: the plan runs (`--no-build --json` and `--no-build --debug`)
 * give the expected exit code and message parts, no marker anywhere and no raw control
 * character; a case that plans also sends its context through a stand-in engine, which must
 * hold no marker either; r2d's TMPDIR is empty after each run; the repository is unchanged.
 */
import { realpath } from "node:fs/promises";
import path from "node:path";
import { expect } from "vitest";
import { terminalSafe } from "../../src/cli/report.js";
import { checkImageName } from "../../src/image-name.js";
import { makeCase, type HostileCase, type Made } from "./case.js";
import { caseFlags, leaks, leftovers, markerValues, rawControl, runCli, runFakeBuild, type CliRun, type FakeBuild } from "./runs.js";
import { treeListing } from "./tree.js";

interface PlanJson {
  messages: { level: string; text: string }[];
  dockerfile: string;
  [key: string]: unknown;
}

export interface Checked {
  made: Made;
  plan: PlanJson | null;
  build: FakeBuild | null;
}

const STACK_TRACE = /\n\s+at .*\(?.*\.[cm]?js:\d+:\d+\)?/;

function expectClean(what: string, run: CliRun, made: Made, opts: { json?: boolean } = {}): void {
  expect(leaks(run.stdout, markerValues(made.markers)), `${what}: markers in stdout`).toEqual([]);
  expect(leaks(run.stderr, markerValues(made.markers)), `${what}: markers in stderr`).toEqual([]);
  expect(rawControl(run.stderr), `${what}: a raw control character reached stderr`).toBeNull();
  // JSON escapes C0 controls itself; C1 controls and bidi overrides it leaves as they are.
  expect(rawControl(run.stdout), `${what}: a raw control character reached stdout${opts.json ? " (in the JSON)" : ""}`).toBeNull();
  expect(run.stderr, `${what}: a stack trace`).not.toMatch(STACK_TRACE);
}

/** The host side of every `-v SRC:DEST` of the recorded `docker run` calls (one call a line, arguments NUL-ended). */
function bindMountSources(calls: Buffer): string[] {
  const runs = calls.toString("utf8").split("\n").map((line) => line.split("\0")).filter((args) => args[0] === "run");
  return runs.flatMap((args) => args.flatMap((a, i) => (args[i - 1] === "-v" || args[i - 1] === "--volume" ? [a.split(":")[0]!] : [])));
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (rel !== ".." && !rel.startsWith("../") && !path.isAbsolute(rel));
}

function expectAllMatch(patterns: string[] | undefined, text: string, what: string): void {
  for (const p of patterns ?? []) expect(text, what).toMatch(new RegExp(p, "m"));
}

function errorMessage(run: CliRun): string {
  const last = run.stdout.trim().split("\n").at(-1) ?? "";
  const event = JSON.parse(last) as { event: string; error?: { message: string } };
  expect(event.event, `the last --json line is an error event: ${last}`).toBe("error");
  return event.error!.message;
}

/** Runs the case's checks; the caller removes `made` (cleanup) afterwards. */
export async function checkCase(c: HostileCase, opts: { fakeBuild?: boolean } = {}): Promise<Checked> {
  const made = await makeCase(c);
  try {
    return await checkMade(c, made, opts.fakeBuild ?? true);
  } catch (err) {
    await made.cleanup();
    throw err;
  }
}

async function checkMade(c: HostileCase, made: Made, fakeBuild: boolean): Promise<Checked> {
  const before = treeListing(made.repo);
  const flags = caseFlags(c, made);
  const json = await runCli(c, made, [made.repo, "--no-build", "--json", ...flags]);
  const context = `exit ${json.exitCode}\nstdout: ${json.stdout.slice(0, 3000)}\nstderr: ${json.stderr.slice(0, 3000)}`;
  expect(json.exitCode, `--no-build --json\n${context}`).toBe(c.expect.exit);
  expectClean("--no-build --json", json, made, { json: true });
  expect(await leftovers(made), "r2d left files in its TMPDIR").toEqual([]);

  const debug = await runCli(c, made, [made.repo, "--no-build", "--debug", ...flags]);
  expect(debug.exitCode, `--no-build --debug\n${debug.stderr}`).toBe(c.expect.exit);
  expectClean("--no-build --debug", debug, made);

  let plan: PlanJson | null = null;
  if (c.expect.exit === 0) {
    plan = JSON.parse(json.stdout) as PlanJson;
    const said = [...plan.messages.map((m) => m.text), debug.stderr].join("\n");
    expectAllMatch(c.expect.messages, said, "the plan's messages");
    for (const p of c.expect.notMessages ?? []) expect(said).not.toMatch(new RegExp(p, "m"));
    expectAllMatch(c.expect.dockerfile, plan.dockerfile, "the Dockerfile");
    for (const p of c.expect.notDockerfile ?? []) expect(plan.dockerfile).not.toMatch(new RegExp(p, "m"));
    // The image name r2d would tag (given or made up from the folder) is one the engine accepts.
    expect(() => checkImageName(String(plan!.imageName))).not.toThrow();
    expectAllMatch(c.expect.imageName ? [c.expect.imageName] : [], String(plan.imageName), "the image name");
    // What --debug shows is the Dockerfile the plan holds (control characters escaped for the terminal).
    expect(debug.stdout).toBe(terminalSafe(plan.dockerfile));
  } else {
    const message = errorMessage(json);
    expectAllMatch(c.expect.message, message, "the error message");
    expect(message, "every refusal says what to do").toMatch(/\n {2}hint: \S/);
    expect(debug.stderr).toContain(`r2d: ${message.split("\n")[0]}`);
  }

  let build: FakeBuild | null = null;
  if (c.expect.exit === 0 && fakeBuild) build = await checkFakeBuild(c, made);
  expect(treeListing(made.repo), "the repository changed").toEqual(before);
  return { made, plan, build };
}

async function checkFakeBuild(c: HostileCase, made: Made): Promise<FakeBuild> {
  const b = await runFakeBuild(c, made);
  const want = c.context.exit ?? 0;
  expect(b.exitCode, `build through the stand-in engine\nstdout: ${b.stdout.slice(0, 2000)}\nstderr: ${b.stderr.slice(0, 3000)}`).toBe(want);
  expectClean("build", b, made);
  expect(await leftovers(made), "r2d left files in its TMPDIR").toEqual([]);
  // The engine is given the build arguments' values; nothing else of the markers.
  expect(leaks(b.calls, markerValues(made.markers, { engineArgs: true })), "markers in the engine's command lines").toEqual([]);
  // Nor any path outside the repository (a context folder elsewhere), nor a bind mount of one
  // (r2d's own run folder, for a grader's output, is the one folder outside that may be mounted).
  if (!c.flags.some((f) => f.includes("@OUTSIDE@"))) expect(b.calls.includes(made.outside), "the outside folder in the engine's command lines").toBe(false);
  for (const source of bindMountSources(b.calls).filter((s) => !s.startsWith(`${made.runTmp}/`))) {
    expect(isInside(await realpath(made.repo), await realpath(source)), `docker run mounts ${source}, which resolves outside the repository`).toBe(true);
  }
  if (want !== 0) {
    expectAllMatch(c.context.message, b.stderr, "the build's error message");
    return b;
  }
  expect(b.entries.length, "a context was sent").toBeGreaterThan(0);
  expect(leaks(b.tar, markerValues(made.markers)), "markers in the context tar").toEqual([]);
  const names = new Set(b.entries.map((e) => e.name.replace(/\/$/, "")));
  for (const p of c.context.present ?? []) expect([...names], `${p} is in the context`).toContain(p);
  for (const p of c.context.absent ?? []) expect([...names], `${p} is not in the context`).not.toContain(p);
  const warnings = b.stderr.split("\n").filter((l) => l.startsWith("r2d: warning: "));
  expectAllMatch(c.context.warnings, warnings.join("\n"), "the context warnings");
  if (c.context.maxWarnings !== undefined) expect(warnings.length, "warning lines").toBeLessThanOrEqual(c.context.maxWarnings);
  return b;
}
