#!/usr/bin/env node
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildRepo, type BuildRepoResult } from "../build-repo.js";
import { interruptSignal, runCleanups } from "../cleanup.js";
import { BuildError, exitCodeFor, UnsupportedError } from "../errors.js";
import { formatGradeReport } from "../grader/index.js";
import { parseCli } from "./args.js";
import { createReporter, planSummary, resultSummary } from "./report.js";

/** The only place that turns errors into exit codes and messages. */
async function main(argv: string[]): Promise<number> {
  let cli;
  try {
    cli = parseCli(argv);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "commander.helpDisplayed" || code === "commander.version") return 0;
    process.stderr.write(`r2d: ${(err as Error).message}\n`);
    return exitCodeFor(err);
  }
  const { json, debug } = cli;
  const tty = cli.progress === "tty" || (cli.progress === "auto" && Boolean(process.stderr.isTTY));
  const report = createReporter({ tty, debug, write: (s) => process.stderr.write(s) });
  const signal = interruptSignal();
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !json;

  try {
    const result: BuildRepoResult = await buildRepo(cli.repo, {
      ...cli.options,
      signal,
      runStdio: json ? "pipe" : "inherit",
      runOptions: { ...cli.options.runOptions, interactive, tty: interactive },
      onEvent: (e) => {
        if (json && cli.options.build === false) return; // the plan alone is the output
        // `event` names the line; a progress event's own payload (also called `event`) goes under `progress`.
        if (json) process.stdout.write(`${JSON.stringify(e.type === "progress" ? { event: e.type, type: e.type, progress: e.event } : { event: e.type, ...e })}\n`);
        else report(e);
      },
    });
    if (cli.options.build === false) {
      if (json) process.stdout.write(`${JSON.stringify({ ...result.plan, dockerfile: result.dockerfile, imageName: result.imageName }, null, 2)}\n`);
      else {
        process.stderr.write(`${planSummary(result.plan)}\n`);
        if (debug) process.stdout.write(result.dockerfile);
      }
      return 0;
    }
    if (json) {
      const { dockerfile: _d, ...rest } = result;
      process.stdout.write(`${JSON.stringify({ event: "result", ...rest, plan: undefined, buildpack: result.plan.buildpack })}\n`);
    } else {
      process.stderr.write(`${resultSummary(result)}\n`);
      if (debug) process.stderr.write(result.dockerfile);
      if (result.grade) process.stderr.write(`${formatGradeReport(result.grade)}\n`);
    }
    if (result.grade) return result.grade.passed ? 0 : 1;
    return result.run ? result.run.exitCode : 0;
  } catch (err) {
    return fail(err, json);
  } finally {
    await runCleanups();
  }
}

function fail(err: unknown, json: boolean): number {
  const e = err as Error & { buildpack?: string };
  if (signalAborted()) {
    process.stderr.write("r2d: interrupted; temporary files and containers removed\n");
    return 130;
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ event: "error", error: { name: e.name, message: e.message }, ...(e instanceof UnsupportedError ? { buildpack: e.buildpack, python: null, r: null, dockerfile: null } : {}) })}\n`);
  }
  if (err instanceof BuildError) {
    const file = path.join(os.tmpdir(), `r2d-build-${Date.now()}.log`);
    writeFileSync(file, err.log);
    process.stderr.write(`r2d: the build failed${err.step ? ` at ${err.step}` : ""}\n`);
    const tail = err.log.trimEnd().split("\n").slice(-30).join("\n");
    process.stderr.write(`${tail}\nr2d: ${err.message}\nr2d: full build output: ${file}\n`);
    const base = /load metadata for (\S+)/.exec(err.step ?? "")?.[1];
    if (base) {
      process.stderr.write(`r2d: hint: the base image ${base} could not be fetched (no registry access, or no such image); pull it first, or pass --base-image with an image this engine has\n`);
    }
    return exitCodeFor(err);
  }
  if (e && typeof e.message === "string" && e.name !== "Error") {
    process.stderr.write(`r2d: ${e.message}\n`);
  } else {
    process.stderr.write(`r2d: ${e?.stack ?? String(err)}\n`);
  }
  return exitCodeFor(err);
}

let aborted = false;
function signalAborted(): boolean {
  return aborted;
}
process.once("SIGINT", () => (aborted = true));

// A reader that goes away early (`r2d … --json | head`) is not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

main(process.argv.slice(2)).then((code) => process.exit(code));
