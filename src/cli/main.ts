#!/usr/bin/env node
import { CommanderError } from "commander";
import { buildRepo, type BuildRepoResult } from "../build-repo.js";
import { r2dCacheDir } from "../cache-dir.js";
import { interruptSignal, runCleanups } from "../cleanup.js";
import { exitCodeFor } from "../errors.js";
import { makeScrubber, scrubDeep, scrubError } from "../redact.js";
import { parseCli } from "./args.js";
import { errorJson, reportFailure } from "./failure.js";
import { freezeMain } from "./freeze.js";
import { cliDisplay, wantsJson } from "./output.js";
import { jsonText, planSummary, terminalSafe } from "./report.js";

/** The only place that turns errors into exit codes and messages. */
async function main(argv: string[]): Promise<number> {
  // `r2d freeze REPO`: a repository named "freeze" is still built with `r2d ./freeze`.
  if (argv[0] === "freeze") return freezeMain(argv.slice(1));
  let cli;
  try {
    cli = parseCli(argv);
  } catch (err) {
    if (err instanceof CommanderError && (err.code === "commander.helpDisplayed" || err.code === "commander.version")) return 0;
    // --json promises an error event for every failure, a bad flag included.
    if (wantsJson(argv)) process.stdout.write(`${jsonText(errorJson(err))}\n`);
    process.stderr.write(terminalSafe(`r2d: ${err instanceof Error ? err.message : String(err)}\n`));
    return exitCodeFor(err);
  }
  const { json, debug } = cli;
  // Everything below writes through the scrubber (index passwords and build argument values stay in)
  // and, as text for a terminal, escapes the control characters a hostile repository could bring.
  // The display escapes its text itself: its own cursor sequences must reach the terminal.
  const scrub = makeScrubber({ ...cli.options, debug });
  const out = (s: string) => process.stdout.write(terminalSafe(scrub(s)));
  const err = (s: string) => process.stderr.write(terminalSafe(scrub(s)));
  const display = cliDisplay({ progress: cli.progress, json, debug, err: (s) => process.stderr.write(scrub(s)), out: (s) => process.stdout.write(scrub(s)) });
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
        display.event(scrubDeep(event, scrub));
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
      // The `built` event printed the summary, before any run.
      if (debug) err(result.dockerfile);
      if (result.grade) err(`${(await import("../grader/report.js")).formatGradeReport(result.grade)}\n`);
    }
    if (result.grade) return result.grade.passed ? 0 : 1;
    return result.run ? result.run.exitCode : 0;
  } catch (error) {
    display.close();
    return await reportFailure(scrubError(error, scrub), { json, book: display.book, err, out: (s) => process.stdout.write(scrub(s)), scrub });
  } finally {
    display.close();
    await runCleanups();
  }
}

// A reader that goes away early (`r2d … --json | head`) is not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

void main(process.argv.slice(2)).then((code) => process.exit(code));
