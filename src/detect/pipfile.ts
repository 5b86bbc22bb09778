import { ConfigError, clipForMessage, quoteForMessage } from "../errors.js";
import { describeTomlValue, parseTomlFile, tomlKeyLine, tomlTableLine } from "./toml.js";
import { describeVersions, nearestVersion, PYTHON_VERSIONS } from "./versions.js";

export interface Pipfile {
  /** `[requires] python_version` (X.Y), when given. */
  python: string | null;
  /** A package installed from a path (`path = "."`): install after copying the code. */
  hasLocalReferences: boolean;
}

const PIPFILE_HINT = "Pipfile is TOML; see https://pipenv.pypa.io/en/latest/pipfile.html";

export function parsePipfile(text: string, file = "Pipfile"): Pipfile {
  const data = parseTomlFile(text, file, PIPFILE_HINT);
  const wrong = (what: string, line: number | undefined, hint: string) => new ConfigError(what, { location: { file, line }, hint });
  const requires = data.requires;
  if (requires !== undefined && !isTable(requires)) {
    throw wrong(`[requires] must be a table, not ${describeTomlValue(requires)}`, tomlTableLine(text, "requires"), 'write\n[requires]\npython_version = "3.11"');
  }
  let version: string | undefined;
  let versionLine: number | undefined;
  for (const key of ["python_version", "python_full_version"]) {
    const v = (requires)?.[key];
    if (v !== undefined && typeof v !== "string") {
      throw wrong(`${key} must be a string, not ${describeTomlValue(v)}`, tomlKeyLine(text, "requires", key), `quote it: ${key} = "3.11"`);
    }
    if (version === undefined && v !== undefined) {
      version = v;
      versionLine = tomlKeyLine(text, "requires", key);
    }
  }
  let hasLocalReferences = false;
  for (const section of ["packages", "dev-packages"]) {
    const packages = data[section];
    if (packages === undefined) continue;
    if (!isTable(packages)) throw wrong(`[${section}] must be a table, not ${describeTomlValue(packages)}`, tomlTableLine(text, section), `write\n[${section}]\nnumpy = "*"`);
    for (const [name, spec] of Object.entries(packages)) {
      const line = tomlKeyLine(text, section, name);
      if (typeof spec === "string") continue;
      if (!isTable(spec)) {
        throw wrong(`[${section}] ${clipForMessage(name, 60)} must be a version string or a table, not ${describeTomlValue(spec)}`, line, `write ${clipForMessage(name, 60)} = "*" or ${clipForMessage(name, 60)} = {version = ">=1.0"}`);
      }
      for (const key of ["version", "path", "git", "ref", "index"]) {
        if (spec[key] !== undefined && typeof spec[key] !== "string") {
          throw wrong(`[${section}] ${clipForMessage(name, 60)}: ${key} must be a string, not ${describeTomlValue(spec[key])}`, line, `quote the value: ${key} = "..."`);
        }
      }
      if ("path" in spec) hasLocalReferences = true;
    }
  }
  return { python: pythonVersion(version, file, versionLine), hasLocalReferences };
}

/**
 * `X.Y[.Z]` → `X.Y`; a bare major maps like repo2docker's (`3` → 3.10, `2` → 2.7); anything else,
 * or a version r2d cannot provide, is refused here rather than failing later.
 */
function pythonVersion(version: unknown, file: string, line: number | undefined): string | null {
  if (typeof version !== "string") return null;
  const v = version.trim();
  if (v === "3") return "3.10";
  if (v === "2") return "2.7";
  if (!/^\d+\.\d+(\.\d+)?$/.test(v)) {
    throw new ConfigError(`python_version ${quoteForMessage(version)} is not a Python version (X.Y)`, {
      location: { file, line },
      hint: 'write for example python_version = "3.11" under [requires]',
    });
  }
  const xy = v.split(".").slice(0, 2).join(".");
  if (!PYTHON_VERSIONS.includes(xy)) {
    throw new ConfigError(`python_version ${quoteForMessage(version)}: Python ${xy} is not a version r2d can provide`, {
      location: { file, line },
      hint: `use "${nearestVersion(xy, PYTHON_VERSIONS)}" (the nearest); r2d can provide ${describeVersions(PYTHON_VERSIONS)}`,
    });
  }
  return xy;
}

export function parsePipfileLock(text: string, file = "Pipfile.lock"): Pipfile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec(String(err))?.[1];
    const line = pos ? text.slice(0, Number(pos)).split("\n").length : undefined;
    throw new ConfigError(`is not valid JSON: ${clipForMessage((err as Error).message, 160)}`, {
      location: { file, line },
      hint: "regenerate it with `pipenv lock`",
    });
  }
  if (!isTable(data)) {
    throw new ConfigError("must be a JSON object (with _meta, default and develop)", { location: { file, line: 1 }, hint: "regenerate it with `pipenv lock`" });
  }
  const lineOf = (key: string) => {
    const i = text.indexOf(`"${key}"`);
    return i >= 0 ? text.slice(0, i).split("\n").length : undefined;
  };
  const wrong = (what: string, key: string) => new ConfigError(what, { location: { file, line: lineOf(key) }, hint: "regenerate it with `pipenv lock`" });
  const meta = data._meta;
  if (meta !== undefined && !isTable(meta)) throw wrong("_meta must be an object", "_meta");
  const requires = (meta)?.requires;
  if (requires !== undefined && !isTable(requires)) throw wrong("_meta.requires must be an object", "requires");
  const version = (requires)?.python_version;
  if (version !== undefined && typeof version !== "string") throw wrong("_meta.requires.python_version must be a string", "python_version");
  let hasLocalReferences = false;
  for (const group of ["default", "develop"]) {
    const packages = data[group];
    if (packages === undefined) continue;
    if (!isTable(packages)) throw wrong(`${group} must be an object`, group);
    for (const spec of Object.values(packages)) {
      if (isTable(spec) && "path" in spec) hasLocalReferences = true;
    }
  }
  return { python: pythonVersion(version, file, lineOf("python_version")), hasLocalReferences };
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
