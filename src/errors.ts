/**
 * The few error kinds r2d raises. One place (the CLI) turns them into exit codes;
 * every message says what was found, where, and what to do about it.
 */

export interface Location {
  /** Repository-relative file path (or a flag name such as `--user-id`). */
  file: string;
  /** 1-based line number, when there is one. */
  line?: number;
}

/** A problem with the user's repository or options: fix the input and run again. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly location?: Location;
  readonly hint?: string;
  constructor(message: string, opts: { location?: Location; hint?: string; cause?: unknown } = {}) {
    const where = opts.location
      ? `${opts.location.file}${opts.location.line ? `:${opts.location.line}` : ""}: `
      : "";
    super(`${where}${message}${opts.hint ? `\n  hint: ${opts.hint}` : ""}`, { cause: opts.cause });
    this.location = opts.location;
    this.hint = opts.hint;
  }
}

/** A configuration r2d detects but does not build (Julia's REQUIRE): said plainly, never a broken Dockerfile. */
export class UnsupportedError extends ConfigError {
  override name = "UnsupportedError";
  /** The buildpack that was detected (set by the planner). */
  buildpack?: string;
}

/** The build engine is missing, down, or refused: nothing about the repository is wrong. */
export class EngineError extends Error {
  override name = "EngineError";
  readonly hint?: string;
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(`${message}${opts.hint ? `\n  hint: ${opts.hint}` : ""}`, { cause: opts.cause });
    this.hint = opts.hint;
  }
}

/** A build step failed (the repository's own install or postBuild). */
export class BuildError extends Error {
  override name = "BuildError";
  /** The name of the failing step as the builder printed it, e.g. `[5/9] RUN ./postBuild`. */
  readonly step?: string;
  /** The tail of the builder's output. */
  readonly log: string;
  constructor(message: string, opts: { step?: string; log?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.step = opts.step;
    this.log = opts.log ?? "";
  }
}

/** Exit codes: 1 build/run failure, 2 bad input, 3 engine problem (130/143 for SIGINT/SIGTERM: src/cleanup.ts). */
export function exitCodeFor(err: unknown): number {
  if (err instanceof ConfigError) return 2;
  if (err instanceof EngineError) return 3;
  return 1;
}

/**
 * Text from a repository file made safe to show in a message: control characters, newlines and
 * invisible formatting characters (bidi overrides, zero-width marks) escaped, and cut to `max`
 * characters with an ellipsis, so a hostile file can neither flood a terminal nor forge output.
 */
export function clipForMessage(text: string, max = 100): string {
  const chars = Array.from(text);
  const kept = chars.length > max ? chars.slice(0, max) : chars;
  const escaped = kept.map(escapeChar).join("");
  return chars.length > max ? `${escaped}…` : escaped;
}

/** clipForMessage in double quotes (quotes and backslashes inside escaped): `"python=banana"`. */
export function quoteForMessage(text: string, max = 100): string {
  return `"${clipForMessage(text.replace(/[\\"]/g, (c) => `\\${c}`), max)}"`;
}

const NAMED_ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeChar(c: string): string {
  if (NAMED_ESCAPES[c]) return NAMED_ESCAPES[c];
  // Cc: C0/C1 controls and DEL; Cf: bidi overrides, zero-width joiners, BOM; Zl/Zp: line separators; Cs: lone surrogates.
  if (/^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]$/u.test(c)) {
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  }
  return c;
}

/** What was thrown, as an Error (a thrown string or value becomes its message). */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === "string" ? thrown : JSON.stringify(thrown) ?? "undefined");
}
