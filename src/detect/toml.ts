import { parse, TomlError } from "smol-toml";
import { ConfigError } from "../errors.js";

/** Parses TOML, turning syntax errors into a ConfigError with the file and line. */
export function parseTomlFile(text: string, file: string, hint: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      throw new ConfigError(`is not valid TOML: ${err.message.split("\n")[0]}`, {
        location: { file, line: err.line },
        hint,
        cause: err,
      });
    }
    throw err;
  }
}
