/**
 * The kinds of value an option takes, each with its two readers: a command-line value (commander
 * collects it; `fromCli` checks what it stored) and an action input's text (docker/build-push-action
 * conventions: lists by newline or comma, booleans as strings). A kind knows its own messages, so
 * the CLI and the action name the same mistake the same way in their own terms.
 */
import { ConfigError } from "../errors.js";
import { parseDuration } from "../grader/model-yaml.js";
import { parseBoolean, parseList, parsePairs } from "./input-text.js";

/** An action input: its name in action.yml, its default there, its description where it differs from the CLI's help. */
export interface InputSide {
  name: string;
  /** action.yml's default (a boolean's is "false"); an input equal to it counts as not given. */
  default?: string;
  /** action.yml's description (the CLI's help text when absent). */
  description?: string;
  /** Lists whose items may contain commas themselves: one item per line. */
  commas?: false;
}

/** A command-line value that is not what the option takes; the CLI reports it as commander does. */
export class ValueError extends Error {
  override name = "ValueError";
}

export interface Kind<T> {
  /** For the docs: what the flag takes. */
  readonly label: "switch" | "value" | "repeatable" | "argument";
  /** The value when the option is not given: an empty list, a switch off (a new one each time). */
  readonly empty?: () => T;
  readonly choices?: readonly string[];
  /** What a value must look like, for messages: "a number". */
  readonly expected?: string;
  readonly example?: string;
  /** Checks and converts one command-line value (repeatable kinds collect); throws ValueError. */
  readonly parseArg?: (value: string, previous: unknown) => unknown;
  /** What commander stored → the value. Commander's values are untyped, so this checks at run time. */
  fromCli(raw: unknown, flag: string): T | undefined;
  /** An action input's text (trimmed, not empty, not its default) → the value; throws ConfigError naming the input. */
  fromInput(text: string, input: InputSide): T | undefined;
  /** Whether a value counts as given, for the rules between options (a switch left off does not). */
  used(value: unknown): boolean;
}

const isString = (raw: unknown): raw is string => typeof raw === "string";
const isStrings = (raw: unknown): raw is string[] => Array.isArray(raw) && raw.every(isString);

function stored<T>(raw: unknown, ok: (raw: unknown) => raw is T, flag: string): T | undefined {
  if (raw === undefined) return undefined;
  if (!ok(raw)) throw new Error(`internal: ${flag} holds ${JSON.stringify(raw)}`);
  return raw;
}

const inputError = (input: InputSide, message: string, hint?: string) => new ConfigError(message, { location: { file: `input ${input.name}` }, hint });

const given = (value: unknown) => value !== undefined;

/** Free text. */
export const text: Kind<string> = {
  label: "value",
  fromCli: (raw, flag) => stored(raw, isString, flag),
  fromInput: (value) => value,
  used: given,
};

/** Text of a fixed shape (a uid, a size): checked on both sides with the same test and words. */
export function shaped(test: (value: string) => boolean, expected: string, example?: string): Kind<string> {
  return {
    label: "value",
    expected,
    example,
    parseArg: (value) => {
      if (!test(value)) throw new ValueError(`expected ${expected}`);
      return value;
    },
    fromCli: (raw, flag) => stored(raw, isString, flag),
    fromInput: (value, input) => {
      if (!test(value)) throw inputError(input, `must be ${expected}, got "${value}"`, example ? `for example ${input.name}: ${example}` : undefined);
      return value;
    },
    used: given,
  };
}

/** Docker's size syntax: 512m, 2g, 0m. */
export const size = shaped((v) => /^\d+(\.\d+)?\s*[bkmgt]?$/i.test(v), "a size such as 512m or 2g", "512m");
export const cpuCount = shaped((v) => /^\d*\.?\d+$/.test(v) && Number(v) > 0, "a number of CPUs such as 1 or 0.5", "1");
export const integer = shaped((v) => /^\d+$/.test(v), "a number", "1000");

/** A duration such as 90s, 10m or 1h, in milliseconds. */
export const duration: Kind<number> = {
  label: "value",
  expected: "a duration such as 90s, 10m or 1h (a bare number is seconds)",
  example: "30m",
  parseArg: (value) => {
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0) throw new ValueError(`expected ${duration.expected}`);
    return ms;
  },
  fromCli: (raw, flag) => stored(raw, (r): r is number => typeof r === "number", flag),
  fromInput: (value, input) => {
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0) throw inputError(input, `must be ${duration.expected}, got "${value}"`, `for example ${input.name}: 30m`);
    return ms;
  },
  used: given,
};

