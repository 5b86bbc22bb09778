/**
 * What every lock file reader shares: the formats a name, version, hash and URL must have (every
 * value in a lock file is untrusted: nothing that fails these reaches a generated file), the lines of
 * TOML array tables for messages, and the pinned, hashed requirement list pip installs.
 */
import { ConfigError, quoteForMessage } from "../errors.js";
import { evaluateMarker, type Marker, type MarkerTarget } from "./markers.js";

/** One pinned distribution: pip installs `name==version` and accepts only files with these hashes. */
export interface LockedPackage {
  name: string;
  version: string;
  /** `sha256:<hex>` (or sha384/sha512), at least one. */
  hashes: string[];
  /** The line of its entry, for messages. */
  line?: number;
  /** File names of the wheels the lock lists for it (whether the image needs a compiler). */
  wheels?: string[];
}

/** A lock entry with what decides whether the target needs it. */
export interface LockCandidate extends LockedPackage {
  marker: Marker | null;
  requiresPython: string | null;
}

export interface Where {
  file: string;
  line?: number;
}

// PEP 508 names; PEP 440 versions (public and local parts, optional epoch).
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?$/;
const VERSION = /^(?:\d{1,9}!)?\d{1,15}(?:\.\d{1,15}){0,9}(?:[-_.]?(?:a|b|rc|alpha|beta|c|pre|preview)\d{0,9})?(?:[-_.]?(?:post|rev|r)\d{0,9})?(?:[-_.]?dev\d{0,9})?(?:\+[a-z0-9]{1,40}(?:[-_.][a-z0-9]{1,40}){0,9})?$/i;
const HASH_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export function lockError(what: string, where: Where, hint: string): ConfigError {
  return new ConfigError(what, { location: where, hint });
}

export function checkName(value: unknown, where: Where, what = "a package"): string {
  if (typeof value !== "string" || !NAME.test(value)) throw lockError(`${what} has the name ${describe(value)}, which is not a Python package name`, where, "package names are letters, digits, '.', '_' and '-'; regenerate the lock file");
  return value;
}

export function checkVersion(value: unknown, name: string, where: Where): string {
  if (typeof value !== "string" || !VERSION.test(value)) throw lockError(`package ${name} has the version ${describe(value)}, which is not a PEP 440 version`, where, "regenerate the lock file");
  return value;
}

/** `algo:hex` (or `algo=hex`) → `algo:hex`, lower case; anything else is refused. */
export function checkHash(value: unknown, name: string, where: Where, algo?: string): string {
  const text = typeof value === "string" ? (algo ? `${algo}:${value}` : value.replace("=", ":")) : "";
  const m = /^([a-z0-9]+):([0-9a-fA-F]+)$/.exec(text);
  if (!m || HASH_LENGTHS[m[1]!] !== m[2]!.length) {
    throw lockError(`package ${name} has the hash ${describe(value)}, which is not a sha256, sha384 or sha512 digest`, where, "write hashes as sha256:<64 hex digits>; regenerate the lock file");
  }
  return `${m[1]}:${m[2]!.toLowerCase()}`;
}

/** An http(s) URL without spaces, quotes or control characters (it is written into a generated file). */
export function checkUrl(value: unknown, name: string, where: Where): string {
  if (typeof value !== "string" || value.length > 2000 || !/^https?:\/\/[A-Za-z0-9._~:/?@!$&'()*+,;=%-]+$/.test(value)) {
    throw lockError(`package ${name} has the URL ${describe(value)}, which r2d does not accept`, where, "lock files must name packages by http(s) URLs without spaces or quotes");
  }
  return value;
}

export function describe(value: unknown): string {
  if (typeof value === "string") return quoteForMessage(value, 60);
  if (value === undefined) return "missing";
  return Array.isArray(value) ? "an array" : typeof value;
}

export function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** The 1-based line of each `[[name]]` header, in order (TOML keeps array entries in that order). */
export function arrayTableLines(text: string, name: string): number[] {
  const lines: number[] = [];
  const header = new RegExp(`^\\s*\\[\\[\\s*["']?${name}["']?\\s*\\]\\]`);
  text.split(/\r?\n/).forEach((l, i) => header.test(l) && lines.push(i + 1));
  return lines;
}

/** Does a package's `requires-python` allow the target Python X.Y (any patch)? */
export function fitsPython(spec: string, python: string): boolean {
  const clauses = spec.split(",").map((c) => c.trim()).filter((c) => c && c !== "*");
  return clauses.every((clause) => {
    const m = /^(~=|===|==|!=|<=|>=|<|>)\s*(\d+(?:\.\d+)*)(\.\*)?$/.exec(clause);
    if (!m) return true; // Pre-release bounds and the like: pip checks them again when it installs.
    const op = m[1] === "===" ? "==" : m[1]!;
    const marker: Marker = { op: "cmp", cmp: op, left: { variable: "python_full_version" }, right: { literal: `${m[2]}${m[3] ?? ""}` } };
    try {
      return evaluateMarker(marker, { python, platform: "linux/amd64" }, "", { file: "" });
    } catch {
      return true; // It depends on the patch release: some patch fits.
    }
  });
}

/** Refuses a package whose own requires-python excludes the target Python. */
export function checkPackagePython(pkg: LockCandidate, target: MarkerTarget, file: string): void {
  if (pkg.requiresPython && !fitsPython(pkg.requiresPython, target.python)) {
    throw lockError(`package ${pkg.name} ${pkg.version} requires Python ${pkg.requiresPython}, and the image has Python ${target.python}`, { file, line: pkg.line }, "pin a Python the lock was made for (runtime.txt), or regenerate the lock file for this Python");
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The file name of a lock entry's wheel: its name, or the last part of its URL or path. */
export function wheelFileName(value: unknown): string | null {
  const text = typeof value === "string" ? value : "";
  const last = text.split(/[?#]/)[0]!.split("/").at(-1) ?? "";
  return last.endsWith(".whl") ? safeDecode(last) : null;
}

/** The candidates the target needs (markers evaluated, requires-python checked). */
export function selectCandidates(candidates: readonly LockCandidate[], target: MarkerTarget, file: string): LockedPackage[] {
  const chosen = candidates.filter((c) => !c.marker || evaluateMarker(c.marker, target, `package ${c.name}`, { file, line: c.line }));
  chosen.forEach((c) => checkPackagePython(c, target, file));
  return chosen.map(({ name, version, hashes, line, wheels }) => ({ name, version, hashes, line, wheels }));
}

/** The generated requirement list: one pinned, hashed line per package (validated values only). */
export function requirementList(packages: readonly LockedPackage[], source: string): string {
  const lines = packages.map((p) => `${p.name}==${p.version} ${p.hashes.map((h) => `--hash=${h}`).join(" ")}`);
  return `# Generated by r2d from ${source.replace(/[^\x20-\x7e]/g, "?")}: installed with pip --no-deps --require-hashes.\n${lines.join("\n")}\n`;
}
