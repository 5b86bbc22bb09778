import { ConfigError } from "../errors.js";
import { describeTomlValue, parseTomlFile, tomlKeyLine, tomlTableLine } from "./toml.js";

export interface JuliaProject {
  /** `[compat] julia`, when given. */
  julia: string | null;
}

const HINT = "see https://pkgdocs.julialang.org/v1/toml-files/";

export function parseJuliaProject(text: string, file = "Project.toml"): JuliaProject {
  const data = parseTomlFile(text, file, HINT);
  const compat = data.compat;
  if (compat === undefined) return { julia: null };
  if (typeof compat !== "object" || compat === null || Array.isArray(compat) || compat instanceof Date) {
    throw new ConfigError(`[compat] must be a table, not ${describeTomlValue(compat)}`, { location: { file, line: tomlTableLine(text, "compat") }, hint: HINT });
  }
  const julia = (compat as Record<string, unknown>).julia;
  if (julia !== undefined && typeof julia !== "string") {
    throw new ConfigError(`[compat] julia must be a version string, not ${describeTomlValue(julia)}`, { location: { file, line: tomlKeyLine(text, "compat", "julia") }, hint: 'quote it: julia = "1.10"' });
  }
  return { julia: julia ?? null };
}
