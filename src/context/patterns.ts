/**
 * Docker ignore-pattern handling: reading `.dockerignore`-style files exactly as Docker does
 * (moby/patternmatcher `ignorefile.ReadAll` + `patternmatcher.New`), and matching with
 * `@balena/dockerignore` one rule at a time, so the walker can
 *   - reuse the parent directory's per-rule results (BuildKit's `MatchesUsingParentResults`),
 *   - tell which pattern excluded a path, and
 *   - decide whether an exception (`!pattern`) could re-include anything below an excluded
 *     directory (if not, the directory is never opened).
 */

import { createRequire } from "node:module";
import path from "node:path";
import type { Ignore } from "@balena/dockerignore";
import { ConfigError } from "../errors.js";
import { clip } from "./verify.js";
import { setR2dV8Flags } from "../v8-flags.js";

// Required on first use (CommonJS, synchronously): planning alone (`--no-build`) never loads it.
// The package is CommonJS with `module.exports = factory; factory.default = factory`.
const requireCjs = createRequire(import.meta.url);
let ignoreFactory: ((opts?: { ignorecase?: boolean }) => Ignore) | undefined;
function makeIgnore(opts?: { ignorecase?: boolean }): Ignore {
  ignoreFactory ??= (requireCjs("@balena/dockerignore") as { default: (opts?: { ignorecase?: boolean }) => Ignore }).default;
  return ignoreFactory(opts);
}

// Patterns come from the repository and become backtracking regular expressions: `a*a*a*a*a*b`
// against a long name, or `**/**/**/**/**/x` against a deep path, would take hours (Docker's Go
// regexps are linear). V8 switches a match that backtracks too much to its linear-time engine;
// escapes are made literal below, so no pattern can hold a backreference, which that engine lacks.
setR2dV8Flags();

/** Where a pattern came from, for error messages and `ExcludedEntry.detail`. */
export interface PatternSource {
  /** Repository-relative file (`binder/.dockerignore`) or a flag (`--exclude`, `--include`). */
  file: string;
  /** 1-based line, for files. */
  line?: number;
}

export type RuleKind = "ignore" | "exclude" | "include";

export interface Rule {
  /** The text as written (trimmed). */
  text: string;
  /** Cleaned pattern, without the leading `!`: what Docker's `Pattern.String()` returns. */
  pattern: string;
  /** True for exception (`!`) rules. */
  negative: boolean;
  kind: RuleKind;
  source: PatternSource;
  /**
   * Number of path components a path must have to match directly (`*`, `?` and classes never
   * match `/`), or 0 when the pattern has `**` and can match at any depth.
   */
  depth: number;
  /** How many walked paths this rule matched (directly, not through a parent). */
  hits: number;
  /** Does the rule match `rel` (or, through Docker's parent rule, one of its parents)? */
  test(rel: string): boolean;
}

/** Go's `filepath.Clean` for slash paths. */
export function goClean(p: string): string {
  if (p === "") return ".";
  let r = path.posix.normalize(p);
  if (r.length > 1 && r.endsWith("/")) r = r.slice(0, -1);
  return r;
}

/**
 * `ignorefile.ReadAll` (moby/patternmatcher): BOM stripped, a line starting with `#` is a comment
 * (checked *before* trimming, as Docker does), whitespace trimmed, blank lines dropped, each
 * pattern cleaned with leading `/` removed, `!` kept in front.
 */
export function readIgnoreLines(content: string): { line: number; text: string; pattern: string }[] {
  const out: { line: number; text: string; pattern: string }[] = [];
  const lines = content.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (raw.startsWith("#")) return;
    const text = raw.trim();
    if (text === "") return;
    out.push({ line: i + 1, text, pattern: normalizeLine(text) });
  });
  return out;
}

/** The per-line normalisation of `ReadAll`, shared with command-line patterns. */
export function normalizeLine(text: string): string {
  let p = text.trim();
  const invert = p.startsWith("!");
  if (invert) p = p.slice(1).trim();
  if (p.length > 0) {
    p = goClean(p);
    if (p.length > 1 && p.startsWith("/")) p = p.slice(1);
  }
  return invert ? `!${p}` : p;
}

/**
 * Modern Docker (moby/patternmatcher) escapes `.+()|{}$` when turning a pattern into a regexp;
 * `@balena/dockerignore` (a port of Docker 19.03) escapes only `.` and `$`. Escape the rest here so
 * `results (v2)` or `a+b` mean what they mean to today's Docker. Escaped characters (`\x`) are
 * copied untouched.
 */
function escapeForBalena(p: string): string {
  let out = "";
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === "\\") {
      // Go's filepath.Match: `\c` is the character c. A letter or digit stays a letter or digit
      // (in a regexp `\1` would be a backreference, `\d` a class); others stay escaped.
      const next = p[i + 1] ?? "";
      out += /^[A-Za-z0-9]$/.test(next) ? next : ch + next;
      i++;
    } else if ("+()|{}".includes(ch)) {
      out += `\\${ch}`;
    } else {
      out += ch;
    }
  }
  // A leading `!` or `#` would be read by balena as an exception or a comment.
  if (out.startsWith("!") || out.startsWith("#")) out = `\\${out}`;
  return out;
}

