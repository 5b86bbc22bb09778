/**
 * Julia's `[compat]` version specifiers, read the way Pkg reads them (`Pkg.Versions.semver_spec`):
 * comma-separated specifiers form a union; each is a caret (the default: `1.6` is `^1.6`), a tilde,
 * an inequality (`>=`, `≥`, `<`, `=`) or a hyphen range (`1.2 - 1.5`). Pkg has no `>` nor `<=`.
 * See https://pkgdocs.julialang.org/v1/compatibility/.
 */
import { quoteForMessage } from "../errors.js";

export type Triple = readonly [number, number, number];

/** Versions v with lower <= v < upper (upper null: no upper bound). */
export interface VersionRange {
  lower: Triple;
  upper: Triple | null;
}

/** A specifier's version: up to three numbers, of which `given` were written (`1.6` gives 2). */
interface Written {
  parts: Triple;
  given: number;
}

const VERSION = String.raw`v?(\d+)(?:\.(\d+))?(?:\.(\d+))?`;
const CARET_TILDE = new RegExp(`^([~^]?)${VERSION}$`);
const INEQUALITY = new RegExp(`^(>=|≥|=|<)\\s*v?${VERSION}$`);
const HYPHEN = new RegExp(`^${VERSION}\\s+-\\s+${VERSION}$`);

/** The union of ranges a specifier string allows, or the reason it is not one Pkg accepts. */
export function parseJuliaCompat(spec: string): { ranges: VersionRange[] } | { error: string } {
  const ranges: VersionRange[] = [];
  for (const part of spec.trim().split(",").map((p) => p.trim())) {
    const range = parsePart(part);
    if (typeof range === "string") return { error: range };
    ranges.push(range);
  }
  return { ranges };
}

function parsePart(part: string): VersionRange | string {
  let m = CARET_TILDE.exec(part);
  if (m) return caretOrTilde(m[1] === "~" ? "~" : "^", written(m, 2));
  m = INEQUALITY.exec(part);
  if (m) return inequality(m[1]!, written(m, 2));
  m = HYPHEN.exec(part);
  if (m) {
    const lower = written(m, 1);
    return { lower: lower.parts, upper: above(written(m, 4)) };
  }
  return part === "" ? "an empty specifier (a stray comma?)" : `${quoteForMessage(part, 60)} is not a Pkg version specifier`;
}

function written(m: RegExpExecArray, from: number): Written {
  const nums = [m[from], m[from + 1], m[from + 2]];
  const given = nums.filter((n) => n !== undefined).length;
  const [a, b, c] = nums.map((n) => (n === undefined ? 0 : Number(n)));
  return { parts: [a!, b!, c!], given };
}

/** The smallest version above every version that starts with the written numbers (`1.2` → 1.3.0). */
function above({ parts, given }: Written): Triple {
  const [a, b, c] = parts;
  if (given === 1) return [a + 1, 0, 0];
  if (given === 2) return [a, b + 1, 0];
  return [a, b, c + 1];
}

/** Pkg's rules: the caret keeps the leftmost non-zero number; the tilde lets only the last written one grow (`~1.2.3` keeps 1.2). */
function caretOrTilde(op: "^" | "~", v: Written): VersionRange | string {
  const [a, b, c] = v.parts;
  if (v.given === 3 && a === 0 && b === 0 && c === 0) return `"${op === "^" ? "" : "~"}0.0.0" is not a version Pkg accepts`;
  if (op === "~") return { lower: v.parts, upper: above({ parts: v.parts, given: v.given === 1 ? 1 : 2 }) };
  if (a !== 0) return { lower: v.parts, upper: [a + 1, 0, 0] };
  if (b !== 0) return { lower: v.parts, upper: [0, b + 1, 0] };
  return { lower: v.parts, upper: above(v) };
}

function inequality(op: string, v: Written): VersionRange | string {
  const [a, b, c] = v.parts;
  if (v.given === 3 && a === 0 && b === 0 && c === 0) return `"${op}0.0.0" is not a version Pkg accepts`;
  if (op === "=") return { lower: v.parts, upper: [a, b, c + 1] };
  if (op === "<") return { lower: [0, 0, 0], upper: v.parts };
  return { lower: v.parts, upper: null };
}

function compare(x: Triple, y: Triple): number {
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

export function inRanges(version: Triple, ranges: readonly VersionRange[]): boolean {
  return ranges.some((r) => compare(version, r.lower) >= 0 && (r.upper === null || compare(version, r.upper) < 0));
}

/** `[1.6.0, 2.0.0) ∪ [2.1.0, ∞)`, for messages. */
export function describeRanges(ranges: readonly VersionRange[]): string {
  return ranges.map((r) => `[${r.lower.join(".")}, ${r.upper ? r.upper.join(".") : "∞"})`).join(" ∪ ");
}

/** "1.10.5" → [1, 10, 5]. */
export function toTriple(version: string): Triple {
  const [a = 0, b = 0, c = 0] = version.split(".").map(Number);
  return [a, b, c];
}
