import { ConfigError, quoteForMessage } from "../errors.js";
import { devGroup, hasDevExtra } from "./dependency-groups.js";
import { describeTomlValue, parseTomlFile, tomlKeyLine, tomlTableLine } from "./toml.js";

export interface PyprojectToml {
  /** `[project]` and `[build-system]` both present: repo2docker installs it with `pip install .`. */
  isPackage: boolean;
  /** `[project] requires-python`, when given. */
  requiresPython: string | null;
  /** `[dependency-groups] dev`'s requirements (includes followed), for the dev image. */
  devGroup: string[];
  /** `[project.optional-dependencies]` has `dev`: the dev image installs `.[dev]`. */
  devExtra: boolean;
}

/** PEP 440 specifiers use only these (letters for `rc1`, `.post1`, `.dev0`). */
const SPECIFIER = /^[A-Za-z0-9.*,<>=!~\s]{1,200}$/;

export function parsePyprojectToml(text: string, file = "pyproject.toml"): PyprojectToml {
  const data = parseTomlFile(text, file, "see https://packaging.python.org/en/latest/guides/writing-pyproject-toml/");
  for (const table of ["project", "build-system"]) {
    if (data[table] !== undefined && !isTable(data[table])) {
      throw new ConfigError(`[${table}] must be a table, not ${describeTomlValue(data[table])}`, {
        location: { file, line: tomlTableLine(text, table) },
        hint: `write it as a [${table}] section`,
      });
    }
  }
  const project = data.project as Record<string, unknown> | undefined;
  const requires = project?.["requires-python"];
  if (requires !== undefined && (typeof requires !== "string" || !SPECIFIER.test(requires))) {
    const what = typeof requires === "string" ? `${quoteForMessage(requires)} is not a version specifier` : `must be a string, not ${describeTomlValue(requires)}`;
    throw new ConfigError(`requires-python ${what}`, {
      location: { file, line: tomlKeyLine(text, "project", "requires-python") },
      hint: 'write for example requires-python = ">=3.9"',
    });
  }
  return {
    isPackage: isTable(project) && isTable(data["build-system"]),
    requiresPython: typeof requires === "string" ? requires : null,
    devGroup: devGroup(data, text, file),
    devExtra: hasDevExtra(project),
  };
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
