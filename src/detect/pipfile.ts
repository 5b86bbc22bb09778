import { ConfigError } from "../errors.js";
import { parseTomlFile } from "./toml.js";

export interface Pipfile {
  /** `[requires] python_version` (X.Y), when given. */
  python: string | null;
  /** A package installed from a path (`path = "."`): install after copying the code. */
  hasLocalReferences: boolean;
}

export function parsePipfile(text: string, file = "Pipfile"): Pipfile {
  const data = parseTomlFile(text, file, "Pipfile is TOML; see https://pipenv.pypa.io/en/latest/pipfile.html");
  const requires = data.requires as Record<string, unknown> | undefined;
  const version = requires?.python_version ?? requires?.python_full_version;
  const hasLocalReferences = ["packages", "dev-packages"].some((section) =>
    Object.values((data[section] as Record<string, unknown>) ?? {}).some(
      (spec) => typeof spec === "object" && spec !== null && "path" in spec,
    ),
  );
  return { python: pythonVersion(version, file), hasLocalReferences };
}

/**
 * `X.Y[.Z]` → `X.Y`; a bare major maps like repo2docker's (`3` → 3.10, `2` → 2.7); anything else
 * is refused here rather than failing later with a version-library error.
 */
function pythonVersion(version: unknown, file: string): string | null {
  if (typeof version !== "string") return null;
  const v = version.trim();
  if (v === "3") return "3.10";
  if (v === "2") return "2.7";
  if (!/^\d+\.\d+(\.\d+)?$/.test(v)) {
    throw new ConfigError(`python_version "${version}" is not a Python version (X.Y)`, {
      location: { file },
      hint: 'write for example python_version = "3.11" under [requires]',
    });
  }
  return v.split(".").slice(0, 2).join(".");
}

export function parsePipfileLock(text: string, file = "Pipfile.lock"): Pipfile {
  let data: { _meta?: { requires?: { python_version?: unknown } }; default?: Record<string, unknown>; develop?: Record<string, unknown> };
  try {
    data = JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec(String(err))?.[1];
    const line = pos ? text.slice(0, Number(pos)).split("\n").length : undefined;
    throw new ConfigError(`is not valid JSON: ${(err as Error).message}`, {
      location: { file, line },
      hint: "regenerate it with `pipenv lock`",
    });
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ConfigError("must be a JSON object (with _meta, default and develop)", { location: { file, line: 1 }, hint: "regenerate it with `pipenv lock`" });
  }
  const version = data._meta?.requires?.python_version;
  const hasLocalReferences = [data.default, data.develop].some((group) =>
    Object.values(group ?? {}).some((spec) => typeof spec === "object" && spec !== null && "path" in spec),
  );
  return { python: pythonVersion(version, file), hasLocalReferences };
}
