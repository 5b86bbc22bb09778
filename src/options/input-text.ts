/**
 * How a GitHub Action's inputs are written, as @actions/core and docker/build-push-action read
 * them: `INPUT_<NAME>` variables; lists by newline or comma; booleans as the strings true/false.
 */
import { ConfigError } from "../errors.js";

export type Env = Record<string, string | undefined>;

/**
 * The raw value of an input, as @actions/core reads it: `INPUT_` + the name upper-cased, with
 * spaces as underscores; hyphens kept. A composite step cannot always set hyphenated variable
 * names, so `INPUT_IMAGE_NAME` is accepted for `image-name` too. Trimmed; "" when unset.
 */
export function getInput(env: Env, name: string): string {
  const key = `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
  const value = env[key] ?? env[key.replace(/-/g, "_")] ?? "";
  return value.trim();
}

/** Splits one line on commas that are not inside double quotes; quotes around an item are removed. */
function splitCommas(line: string): string[] {
  const items: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      items.push(cur);
      cur = "";
      continue;
    }
    cur += ch;
  }
  items.push(cur);
  return items.map((s) => s.trim().replace(/^"(.*)"$/s, "$1"));
}

/**
 * A list input: one item per line, or also per comma unless `commas` is false. Blank items and
 * lines starting with `#` are dropped; items are trimmed.
 */
export function parseList(value: string, opts: { commas?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const raw of value.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    out.push(...(opts.commas === false ? [line] : splitCommas(line)));
  }
  return out.filter((s) => s !== "");
}

const TRUE = ["true", "True", "TRUE"];
const FALSE = ["false", "False", "FALSE"];

/** A boolean input, strict as @actions/core's getBooleanInput: true/True/TRUE, false/False/FALSE, or empty for the default. */
export function parseBoolean(value: string, name: string, fallback = false): boolean {
  if (value === "") return fallback;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new ConfigError(`must be true or false, got "${value}"`, { location: { file: `input ${name}` } });
}

/** `NAME=VALUE` items into a record (later items win), with the input named in the error. */
export function parsePairs(items: string[], name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf("=");
    if (i <= 0) throw new ConfigError(`expects NAME=VALUE lines, got "${item.split("=")[0]}…"`, { location: { file: `input ${name}` } });
    out[item.slice(0, i).trim()] = item.slice(i + 1);
  }
  return out;
}