/** `@balena/dockerignore` caches every path it sees; rebuild the instance now and then. */
const REBUILD_EVERY = 20_000;

function balenaTester(pattern: string): (rel: string) => boolean {
  const line = escapeForBalena(pattern);
  let ig = makeIgnore({ ignorecase: false }).add(line);
  let calls = 0;
  return (rel: string) => {
    if (++calls > REBUILD_EVERY) {
      ig = makeIgnore({ ignorecase: false }).add(line);
      calls = 0;
    }
    return ig.ignores(rel);
  };
}

/**
 * Build a rule from one normalised line (`normalizeLine` output), as `patternmatcher.New` does:
 * trim, clean again, a lone `!` is an error, and the pattern must compile.
 */
export function makeRule(text: string, normalized: string, kind: RuleKind, source: PatternSource): Rule {
  const where = { file: source.file, line: source.line };
  let p = goClean(normalized.trim());
  let negative = false;
  if (p.startsWith("!")) {
    if (p.length === 1) {
      throw new ConfigError(`illegal exclusion pattern "!" (an exception needs a path after the "!")`, {
        location: where,
        hint: "write the path to re-include after the '!', e.g. '!data/keep.csv', or delete the line",
      });
    }
    negative = true;
    p = p.slice(1);
  }
  if (p.endsWith("\\") && !p.endsWith("\\\\")) {
    throw new ConfigError(`bad pattern "${clip(text)}": it ends with an escaping backslash`, { location: where });
  }
  const test = balenaTester(p);
  try {
    test("probe");
  } catch (err) {
    // The engine's message quotes the whole compiled pattern: keep only what it says is wrong.
    const why = (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "");
    throw new ConfigError(`bad pattern "${clip(text)}": ${clip(why)}`, {
      location: where,
      hint: "check the [...] character classes; write \\[ for a literal bracket",
      cause: err,
    });
  }
  const depth = p.includes("**") ? 0 : p.split("/").length;
  return { text, pattern: p, negative, kind, source, depth, hits: 0, test };
}

export interface Evaluation {
  /** Docker's verdict: the path is excluded. */
  excluded: boolean;
  /** Per-rule "matches this path or a parent"; pass to the children. */
  matched: Uint8Array;
  /** The last rule that matched and decided the verdict (when excluded: the excluding pattern). */
  deciding?: Rule;
}

const NONE = new Uint8Array(0);

/**
 * An ordered list of Docker patterns, last match wins. Matching follows
 * `MatchesUsingParentResults`: a rule that matched a directory matches everything below it.
 */
export class RuleSet {
  readonly rules: Rule[];
  readonly hasExceptions: boolean;
  private readonly componentTesters = new Map<string, (name: string) => boolean>();

  constructor(rules: Rule[]) {
    this.rules = rules;
    this.hasExceptions = rules.some((r) => r.negative);
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  evaluate(rel: string, parent: Uint8Array | undefined): Evaluation {
    const n = this.rules.length;
    if (n === 0) return { excluded: false, matched: NONE };
    const matched = new Uint8Array(n);
    let excluded = false;
    let deciding: Rule | undefined;
    let depth = 1;
    for (let i = rel.indexOf("/"); i !== -1; i = rel.indexOf("/", i + 1)) depth++;
    for (let i = 0; i < n; i++) {
      const rule = this.rules[i]!;
      let m = parent !== undefined && parent.length === n && parent[i] === 1;
      // Parents are covered by `parent`, so only a direct match is left to test, and that needs
      // the same number of components (skipping balena's regexp for most paths).
      if (!m && (rule.depth === 0 || rule.depth === depth)) {
        m = rule.test(rel);
        if (m) rule.hits++;
      }
      if (m) {
        matched[i] = 1;
        excluded = !rule.negative;
        deciding = rule;
      }
    }
    return { excluded, matched, deciding };
  }

  /**
   * Could an exception rule match some path strictly below directory `dir`? Only then must an
   * excluded directory be walked. Sound (never says no when a path below could be re-included);
   * tighter than BuildKit's prefix test, which gives up on any wildcard in an exception.
   */
  exceptionMayMatchBelow(dir: string): boolean {
    if (!this.hasExceptions) return false;
    const dirParts = dir.split("/");
    for (const rule of this.rules) {
      if (!rule.negative) continue;
      if (this.patternMayMatchBelow(rule.pattern, dirParts)) return true;
    }
    return false;
  }

  private patternMayMatchBelow(pattern: string, dirParts: string[]): boolean {
    if (pattern.includes("\\/")) return true; // an escaped slash: do not try to split it
    const parts = pattern.split("/");
    for (let i = 0; i < dirParts.length; i++) {
      const pp = parts[i];
      if (pp === undefined) return false; // the pattern only reaches a parent of dir, or dir itself
      if (pp.includes("**")) return true; // could span any number of directories
      if (!this.componentMatches(pp, dirParts[i]!)) return false;
    }
    return parts.length > dirParts.length;
  }

  private componentMatches(componentPattern: string, name: string): boolean {
    let t = this.componentTesters.get(componentPattern);
    if (!t) {
      try {
        t = balenaTester(componentPattern);
        t("probe");
      } catch {
        t = () => true; // cannot split this pattern safely: be conservative
      }
      this.componentTesters.set(componentPattern, t);
    }
    return t(name);
  }
}
