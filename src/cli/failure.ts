/**
 * How the CLI reports an error: the cause first. A failed build step is named in words, with its
 * exit code, its command (once), the last lines of its output and a hint for the errors people
 * hit; then the path of the full build log. Under --json the same facts are one JSON object on stdout.
 */
import { interruptExitCode, interruptMessage } from "../cleanup.js";
import { asError, BuildError, ConfigError, exitCodeFor, UnsupportedError } from "../errors.js";
import { writeBuildLog } from "./build-log.js";
import { failureHint } from "./failure-hints.js";
import type { StepBook } from "./progress/index.js";
import { jsonText } from "./report.js";

/** Output lines of the failed step shown with the error. */
const SHOWN_LINES = 12;
const MAX_LINE = 300;

export interface FailureIo {
  json: boolean;
  book: StepBook;
  /** stderr (through the secret scrubber, escaped for a terminal) and stdout (through the scrubber: JSON only). */
  err: (s: string) => void;
  out: (s: string) => void;
  scrub?: (text: string) => string;
}

export interface StepFailure {
  step?: string;
  command?: string;
  exitCode?: number;
  output: string[];
  hint?: string;
}

/** `[7/10] RUN PIP_CONFIG_FILE=… pip install -r requirements.txt` → `pip install -r requirements.txt`. */
export function commandOf(stepName: string): string {
  const command = stepName
    .replace(/^\[[^\]]*\]\s*/, "")
    .replace(/^RUN\s+/i, "")
    .replace(/--(?:mount|network|security)=\S+\s*/g, "")
    .replace(/^(?:[A-Za-z_]\w*=(?:"[^"]*"|'[^']*'|\S*)\s+)+/, "")
    .trim();
  return command.length > MAX_LINE ? `${command.slice(0, MAX_LINE - 1)}…` : command;
}

/** What is known about a failed build step, from the display's book and the error. */
export function stepFailure(err: BuildError, book: StepBook): StepFailure {
  const step = (err.step ? book.byName(err.step) : undefined) ?? book.failed();
  const code = /exit code:? (\d+)/.exec(step?.error ?? err.message)?.[1];
  const output = (step?.lines ?? []).filter((l) => l.trim() !== "").slice(-SHOWN_LINES).map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE - 1)}…` : l));
  const name = step?.name ?? err.step;
  return {
    step: step?.words ?? err.step,
    command: name && /\bRUN\b/.test(name) ? commandOf(name) : undefined,
    exitCode: code === undefined ? undefined : Number(code),
    output,
    hint: failureHint(step?.lines ?? err.log.split("\n")),
  };
}

/** The failure as the terminal shows it. */
export function failureText(err: BuildError, f: StepFailure): string {
  if (!f.step) {
    const tail = err.log.trimEnd().split("\n").slice(-SHOWN_LINES).map((l) => `    ${l}`);
    return [`r2d: error: ${err.message}`, ...tail, ...(f.hint ? [`  hint: ${f.hint}`] : [])].join("\n");
  }
  const lines = [`r2d: error: the build step "${f.step}" failed${f.exitCode !== undefined ? ` with exit code ${f.exitCode}` : ""}`];
  if (f.command) lines.push(`  command: ${f.command}`);
  if (f.output.length) lines.push("  its last lines of output:", ...f.output.map((l) => `    ${l}`));
  if (f.hint) lines.push(`  hint: ${f.hint}`);
  return lines.join("\n");
}

/**
 * The one shape of a `--json` error, whatever its kind: every key always present, null (or empty)
 * where it does not apply. A failed build step adds what is known of it; `log` is the kept build output.
 */
export function errorJson(err: unknown, opts: { scrub?: (text: string) => string; failure?: StepFailure; log?: string } = {}): Record<string, unknown> {
  const scrub = opts.scrub ?? ((t: string) => t);
  const e = asError(err) as Error & { buildpack?: string; location?: { file: string; line?: number }; hint?: string; step?: string };
  const f = opts.failure;
  return {
    event: "error",
    error: {
      name: e.name,
      message: e.message,
      exitCode: exitCodeFor(err),
      location: err instanceof ConfigError && e.location ? { file: scrub(e.location.file), line: e.location.line ?? null } : null,
      hint: f?.hint ?? (typeof e.hint === "string" ? scrub(e.hint) : null),
      step: f?.step ?? (err instanceof BuildError ? (e.step ?? null) : null),
      stepExitCode: f?.exitCode ?? null,
      command: f?.command ?? null,
      output: f?.output ?? [],
    },
    log: opts.log ?? null,
    // What a plan would have said (--no-build --json): the pack named when planning got that far.
    buildpack: err instanceof UnsupportedError ? (e.buildpack ?? null) : null,
    python: null,
    r: null,
    dockerfile: null,
  };
}

/** Reports `error`; returns the exit code (1 build or run, 2 input, 3 engine, 130/143 interrupted). */
export async function reportFailure(error: unknown, io: FailureIo): Promise<number> {
  const e = error as Error & { buildpack?: string };
  const interrupted = interruptExitCode();
  if (interrupted !== undefined) {
    io.err(`r2d: ${interruptMessage()}\n`);
    return interrupted;
  }
  if (error instanceof BuildError) {
    const f = stepFailure(error, io.book);
    const kept = await writeBuildLog(io.book.transcript || error.log);
    if (io.json) io.out(`${jsonText(errorJson(error, { scrub: io.scrub, failure: f, log: kept.file }))}\n`);
    io.err(`${failureText(error, f)}\n`);
    if (kept.problem) io.err(`r2d: warning: ${kept.problem}\n`);
    if (kept.file) io.err(`r2d: full build output: ${kept.file}\n`);
    return exitCodeFor(error);
  }
  if (io.json) io.out(`${jsonText(errorJson(error, { scrub: io.scrub }))}\n`);
  const known = e && typeof e.message === "string" && e.name !== "Error";
  io.err(`r2d: ${known ? e.message : (e?.stack ?? String(error))}\n`);
  return exitCodeFor(error);
}
