import { parseTomlFile } from "./toml.js";

export interface JuliaProject {
  /** `[compat] julia`, when given. */
  julia: string | null;
}

export function parseJuliaProject(text: string, file = "Project.toml"): JuliaProject {
  const data = parseTomlFile(text, file, "see https://pkgdocs.julialang.org/v1/toml-files/");
  const compat = data.compat as Record<string, unknown> | undefined;
  return { julia: typeof compat?.julia === "string" ? compat.julia : null };
}
