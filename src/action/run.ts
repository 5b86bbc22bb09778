/**
 * The action's steps: mask secrets, read inputs, build (and run the check), push, tag, then
 * outputs and summary. The one place that turns errors into `::error::` and exit code 1
 * (130 or 143 when the runner cancels the job with SIGINT or SIGTERM).
 */
import { buildRepo, type BuildRepoOptions, type BuildRepoResult, type R2dEvent } from "../build-repo.js";
import { interruptExitCode, interruptMessage, interruptSignal, runCleanups } from "../cleanup.js";
import { createDisplay, type Display } from "../cli/progress/index.js";
import { probeEngine, tagImage } from "../engine/index.js";
import { statSync } from "node:fs";
import { BuildError, ConfigError } from "../errors.js";
import { formatGradeReport } from "../grader/index.js";
import { makeScrubber } from "../redact.js";
import { INPUT_NAMES, planAction, readInputs, secretValues, type ActionInputs, type Env } from "./inputs.js";
import {
  actionOutputs,
  maskCommands,
  renderFailureSummary,
  renderSummary,
  workflowCommand,
  writeOutputs,
  writeSummary,
  type ActionOutcome,
} from "./outputs.js";

export interface ActionIo {
  /** The step log (stdout, where the runner reads workflow commands). */
  write: (s: string) => void;
  cwd?: string;
  signal?: AbortSignal;
}

