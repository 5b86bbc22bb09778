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
  return { python: typeof version === "string" ? version.split(".").slice(0, 2).join(".") : null, hasLocalReferences };
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
  const version = data._meta?.requires?.python_version;
  const hasLocalReferences = [data.default, data.develop].some((group) =>
    Object.values(group ?? {}).some((spec) => typeof spec === "object" && spec !== null && "path" in spec),
  );
  return { python: typeof version === "string" ? version : null, hasLocalReferences };
}
