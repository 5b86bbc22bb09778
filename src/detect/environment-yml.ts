import { ConfigError } from "../errors.js";
import { parseRequirementsTxt } from "./requirements-txt.js";
import { lazyYaml } from "./yaml.js";

export interface EnvironmentYml {
  /** `X.Y` from a `python=X.Y[.Z]` / `python==X.Y` dependency, else null (the default applies). */
  python: string | null;
  /** Any `r-*` dependency (or `r-base`). */
  hasR: boolean;
  /** A `pip:` entry refers to the repository (`-e .`, `./pkg`): install after copying the code. */
  pipHasLocalReferences: boolean;
  /** `channels:` as written (empty when none). */
  channels: string[];
}

/** Parses `environment.yml`; an empty file is allowed (repo2docker allows it), a non-mapping is not. */
export function parseEnvironmentYml(text: string, file = "environment.yml"): EnvironmentYml {
  const doc = lazyYaml().parseDocument(text);
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    throw new ConfigError(`is not valid YAML: ${first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`, {
      location: { file, line },
      hint: "check the indentation and quoting near that line (conda's environment file format: name, channels, dependencies)",
    });
  }
  const data: unknown = doc.toJS();
  const empty: EnvironmentYml = { python: null, hasR: false, pipHasLocalReferences: false, channels: [] };
  if (data === null || data === undefined) return empty;
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError("must be a mapping with `dependencies:` (and optionally `channels:`)", {
      location: { file, line: 1 },
      hint: "start the file with\ndependencies:\n  - python=3.11",
    });
  }
  const env = data as Record<string, unknown>;
  const deps = Array.isArray(env.dependencies) ? env.dependencies : [];
  const channels = Array.isArray(env.channels) ? env.channels.map(String) : [];
  let python: string | null = null;
  let hasR = false;
  let pipHasLocalReferences = false;
  for (const dep of deps) {
    if (typeof dep === "string") {
      const spec = dep.trim();
      const py = /^python\s*==?\s*(\d+\.\d+)/.exec(spec);
      if (py && python === null) python = py[1]!;
      if (/^r-[a-z0-9]/i.test(spec) || /^r-base\b/i.test(spec)) hasR = true;
    } else if (dep && typeof dep === "object" && Array.isArray((dep as { pip?: unknown }).pip)) {
      const pip = ((dep as { pip: unknown[] }).pip).map(String).join("\n");
      if (parseRequirementsTxt(pip).hasLocalReferences) pipHasLocalReferences = true;
    }
  }
  return { python, hasR, pipHasLocalReferences, channels };
}