const orList = (items: readonly string[]) => (items.length > 1 ? `${items.slice(0, -1).join(", ")} or ${items.at(-1)}` : (items[0] ?? ""));

/** One of a fixed list; the action also takes its default (engine: auto), which means not given. */
export function choice<C extends string>(choices: readonly C[]): Kind<C> {
  const isChoice = (raw: unknown): raw is C => (choices as readonly unknown[]).includes(raw);
  return {
    label: "value",
    choices,
    fromCli: (raw, flag) => stored(raw, isChoice, flag),
    fromInput: (value, input) => {
      if (!isChoice(value)) throw inputError(input, `must be ${orList([...new Set([...(input.default ? [input.default] : []), ...choices])])}, got "${value}"`);
      return value;
    },
    used: given,
  };
}

/** A switch: `--push`; an input true or false. */
export const flag: Kind<boolean> = {
  label: "switch",
  empty: () => false,
  fromCli: () => true,
  fromInput: (value, input) => parseBoolean(value, input.name),
  used: (value) => value === true,
};

/** A switch that turns something off: `--no-run` makes run false. */
export const negatable: Kind<boolean> = {
  label: "switch",
  empty: () => true,
  fromCli: () => false,
  fromInput: (value, input) => parseBoolean(value, input.name, true),
  used: (value) => value === false,
};

const collect = (value: string, previous: unknown) => [...(isStrings(previous) ? previous : []), value];

/** A repeatable flag; a list input (one item per line or comma). */
export const list: Kind<string[]> = {
  label: "repeatable",
  empty: () => [],
  parseArg: collect,
  fromCli: (raw, flag) => stored(raw, isStrings, flag),
  fromInput: (value, input) => parseList(value, { commas: input.commas }),
  used: (value) => Array.isArray(value) && value.length > 0,
};

/** `NAME=VALUE` pairs: a repeatable flag; an input with one pair per line. Later pairs win. */
export const pairs: Kind<Record<string, string>> = {
  label: "repeatable",
  empty: () => ({}),
  parseArg: collect,
  fromCli: (raw, flag) => {
    const items = stored(raw, isStrings, flag);
    if (items === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const item of items) {
      const i = item.indexOf("=");
      if (i <= 0) throw new ConfigError(`${flag} expects NAME=VALUE, got "${item}"`, { location: { file: flag } });
      out[item.slice(0, i)] = item.slice(i + 1);
    }
    return out;
  },
  fromInput: (value, input) => parsePairs(parseList(value, { commas: false }), input.name),
  used: (value) => typeof value === "object" && value !== null && Object.keys(value).length > 0,
};

/** The command-line words after the repository (`r2d . -- python x.py`); none means not given. */
export const words: Kind<string[]> = {
  label: "argument",
  fromCli: (raw, flag) => {
    const items = stored(raw, isStrings, flag);
    return items?.length ? items : undefined;
  },
  fromInput: (value) => [value],
  used: (value) => Array.isArray(value) && value.length > 0,
};

/** The repository argument. */
export const argument: Kind<string> = { ...text, label: "argument" };

/**
 * A command as words: a JSON array (`["python", "-u", "src/train.py"]`, Dockerfile's exec form) or
 * words separated by spaces (`python -u src/train.py`). Quotes, `$` and other shell syntax are
 * refused in the plain form: no shell reads it, so they would not mean what they seem to.
 */
export function commandWords(value: string): string[] {
  const text = value.trim();
  if (text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ValueError('expected a JSON array of strings, e.g. ["python", "-u", "train.py"]');
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((w) => typeof w === "string" && w !== "")) {
      throw new ValueError('expected a JSON array of non-empty strings, e.g. ["python", "-u", "train.py"]');
    }
    return parsed as string[];
  }
  if (text === "") throw new ValueError("expected a command");
  if (/["'`$\\;&|<>(){}*?~#]/.test(text)) {
    throw new ValueError('shell syntax (quotes, $, ;, |, globs) is not read by a shell here: write the words as a JSON array, e.g. ["sh", "-c", "…"]');
  }
  return text.split(/\s+/);
}

/** The image's default command, given as commandWords reads it. */
export const command: Kind<string[]> = {
  label: "value",
  expected: "a command such as python -u train.py, or a JSON array of words",
  parseArg: (value) => commandWords(value),
  fromCli: (raw, flag) => stored(raw, isStrings, flag),
  fromInput: (value, input) => {
    try {
      return commandWords(value);
    } catch (err) {
      if (err instanceof ValueError) throw inputError(input, `${err.message}, got "${value}"`, `for example ${input.name}: python -u src/train.py`);
      throw err;
    }
  },
  used: (value) => Array.isArray(value) && value.length > 0,
};
