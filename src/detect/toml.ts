import { createRequire } from "node:module";
import type * as SmolToml from "smol-toml";
import { ConfigError, clipForMessage, quoteForMessage } from "../errors.js";

// smol-toml is loaded on first use (its CommonJS build, so parsing stays synchronous): most
// repositories have no TOML file, and r2d's start-up should not pay for it.
const requireCjs = createRequire(import.meta.url);
let toml: typeof SmolToml | undefined;

/** Inline arrays and tables nested deeper than this are refused (config files need a few levels). */
export const TOML_MAX_DEPTH = 32;

/** Parses TOML, turning syntax errors and resource limits into a ConfigError with the file and line. */
export function parseTomlFile(text: string, file: string, hint: string): Record<string, unknown> {
  toml ??= requireCjs("smol-toml") as typeof SmolToml;
  try {
    return toml.parse(text, { maxDepth: TOML_MAX_DEPTH });
  } catch (err) {
    if (err instanceof toml.TomlError) {
      // The first line only: the library's following lines quote the source.
      const first = err.message.split("\n")[0]!;
      const deep = /excessively nested/i.test(first);
      throw new ConfigError(deep ? `is nested more than ${TOML_MAX_DEPTH} levels deep, which r2d refuses` : `is not valid TOML: ${clipForMessage(first, 160)}`, {
        location: { file, line: err.line },
        hint: deep ? "config files need a few levels of nesting at most: check for runaway brackets" : hint,
        cause: err,
      });
    }
    if (err instanceof RangeError) {
      throw new ConfigError("is nested too deeply for r2d to read", { location: { file }, hint: "check for runaway brackets", cause: err });
    }
    throw err;
  }
}

/**
 * The line of `key = …` inside `[table]` (or `table.key = …` at the top), for messages about a
 * value's type; undefined when the key is written some other way (an inline table).
 */
export function tomlKeyLine(text: string, table: string | null, key: string): number | undefined {
  const quoted = (k: string) => `(?:${escapeRe(k)}|"${escapeRe(k)}"|'${escapeRe(k)}')`;
  const header = /^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$/;
  let current: string | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const h = header.exec(lines[i]!);
    if (h && !lines[i]!.trim().startsWith("[[")) {
      current = h[1]!.replace(/["'\s]/g, "");
      continue;
    }
    const direct = current === table && new RegExp(`^\\s*${quoted(key)}\\s*=`).test(lines[i]!);
    const dotted = current === null && table !== null && new RegExp(`^\\s*${quoted(table)}\\s*\\.\\s*${quoted(key)}\\s*=`).test(lines[i]!);
    if (direct || dotted) return i + 1;
  }
  return undefined;
}

/** The line of a `[table]` header, or of the first `table.x = …` line. */
export function tomlTableLine(text: string, table: string): number | undefined {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => new RegExp(`^\\s*(\\[\\s*["']?${escapeRe(table)}["']?\\s*\\]|["']?${escapeRe(table)}["']?\\s*[.=])`).test(l));
  return i >= 0 ? i + 1 : undefined;
}

/** What a TOML value is, for messages. */
export function describeTomlValue(value: unknown): string {
  if (typeof value === "string") return `the string ${quoteForMessage(value, 60)}`;
  if (typeof value === "number" || typeof value === "bigint") return `the number ${value}`;
  if (typeof value === "boolean") return `the boolean ${value}`;
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date";
  if (value && typeof value === "object") return "a table";
  return "an unexpected value";
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
}
