import { createRequire } from "node:module";
import type * as SmolToml from "smol-toml";
import { ConfigError } from "../errors.js";

// smol-toml is loaded on first use (its CommonJS build, so parsing stays synchronous): most
// repositories have no TOML file, and r2d's start-up should not pay for it.
const requireCjs = createRequire(import.meta.url);
let toml: typeof SmolToml | undefined;

/** Parses TOML, turning syntax errors into a ConfigError with the file and line. */
export function parseTomlFile(text: string, file: string, hint: string): Record<string, unknown> {
  toml ??= requireCjs("smol-toml") as typeof SmolToml;
  try {
    return toml.parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof toml.TomlError) {
      throw new ConfigError(`is not valid TOML: ${err.message.split("\n")[0]}`, {
        location: { file, line: err.line },
        hint,
        cause: err,
      });
    }
    throw err;
  }
}
