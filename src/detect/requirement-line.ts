/**
 * A requirement line of a pip requirements file, checked before the build: pip stops the build
 * with "Invalid requirement" for `numpy==` or `numpy=1.0`, so r2d says it first, naming the line.
 * Only lines that are plainly a project name with version specifiers are judged; paths, URLs,
 * archives, options and environment variables are left to pip, which reads them in ways a
 * second parser would only guess at.
 */
import { ConfigError, quoteForMessage } from "../errors.js";

const NAME = String.raw`[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?`;
const EXTRAS = String.raw`\[\s*(?:${NAME}(?:\s*,\s*${NAME})*)?\s*\]`;
const VERSION = String.raw`[A-Za-z0-9.*+!_-]+`;
const SPEC = String.raw`(?:===|==|!=|<=|>=|~=|<|>)\s*${VERSION}`;
const SPECS = String.raw`${SPEC}(?:\s*,\s*${SPEC})*`;
const REQUIREMENT = new RegExp(String.raw`^${NAME}\s*(?:${EXTRAS})?\s*(?:${SPECS}|\(\s*${SPECS}\s*\))?$`);
const NAMED_URL = new RegExp(String.raw`^${NAME}\s*(?:${EXTRAS})?\s*@\s*\S+$`);
const ARCHIVE = /\.(?:whl|zip|tar\.gz|tgz|tar\.bz2|tar\.xz|tar)$/i;

/** Throws a ConfigError naming `file:line` when `line` is a requirement pip would refuse. */
export function checkRequirementLine(line: string, file: string, number: number | undefined): void {
  if (/^[-.~]/.test(line) || /:\/\/|[/\\]|\$\{/.test(line) || ARCHIVE.test(line)) return;
  // Per-requirement options (`--hash=…`) come after the requirement; the marker after `;`.
  const requirement = line.split(/\s+--?[a-z]/i, 1)[0]!.split(";", 1)[0]!.trim();
  if (requirement.includes("@") ? NAMED_URL.test(requirement) : REQUIREMENT.test(requirement)) return;
  throw new ConfigError(`${quoteForMessage(line)} is not a requirement pip can read`, { location: { file, line: number }, hint: hintFor(requirement) });
}

function hintFor(requirement: string): string {
  if (new RegExp(String.raw`^${NAME}\s*=\s*[0-9]`).test(requirement)) return "pin a version with == (numpy==1.26.4); a single = is conda's spelling";
  if (/,\s*$/.test(requirement)) return "the version list ends with a comma: drop it, or add the next specifier (numpy>=1.26,<2)";
  if (new RegExp(String.raw`(?:===|==|!=|<=|>=|~=|<|>)\s*(?:,|$)`).test(requirement)) return "give a version after the operator (numpy==1.26.4), or drop the operator";
  return "write one requirement per line, such as numpy==1.26.4, numpy>=1.26,<2, or name @ URL (https://pip.pypa.io/en/stable/reference/requirements-file-format/)";
}
