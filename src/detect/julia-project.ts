import { clipForMessage, ConfigError, quoteForMessage } from "../errors.js";
import { parseJuliaCompat, type VersionRange } from "./julia-compat.js";
import { describeTomlValue, parseTomlFile, tomlKeyLine, tomlTableLine } from "./toml.js";

export interface JuliaProject {
  /** `[compat] julia` as written, when given. */
  julia: string | null;
  /** ... as the versions it allows (null when not given). */
  compat: VersionRange[] | null;
  /** Its line, for messages. */
  compatLine: number | null;
  /**
   * What makes the environment depend on files beside the project (`[sources]` paths, a `manifest`
   * key, a `[workspace]`): then Pkg can only instantiate it once the whole repository is there.
   */
  localReferences: string[];
}

/** What r2d reads from Manifest.toml: the Julia that resolved it and the packages it takes from local paths. */
export interface JuliaManifest {
  juliaVersion: string | null;
  localPackages: string[];
}

const HINT = "see https://pkgdocs.julialang.org/v1/toml-files/";
const COMPAT_HINT = 'write a Pkg version specifier, e.g. julia = "1.10" (1.10 or newer, below 2), "~1.10", ">= 1.6", "1.6 - 1.10", or a comma-separated union';

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

export function parseJuliaProject(text: string, file = "Project.toml"): JuliaProject {
  const data = parseTomlFile(text, file, HINT);
  return { ...readCompat(data, text, file), localReferences: localReferences(data) };
}

function readCompat(data: Table, text: string, file: string): Pick<JuliaProject, "julia" | "compat" | "compatLine"> {
  const none = { julia: null, compat: null, compatLine: null };
  const compat = data.compat;
  if (compat === undefined) return none;
  if (!isTable(compat)) {
    throw new ConfigError(`[compat] must be a table, not ${describeTomlValue(compat)}`, { location: { file, line: tomlTableLine(text, "compat") }, hint: HINT });
  }
  const julia = compat.julia;
  if (julia === undefined) return none;
  const line = tomlKeyLine(text, "compat", "julia");
  if (typeof julia !== "string") {
    throw new ConfigError(`[compat] julia must be a version string, not ${describeTomlValue(julia)}`, { location: { file, line }, hint: 'quote it: julia = "1.10"' });
  }
  const parsed = parseJuliaCompat(julia);
  if ("error" in parsed) {
    throw new ConfigError(`[compat] julia = ${quoteForMessage(julia, 60)} is not a version specifier Pkg accepts: ${parsed.error}`, { location: { file, line }, hint: COMPAT_HINT });
  }
  return { julia, compat: parsed.ranges, compatLine: line ?? null };
}

function localReferences(data: Table): string[] {
  const refs: string[] = [];
  if (isTable(data.sources)) {
    for (const [name, source] of Object.entries(data.sources)) {
      if (isTable(source) && typeof source.path === "string") refs.push(`[sources] ${clipForMessage(name, 40)} (path ${quoteForMessage(source.path, 60)})`);
    }
  }
  if (typeof data.manifest === "string") refs.push(`manifest = ${quoteForMessage(data.manifest, 60)}`);
  if (data.workspace !== undefined) refs.push("[workspace]");
  return refs;
}

/**
 * Manifest.toml in either format (v2: `manifest_format = "2.0"` with entries under `[[deps.Name]]`;
 * v1: `[[Name]]` at the top). Entries with a `path` are packages developed from a local folder.
 */
export function parseJuliaManifest(text: string, file = "Manifest.toml"): JuliaManifest {
  const data = parseTomlFile(text, file, HINT);
  const v2 = typeof data.manifest_format === "string" && !data.manifest_format.startsWith("1");
  const entries = v2 ? (isTable(data.deps) ? data.deps : {}) : data;
  const localPackages: string[] = [];
  for (const [name, list] of Object.entries(entries)) {
    if (!Array.isArray(list)) continue;
    if (list.some((entry) => isTable(entry) && typeof entry.path === "string")) localPackages.push(clipForMessage(name, 40));
  }
  // Only a version reaches messages: the field is free text to TOML.
  const juliaVersion = typeof data.julia_version === "string" && /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]{1,40})?$/.test(data.julia_version) ? data.julia_version : null;
  return { juliaVersion, localPackages };
}
