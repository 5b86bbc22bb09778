/**
 * pyproject.toml's dev extras for the dev image: the `dev` dependency group (PEP 735
 * `[dependency-groups]`, `{include-group = "…"}` entries followed) and whether
 * `[project.optional-dependencies]` has a `dev` extra. Each requirement reaches pip as one quoted
 * argument, so it must be a requirement (never an option, a path or a second line).
 */
import { ConfigError, quoteForMessage } from "../errors.js";
import { checkRequirementLine } from "./requirement-line.js";
import { describeTomlValue, tomlKeyLine } from "./toml.js";

const HINT = "write the dev group as requirement strings, such as dev = [\"pytest>=8\", {include-group = \"lint\"}] (PEP 735)";

/** The `dev` group's requirements, or [] when there is none. */
export function devGroup(data: Record<string, unknown>, text: string, file: string): string[] {
  const groups = data["dependency-groups"];
  if (groups === undefined) return [];
  const line = tomlKeyLine(text, "dependency-groups", "dev");
  if (!isTable(groups)) throw new ConfigError(`[dependency-groups] must be a table, not ${describeTomlValue(groups)}`, { location: { file }, hint: HINT });
  return groups.dev === undefined ? [] : expand(groups, "dev", [], { file, line });
}

function expand(groups: Record<string, unknown>, name: string, seen: string[], where: { file: string; line: number | undefined }): string[] {
  if (seen.includes(name)) throw new ConfigError(`dependency group ${quoteForMessage(name)} includes itself (${[...seen, name].join(" -> ")})`, { location: where, hint: HINT });
  const list = groups[name];
  if (!Array.isArray(list)) throw new ConfigError(`dependency group ${quoteForMessage(name)} is ${describeTomlValue(list)}, not an array`, { location: where, hint: HINT });
  return list.flatMap((item) => {
    if (isTable(item) && typeof item["include-group"] === "string") return expand(groups, item["include-group"], [...seen, name], where);
    if (typeof item !== "string" || !/^[A-Za-z0-9][^\n\r\0]{0,300}$/.test(item.trim()) || /^[^;]*(?:[/\\]|:\/\/)/.test(item)) {
      throw new ConfigError(`dependency group ${quoteForMessage(name)} has ${typeof item === "string" ? quoteForMessage(item) : describeTomlValue(item)}, which is not a package requirement`, { location: where, hint: HINT });
    }
    checkRequirementLine(item.trim(), where.file, where.line);
    return [item.trim()];
  });
}

/** `[project.optional-dependencies]` has a `dev` extra. */
export function hasDevExtra(project: unknown): boolean {
  return isTable(project) && isTable(project["optional-dependencies"]) && project["optional-dependencies"].dev !== undefined;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
