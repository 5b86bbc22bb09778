/**
 * Why a build failed, from what the builder printed: the repository's own step (BuildError,
 * exit 1), or the engine and its setup (EngineError, exit 3): the daemon went away, the disk is
 * full, the base image cannot be fetched, the build network cannot reach a package index.
 * Each engine message names the cause and the fix.
 */
import { BuildError, EngineError } from "../errors.js";
import { adapterOf } from "./adapters/index.js";
import { isDaemonFailure } from "./exec.js";
import type { Engine } from "./types.js";

export { ENGINE_ANSWER_TIMEOUT_MS } from "./adapters/support.js";

export interface FailedStep {
  id: string;
  name: string;
  error: string;
}

export interface FailureFacts {
  engine: Engine;
  /** The build network asked for ("none", "host", ...). */
  network?: string;
  exitCode?: number;
  signal?: string;
  client: string;
  failed: FailedStep[];
  /** The last lines each step printed, by step id. */
  stepLines: Map<string, string[]>;
  /** The builder's own lines (outside any step). */
  topLines: string[];
  /** The tail of the builder's output (kept with the error). */
  logTail: string;
  /** What runBuild keeps as the error's cause (command, exit code, iid, metadata). */
  details: Record<string, unknown>;
}

/** Where the engine listens, for messages. */
export function engineAddress(engine: Engine): string {
  return adapterOf(engine.kind).daemon.address(engine);
}

/** Does the engine still answer (within ENGINE_ANSWER_TIMEOUT_MS)? */
export function engineAnswers(engine: Engine): Promise<boolean> {
  return adapterOf(engine.kind).daemon.answers(engine);
}

const NO_SPACE = /no space left on device/i;
/** What pip, apt, R, conda, curl and npm print when they cannot reach a server. */
const UNREACHABLE = [
  /Failed to establish a new connection/i,
  /NewConnectionError/,
  /Temporary failure in name resolution/i,
  /Temporary failure resolving/i,
  /Name or service not known/i,
  /Network is unreachable/i,
  /Could not resolve host/i,
  /Connection refused/i,
  /cannot open URL/i,
  /unable to access index for repository/i,
  /CondaHTTPError/,
  /getaddrinfo (?:ENOTFOUND|EAI_AGAIN)/,
];
const BASE_IMAGE_STEP = /(?:load metadata for|\] FROM) (\S+)/;
/** The classic client's words when the daemon's stream ended before the image was made. */
const NO_IMAGE_ID = /server did not provide an image ID/;

type LineTest = RegExp | ((line: string) => boolean);

/** A step's name for a message: without `--mount=…` options, at most ~100 characters. */
export function shortStepName(name: string): string {
  const short = name.replace(/--mount=\S+\s*/g, "").replace(/\s+/g, " ").trim();
  return short.length > 100 ? `${short.slice(0, 99)}…` : short;
}

/** The part of a line a pattern matched, with what follows up to a quote or the end (at most ~120 characters). */
function excerpt(line: string, tests: RegExp[]): string {
  for (const re of tests) {
    const m = re.exec(line);
    if (m) return line.slice(m.index).split(/['"]/)[0]!.slice(0, 120).trim();
  }
  return line.length > 240 ? `${line.slice(0, 239)}…` : line;
}

function firstMatch(lines: string[], tests: LineTest[]): string | undefined {
  return lines.find((l) => tests.some((t) => (typeof t === "function" ? t(l) : t.test(l))))?.trim();
}

function stepFailureMessage(name: string, error: string): string {
  const code = /exit code: (\d+)\s*$/.exec(error)?.[1];
  return code !== undefined ? `the build step ${name} failed (exit code ${code})` : `the build step ${name} failed: ${error}`;
}

/** The builder's closing error message, from the lines it printed outside any step. */
export function errorSummary(topLines: string[]): string | undefined {
  for (let i = topLines.length - 1; i >= 0; i--) {
    const m = /^(?:ERROR|error):\s*(.*)$/.exec(topLines[i] ?? "");
    if (m) return m[1];
  }
  for (let i = topLines.length - 1; i >= 0; i--) {
    const line = (topLines[i] ?? "").trim();
    if (line === "" || line.startsWith("------") || line.startsWith(">")) continue;
    return line;
  }
  return undefined;
}

/** The error for a build command that exited non-zero. */
export async function buildFailure(f: FailureFacts): Promise<Error> {
  const { engine, details } = f;
  const step = f.failed[0];
  const stepLines = step ? [step.error, ...(f.stepLines.get(step.id) ?? [])] : [];
  if (step && /network bridge not found/.test(step.error)) {
    // dockerd --bridge=none: RUN steps on the default network cannot start at all.
    return new EngineError(`the Docker daemon has no bridge network, so the build step ${step.name} could not start`, {
      hint: "build with --build-network host (or none), or start dockerd with its default bridge network",
      cause: details,
    });
  }
  const full = firstMatch([...stepLines, ...f.topLines], [NO_SPACE]);
  if (full) {
    return new EngineError(`the build engine ran out of disk space${step ? ` in the build step ${shortStepName(step.name)}` : ""}: ${excerpt(full, [])}`, { hint: adapterOf(engine.kind).daemon.pruneHint, cause: details });
  }
  // A step's own error counts only when it is the builder's (its `curl` may well print "EOF").
  const daemonLine = step ? firstMatch([step.error], [isDaemonFailure]) : firstMatch(f.topLines, [isDaemonFailure, NO_IMAGE_ID]);
  if (step && !daemonLine) {
    const base = BASE_IMAGE_STEP.exec(step.name)?.[1];
    if (base) {
      return new EngineError(`the base image ${base} could not be fetched: ${excerpt(step.error, [])}`, {
        hint: `pull it first (\`docker pull ${base}\`, or \`docker load\` where there is no registry access), or pass --base-image with an image this engine has`,
        cause: details,
      });
    }
    const unreachable = f.network === "none" ? firstMatch(stepLines, UNREACHABLE) : undefined;
    if (unreachable) {
      return new EngineError(`the build step ${shortStepName(step.name)} could not reach a server because the build network is "none": ${excerpt(unreachable, UNREACHABLE)}`, {
        hint: "build with --build-network host (a package index on this machine) or leave --build-network out (the engine's default network)",
        cause: details,
      });
    }
    return new BuildError(stepFailureMessage(step.name, step.error), { step: step.name, log: f.logTail, cause: details });
  }
  if (daemonLine !== undefined || !(await engineAnswers(engine))) {
    const daemon = adapterOf(engine.kind).daemon;
    return new EngineError(`${daemon.name} at ${daemon.address(engine)} stopped answering during the build${daemonLine ? `: ${daemonLine}` : ""}`, {
      hint: `check that it is running (${daemon.check}; its log says why it stopped), then run r2d again`,
      cause: details,
    });
  }
  const summary = errorSummary(f.topLines);
  const how = f.signal ? `was killed by ${f.signal}` : `exited with code ${f.exitCode}`;
  return new BuildError(summary ? `the build failed: ${summary}` : `the build failed: ${f.client} ${how}`, { log: f.logTail, cause: details });
}
