import { expect } from "vitest";
import { ConfigError } from "../../src/errors.js";

export interface Expected {
  /** `location.file` */
  file: string;
  /** `location.line`; pass `undefined` explicitly to assert there is none. */
  line?: number | undefined;
  /** Key words of the message. */
  message: RegExp;
  /** The error class (ConfigError or a subclass). */
  type?: typeof ConfigError;
}

function check(err: unknown, want: Expected): ConfigError {
  expect(err, "a ConfigError should have been thrown").toBeInstanceOf(want.type ?? ConfigError);
  const e = err as ConfigError;
  expect(e.location?.file).toBe(want.file);
  if ("line" in want) expect(e.location?.line).toBe(want.line);
  expect(e.message).toMatch(want.message);
  expect(typeof e.hint === "string" && e.hint.length > 0, "the error carries a hint").toBe(true);
  // The rendered message names the place and repeats the hint.
  expect(e.message.startsWith(`${want.file}${e.location?.line ? `:${e.location.line}` : ""}: `)).toBe(true);
  expect(e.message).toContain(`hint: ${e.hint}`);
  return e;
}

/** Runs fn, asserts it throws the expected ConfigError, and returns it. */
export function expectConfigError(fn: () => unknown, want: Expected): ConfigError {
  expect(fn).toThrow(want.message);
  try {
    fn();
  } catch (err) {
    return check(err, want);
  }
  throw new Error("unreachable");
}

export async function expectConfigErrorAsync(p: Promise<unknown>, want: Expected): Promise<ConfigError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  return check(err, want);
}

/** Same as expectConfigError, for errors that legitimately have no hint. */
export function expectConfigErrorNoHint(fn: () => unknown, want: Expected): ConfigError {
  let caught: unknown = null;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(want.type ?? ConfigError);
  const e = caught as ConfigError;
  expect(e.location?.file).toBe(want.file);
  if ("line" in want) expect(e.location?.line).toBe(want.line);
  expect(e.message).toMatch(want.message);
  return e;
}
