/**
 * Expected outputs against what the container wrote. JSON is compared as data, text line by
 * line (line endings and trailing blanks ignored, numbers within a small tolerance), anything
 * else byte for byte. Pure except for reading the two files.
 */
import { readFile } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import { readInside } from "./data.js";

export interface FileDifference {
  file: string;
  /** "missing", or where and how the contents differ. */
  detail: string;
}

const TEXT_EXT = /\.(csv|tsv|txt|json|jsonl|ndjson|md|out|log|tab|yaml|yml|xml|html|pred|predictions)$/i;
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const REL_TOL = 1e-6;

function closeNumbers(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= REL_TOL * Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

function normalizeLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n").map((l) => l.replace(/\s+$/, ""));
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function sameLine(a: string, b: string): boolean {
  if (a === b) return true;
  const ta = a.split(/([,\t; ]+)/);
  const tb = b.split(/([,\t; ]+)/);
  if (ta.length !== tb.length) return false;
  return ta.every((x, i) => {
    const y = tb[i] ?? "";
    if (x === y) return true;
    return NUMBER.test(x.trim()) && NUMBER.test(y.trim()) && closeNumbers(Number(x), Number(y));
  });
}

function clip(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Deep equality of JSON values, numbers within tolerance; returns the first differing path. */
export function jsonDifference(a: unknown, b: unknown, at = "$"): string | null {
  if (typeof a === "number" && typeof b === "number") return closeNumbers(a, b) ? null : `${at}: expected ${a}, got ${b}`;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${at}: expected ${clip(JSON.stringify(a))}, got ${clip(JSON.stringify(b))}`;
    if (a.length !== b.length) return `${at}: expected ${a.length} items, got ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = jsonDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    const missing = ka.filter((k) => !kb.includes(k));
    if (missing.length) return `${at}: missing key ${JSON.stringify(missing[0])}`;
    const extra = kb.filter((k) => !ka.includes(k));
    if (extra.length) return `${at}: unexpected key ${JSON.stringify(extra[0])}`;
    for (const k of ka) {
      const d = jsonDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return isDeepStrictEqual(a, b) ? null : `${at}: expected ${clip(JSON.stringify(a))}, got ${clip(JSON.stringify(b))}`;
}

/** How two file contents differ (null when they match), judged by the file name. */
export function contentDifference(name: string, expected: Buffer, actual: Buffer): string | null {
  if (expected.equals(actual)) return null;
  if (/\.json$/i.test(name)) {
    try {
      return jsonDifference(JSON.parse(expected.toString("utf8")), JSON.parse(actual.toString("utf8")));
    } catch {
      // Not JSON on one side: compare as text below.
    }
  }
  if (TEXT_EXT.test(name) || (!expected.includes(0) && !actual.includes(0))) {
    const e = normalizeLines(expected.toString("utf8"));
    const a = normalizeLines(actual.toString("utf8"));
    for (let i = 0; i < Math.max(e.length, a.length); i++) {
      const x = e[i];
      const y = a[i];
      if (x === undefined) return `line ${i + 1}: unexpected extra line ${JSON.stringify(clip(y ?? ""))}`;
      if (y === undefined) return `line ${i + 1}: expected ${JSON.stringify(clip(x))}, but the file ends after ${a.length} line(s)`;
      if (!sameLine(x, y)) return `line ${i + 1}: expected ${JSON.stringify(clip(x))}, got ${JSON.stringify(clip(y))}`;
    }
    return null;
  }
  return `the bytes differ (${expected.length} bytes expected, ${actual.length} written)`;
}

/** Compares each expected file (name → host path) with the same name under actualDir. */
export async function compareOutputs(expected: Map<string, string>, actualDir: string): Promise<FileDifference[]> {
  const out: FileDifference[] = [];
  for (const [name, src] of expected) {
    const want = await readFile(src);
    // The container wrote actualDir: a link there (to a host file) is never followed.
    const got = await readInside(actualDir, name);
    if (got === null) {
      out.push({ file: name, detail: "missing" });
      continue;
    }
    const d = contentDifference(name, want, got);
    if (d) out.push({ file: name, detail: d });
  }
  return out;
}