/** r2d's messages name command-line flags; in the action the same settings are inputs (`--user-id` → `user-id`). */
export function inActionTerms(text: string): string {
  return text.replace(/(^|[\s(/"'`])--([a-z][a-z-]*)/g, (m, before: string, flag: string) => ((INPUT_NAMES).includes(flag) ? `${before}${flag}` : m));
}

/** Build progress for the step log (the CLI's plain display), warnings as annotations. */
function logEvents(io: ActionIo, debug: boolean): { onEvent: (e: R2dEvent) => void; display: Display } {
  const display = createDisplay({ mode: "plain", debug, write: io.write });
  const onEvent = (e: R2dEvent): void => {
    if (e.type === "message" && e.level === "warn") io.write(workflowCommand("warning", inActionTerms(e.text), { title: "r2d" }));
    else if (e.type === "message") display.event({ ...e, text: inActionTerms(e.text) });
    else if (e.type === "context") display.event({ ...e, summary: inActionTerms(e.summary) });
    else display.event(e);
  };
  return { onEvent, display };
}

async function group<T>(io: ActionIo, title: string, fn: () => Promise<T>): Promise<T> {
  io.write(workflowCommand("group", title));
  try {
    return await fn();
  } finally {
    io.write(workflowCommand("endgroup", ""));
  }
}

/** Gives the local image its further references. */
async function tagLocally(inputs: ActionInputs, source: string, tags: string[], onDebug: (text: string) => void): Promise<void> {
  if (tags.length === 0) return;
  const engine = await probeEngine({ engine: inputs.engine, onDebug });
  for (const tag of tags) await tagImage(engine, source, tag, { onDebug });
}

/** Runs the action with this environment; returns the process exit code (0, 1, or 130/143 when interrupted). */
export async function runAction(env: Env, io: ActionIo): Promise<number> {
  // Before anything can print an input (a parse error may quote one).
  io.write(maskCommands(secretValues(env)));
  try {
    const inputs = readInputs(env, io.cwd);
    checkSecretFiles(inputs);
    const plan = planAction(inputs);
    // The runner masks what maskCommands named; events are scrubbed too, so other log readers never see them.
    const scrub = makeScrubber({ ...plan.build, extra: secretValues(env), debug: debug(env) });
    const { onEvent } = logEvents({ ...io, write: (s) => io.write(scrub(s)) }, debug(env));
    const common: Partial<BuildRepoOptions> = { onEvent, signal: io.signal };

    const result: BuildRepoResult = await group(io, `r2d: build ${plan.build.imageName ?? inputs.repo}`, () => buildRepo(plan.repo, { ...plan.build, ...common }));
    const outcome: ActionOutcome = { result, refs: inputs.refs.length ? inputs.refs : [result.imageName], digest: result.digest };

    if (inputs.runCheck) {
      const run = result.run ?? { exitCode: 1, stdout: "", stderr: "the image did not run" };
      outcome.check = { command: inputs.runCheck, ...run };
      await group(io, `r2d: run check (exit code ${run.exitCode})`, () => {
        io.write(`$ ${inputs.runCheck}\n${run.stdout}${run.stdout && !run.stdout.endsWith("\n") ? "\n" : ""}${run.stderr}${run.stderr && !run.stderr.endsWith("\n") ? "\n" : ""}`);
        return Promise.resolve();
      });
    }

    if (result.grade) {
      outcome.gradeReport = scrub(formatGradeReport(result.grade));
      await group(io, `r2d: grade (${result.grade.profile}) ${result.grade.passed ? "passed" : "failed"}`, () => Promise.resolve(io.write(`${outcome.gradeReport}\n`)));
    }
    const passed = (!outcome.check || outcome.check.exitCode === 0) && result.grade?.passed !== false;

    if (passed) {
      for (const push of plan.pushes) {
        const pushed = await group(io, `r2d: push ${push.imageName}`, () => buildRepo(plan.repo, { ...push, ...common }));
        outcome.digest ??= pushed.digest;
        outcome.metadata ??= pushed.metadata;
      }
      await tagLocally(inputs, result.imageName, plan.localTags, (text) => onEvent({ type: "message", level: "debug", text }));
    }

    writeOutputs(env.GITHUB_OUTPUT, actionOutputs(outcome));
    writeSummary(env.GITHUB_STEP_SUMMARY, renderSummary(outcome));
    if (!env.GITHUB_OUTPUT) io.write(`r2d: GITHUB_OUTPUT is not set; outputs: ${JSON.stringify(actionOutputs(outcome), null, 2)}\n`);

    if (result.grade && !result.grade.passed) {
      const failed = result.grade.checks.filter((c) => !c.passed).map((c) => c.name);
      io.write(workflowCommand("error", `the ${result.grade.profile} grader failed: ${failed.join(", ")}${inputs.push ? " (nothing was pushed)" : ""}`, { title: "r2d grader" }));
      return 1;
    }
    if (outcome.check && outcome.check.exitCode !== 0) {
      io.write(workflowCommand("error", `the run check failed with exit code ${outcome.check.exitCode}: ${inputs.runCheck}${inputs.push ? " (nothing was pushed)" : ""}`, { title: "r2d run check" }));
      return 1;
    }
    io.write(`r2d: built ${result.imageName}${result.imageId ? ` (${result.imageId})` : ""}${outcome.digest ? `, pushed ${outcome.digest}` : ""}\n`);
    return 0;
  } catch (err) {
    return fail(err, env, io);
  } finally {
    await runCleanups();
  }
}

function fail(err: unknown, env: Env, io: ActionIo): number {
  const e = err as Error;
  const interrupted = io.signal ? interruptExitCode(io.signal) : undefined;
  if (interrupted !== undefined && io.signal) {
    io.write(workflowCommand("error", `r2d was ${interruptMessage(io.signal)}`));
    return interrupted;
  }
  if (err instanceof BuildError) {
    io.write(workflowCommand("group", `r2d: builder output${err.step ? ` (${err.step})` : ""}`));
    io.write(`${err.log.trimEnd()}\n`);
    io.write(workflowCommand("endgroup", ""));
  }
  const message = inActionTerms(e && typeof e.message === "string" ? e.message : String(err));
  const known = e && typeof e.name === "string" && e.name !== "Error";
  if (debug(env) && e?.stack) io.write(`${e.stack}\n`);
  io.write(workflowCommand("error", known ? message : `${message}${e?.stack ? `\n${e.stack}` : ""}`, { title: "r2d" }));
  writeSummary(env.GITHUB_STEP_SUMMARY, renderFailureSummary(message));
  return 1;
}

/** Each secret file exists and is a file, before anything is built (BuildKit's own error would come mid-build). */
function checkSecretFiles(inputs: ActionInputs): void {
  for (const s of inputs.secrets) {
    if (!("file" in s)) continue;
    let isFile = false;
    try {
      isFile = statSync(s.file).isFile();
    } catch {
      // Missing or unreadable: said below.
    }
    if (!isFile) throw new ConfigError(`${s.id}: there is no file at ${s.file}`, { location: { file: "input secret-files" }, hint: "paths are relative to the workspace; write the file in an earlier step" });
  }
}

function debug(env: Env): boolean {
  return env.RUNNER_DEBUG === "1";
}

/** The entry point's default wiring: process.env, stdout, Ctrl-C/SIGTERM. */
export function defaultIo(): ActionIo {
  return { write: (s) => void process.stdout.write(s), signal: interruptSignal() };
}
