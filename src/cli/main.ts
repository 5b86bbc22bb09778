#!/usr/bin/env node
import { CommanderError } from "commander";
import { buildRepo, type BuildRepoResult } from "../build-repo.js";
import { interruptExitCode, interruptMessage, interruptSignal, runCleanups } from "../cleanup.js";
import { asError, BuildError, ConfigError, exitCodeFor, UnsupportedError } from "../errors.js";
import { formatGradeReport } from "../grader/index.js";
import { makeScrubber, scrubDeep, scrubError } from "../redact.js";
import { parseCli } from "./args.js";
import { writeBuildLog } from "./build-log.js";
import { createReporter, jsonText, planSummary, resultSummary, terminalSafe } from "./report.js";

/** The only place that turns errors into exit codes and messages. */
async function main(argv: string[]): Promise<number> {
  let cli;
  try {
    cli = parseCli(argv);
  } catch (err) {
    if (err instanceof CommanderError && (err.code === "commander.helpDisplayed" || err.code === "commander.version")) return 0;
    const e = asError(err);
    process.stderr.write(terminalSafe(`r2d: ${e.message}\n`));
    // --json promises an error event for every failure, a bad flag included (looked for before `--`).
    const flags = argv.slice(0, argv.includes("--") ? argv.indexOf("--") : argv.length);
    if (flags.includes("--json") || flags.includes("--json-logs")) process.stdout.write(`${jsonText(jsonError(err))}\n`);
    return exitCodeFor(err);
  }
  const { json, debug } = cli;
  // Everything below writes through the scrubber (index passwords and build argument values stay in)
  // and, as text for a terminal, escapes the control characters a hostile repository could bring.
  const scrub = makeScrubber({ ...cli.options, debug });
  const out = (s: string) => process.stdout.write(terminalSafe(scrub(s)));
  const err = (s: string) => process.stderr.write(terminalSafe(scrub(s)));
  const tty = cli.progress === "tty" || (cli.progress === "auto" && Boolean(process.stderr.isTTY));
  const report = createReporter({ tty, debug, write: err, control: (s) => process.stderr.write(s) });
  const signal = interruptSignal();
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !json;

  try {
    const result: BuildRepoResult = await buildRepo(cli.repo, {
      ...cli.options,
      signal,
      runStdio: json ? "pipe" : "inherit",
      runOptions: { ...cli.options.runOptions, interactive, tty: interactive },
      onEvent: (event) => {
        if (json && cli.options.build === false) return; // the plan alone is the output
        if (event.type === "message" && event.level === "debug" && !debug) return; // engine command lines: --debug only
        const e = scrubDeep(event, scrub);
        // `event` names the line; a progress event's own payload (also called `event`) goes under `progress`.
        if (json) process.stdout.write(`${jsonText(e.type === "progress" ? { event: e.type, type: e.type, progress: e.event } : { event: e.type, ...e })}\n`);
        else report(e);
      },
    });
    if (cli.options.build === false) {
      if (json) process.stdout.write(`${jsonText(scrubDeep({ ...result.plan, dockerfile: result.dockerfile, imageName: result.imageName }, scrub), 2)}\n`);
      else {
        err(`${planSummary(result.plan)}\n`);
        if (debug) out(result.dockerfile);
      }
      return 0;
    }
    if (json) {
      const { dockerfile: _d, facts: _f, ...rest } = result;
      process.stdout.write(`${jsonText(scrubDeep({ event: "result", ...rest, plan: undefined, buildpack: result.plan.buildpack }, scrub))}\n`);
    } else {
      err(`${resultSummary(result)}\n`);
      if (debug) err(result.dockerfile);
      if (result.grade) err(`${formatGradeReport(result.grade)}\n`);
    }
    if (result.grade) return result.grade.passed ? 0 : 1;
    return result.run ? result.run.exitCode : 0;
  } catch (error) {
    return await fail(scrubError(error, scrub), json, scrub);
  } finally {
    await runCleanups();
  }
}

/** Exit codes: 1 the build (a step of the repository's own), the run or a grader check failed; 2 bad input; 3 engine problem; 130/143 interrupted. */
async function fail(err: unknown, json: boolean, scrub: (text: string) => string): Promise<number> {
  const e = err as Error & { buildpack?: string };
  const interrupted = interruptExitCode();
  if (interrupted !== undefined) {
    process.stderr.write(`r2d: ${interruptMessage()}\n`);
    return interrupted;
  }
  const say = (s: string) => process.stderr.write(terminalSafe(s));
  if (json) process.stdout.write(`${jsonText(jsonError(err, scrub))}\n`);
  if (err instanceof BuildError) {
    say(`r2d: the build failed${err.step ? ` at ${err.step}` : ""}\n`);
    const tail = err.log.trimEnd().split("\n").slice(-30).join("\n");
    say(`${tail}\nr2d: ${err.message}\n`);
    const kept = await writeBuildLog(err.log);
    if (kept.problem) say(`r2d: warning: ${kept.problem}\n`);
    if (kept.file) say(`r2d: full build output: ${kept.file}\n`);
    return exitCodeFor(err);
  }
  if (e && typeof e.message === "string" && e.name !== "Error") {
    say(`r2d: ${e.message}\n`);
  } else {
    say(`r2d: ${e?.stack ?? String(err)}\n`);
  }
  return exitCodeFor(err);
}

/** The one shape of a `--json` error, whatever its kind (every key always present; null when it does not apply). */
function jsonError(err: unknown, scrub: (text: string) => string = (t) => t): Record<string, unknown> {
  const e = asError(err) as Error & { buildpack?: string; location?: { file: string; line?: number }; hint?: string; step?: string };
  return {
    event: "error",
    error: {
      name: e.name,
      message: e.message,
      exitCode: exitCodeFor(err),
      location: err instanceof ConfigError && e.location ? { file: scrub(e.location.file), line: e.location.line ?? null } : null,
      hint: typeof e.hint === "string" ? scrub(e.hint) : null,
      step: err instanceof BuildError ? (e.step ?? null) : null,
    },
    // What a plan would have said (--no-build --json): the pack named when planning got that far.
    buildpack: err instanceof UnsupportedError ? (e.buildpack ?? null) : null,
    python: null,
    r: null,
    dockerfile: null,
  };
}

// A reader that goes away early (`r2d … --json | head`) is not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

void main(process.argv.slice(2)).then((code) => process.exit(code));
