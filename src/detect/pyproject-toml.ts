import { parseTomlFile } from "./toml.js";

export interface PyprojectToml {
  /** `[project]` and `[build-system]` both present: repo2docker installs it with `pip install .`. */
  isPackage: boolean;
  /** `[project] requires-python`, when given. */
  requiresPython: string | null;
}

export function parsePyprojectToml(text: string, file = "pyproject.toml"): PyprojectToml {
  const data = parseTomlFile(text, file, "see https://packaging.python.org/en/latest/guides/writing-pyproject-toml/");
  const project = data.project as Record<string, unknown> | undefined;
  const requires = project?.["requires-python"];
  return {
    isPackage: typeof project === "object" && typeof data["build-system"] === "object",
    requiresPython: typeof requires === "string" ? requires : null,
  };
}
