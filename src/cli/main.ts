#!/usr/bin/env node
import { CommanderError } from "commander";
import { buildRepo, type BuildRepoResult } from "../build-repo.js";
import { interruptExitCode, interruptMessage, interruptSignal, runCleanups } from "../cleanup.js";
import { r2dCacheDir } from "../engine/probe-cache.js";
import { BuildError, exitCodeFor, UnsupportedError } from "../errors.js";
import { makeScrubber, scrubDeep, scrubError } from "../redact.js";
import { parseCli } from "./args.js";
import { createReporter, planSummary, resultSummary } from "./report.js";

/** The only place that turns errors into exit codes and messages. */
async function main(argv: string[]): Promise<number> {
  let cli;
  try {
    cli = parseCli(argv);
  } catch (err) {
    if (err instanceof CommanderError && (err.code === "commander.helpDisplayed" || err.code === "commander.version")) return 0;
    process.stderr.write(`r2d: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodeFor(err);
  }
  const { json, debug } = cli;
  // Everything below writes through the scrubber: index passwords and build argument values stay in.
  const scrub = makeScrubber({ ...cli.options, debug });
  const out = (s: string) => process.stdout.write(scrub(s));
  const err = (s: string) => process.stderr.write(scrub(s));
  const tty = cli.progress === "tty" || (cli.progress === "auto" && Boolean(process.stderr.isTTY));
  const report = createReporter({ tty, debug, write: err });
  const signal = interruptSignal();
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !json;

  try {
    const result: BuildRepoResult = await buildRepo(cli.repo, {
      ...cli.options,
      engineProbeCacheDir: r2dCacheDir(),
      signal,
      runStdio: json ? "pipe" : "inherit",
      runOptions: { ...cli.options.runOptions, interactive, tty: interactive },
      onEvent: (event) => {
        if (json && cli.options.build === false) return; // the plan alone is the output
        if (event.type === "message" && event.level === "debug" && !debug) return; // engine command lines: --debug only
        const e = scrubDeep(event, scrub);
        // `event` names the line; a progress event's own payload (also called `event`) goes under `progress`.
        if (json) process.stdout.write(`${JSON.stringify(e.type === "progress" ? { event: e.type, type: e.type, progress: e.event } : { event: e.type, ...e })}\n`);
        else report(e);
      },
    });
    if (cli.options.build === false) {
      if (json) process.stdout.write(`${JSON.stringify(scrubDeep({ ...result.plan, dockerfile: result.dockerfile, imageName: result.imageName }, scrub), null, 2)}\n`);
      else {
        err(`${planSummary(result.plan)}\n`);
        if (debug) out(result.dockerfile);
      }
      return 0;
    }
    if (json) {
      const { dockerfile: _d, facts: _f, ...rest } = result;
      process.stdout.write(`${JSON.stringify(scrubDeep({ event: "result", ...rest, plan: undefined, buildpack: result.plan.buildpack }, scrub))}\n`);
    } else {
      err(`${resultSummary(result)}\n`);
      if (debug) err(result.dockerfile);
      if (result.grade) err(`${(await import("../grader/report.js")).formatGradeReport(result.grade)}\n`);
    }
    if (result.grade) return result.grade.passed ? 0 : 1;
    return result.run ? result.run.exitCode : 0;
  } catch (error) {
    return await fail(scrubError(error, scrub), json);
  } finally {
    await runCleanups();
  }
}

/** Exit codes: 1 the build (a step of the repository's own), the run or a grader check failed; 2 bad input; 3 engine problem; 130/143 interrupted. */
async function fail(err: unknown, json: boolean): Promise<number> {
  const e = err as Error & { buildpack?: string };
  const interrupted = interruptExitCode();
  if (interrupted !== undefined) {
    process.stderr.write(`r2d: ${interruptMessage()}\n`);
    return interrupted;
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ event: "error", error: { name: e.name, message: e.message }, ...(e instanceof UnsupportedError ? { buildpack: e.buildpack, python: null, r: null, dockerfile: null } : {}) })}\n`);
  }
  if (err instanceof BuildError) {
    process.stderr.write(`r2d: the build failed${err.step ? ` at ${err.step}` : ""}\n`);
    const tail = err.log.trimEnd().split("\n").slice(-30).join("\n");
    process.stderr.write(`${tail}\nr2d: ${err.message}\n`);
    const kept = await (await import("./build-log.js")).writeBuildLog(err.log);
    if (kept.problem) process.stderr.write(`r2d: warning: ${kept.problem}\n`);
    if (kept.file) process.stderr.write(`r2d: full build output: ${kept.file}\n`);
    return exitCodeFor(err);
  }
  if (e && typeof e.message === "string" && e.name !== "Error") {
    process.stderr.write(`r2d: ${e.message}\n`);
  } else {
    process.stderr.write(`r2d: ${e?.stack ?? String(err)}\n`);
  }
  return exitCodeFor(err);
}

// A reader that goes away early (`r2d … --json | head`) is not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

void main(process.argv.slice(2)).then((code) => process.exit(code));
