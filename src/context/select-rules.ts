/**
 * The selection's rules, set up once before the walk: the ignore files' patterns and the
 * `excludes`/`includes` patterns as two independent lists (a path is sent only when neither
 * excludes it), the literal paths `keep` forces in (with the directories leading to them), and how
 * an exclusion is reported (its reason and the deciding pattern).
 */

import path from "node:path";
import { ConfigError } from "../errors.js";
import { readIgnoreFile } from "./ignore-file.js";
import { cleanRel } from "./paths.js";
import { makeRule, normalizeLine, readIgnoreLines, RuleSet, type Evaluation, type Rule } from "./patterns.js";
import type { ContextOptions, ExcludedReason } from "./types.js";
import { clip } from "./verify.js";

const IGNORE_FILES = [".dockerignore", ".containerignore"] as const;

export interface SelectionRules {
  /** `.dockerignore` then `.containerignore`, from `ignoreFileDir`. */
  ignore: RuleSet;
  /** `excludes`, then each of `includes` as an exception. */
  flags: RuleSet;
  /** Literal paths always sent (`keep` and the ignore files read). */
  keep: Set<string>;
  /** Every directory above a `keep` path: walked even when excluded. */
  keepDirs: Set<string>;
  excludeGit: boolean;
}

export interface Exclusion {
  reason: ExcludedReason;
  detail: string;
}

/** Reads the ignore files (warnings about them go to `warnings`) and compiles every pattern. */
export function selectionRules(
  root: string,
  realRoot: string,
  opts: ContextOptions,
  viaFd: boolean,
  warnings: string[],
): SelectionRules {
  const ignoreDir = cleanRel(opts.ignoreFileDir ?? "");
  if (ignoreDir === undefined) {
    throw new ConfigError(`ignore-file directory ${opts.ignoreFileDir} is outside the build root`);
  }
  const ignore = readIgnoreRules(root, realRoot, ignoreDir, viaFd, warnings);
  const ignoreSet = new RuleSet(ignore.rules);
  const flags = new RuleSet(flagRules(opts));
  const { keep, keepDirs } = keptPaths([...(opts.keep ?? []), ...ignore.files]);
  return { ignore: ignoreSet, flags, keep, keepDirs, excludeGit: opts.excludeGit ?? true };
}

function readIgnoreRules(
  root: string,
  realRoot: string,
  dirRel: string,
  viaFd: boolean,
  warnings: string[],
): { rules: Rule[]; files: string[] } {
  const rules: Rule[] = [];
  const files: string[] = [];
  for (const name of IGNORE_FILES) {
    const rel = dirRel ? `${dirRel}/${name}` : name;
    const content = readIgnoreFile(root, realRoot, rel, viaFd, warnings);
    if (content === undefined) continue;
    files.push(rel);
    for (const l of readIgnoreLines(content)) {
      rules.push(makeRule(l.text, l.pattern, "ignore", { file: rel, line: l.line }));
    }
  }
  return { rules, files };
}

function flagRules(opts: ContextOptions): Rule[] {
  const rules: Rule[] = [];
  for (const e of opts.excludes ?? []) {
    if (e.trim() === "") continue;
    rules.push(makeRule(e.trim(), normalizeLine(e), "exclude", { file: "--exclude" }));
  }
  for (const inc of opts.includes ?? []) {
    const t = inc.trim();
    if (t === "") continue;
    rules.push(makeRule(t, `!${normalizeLine(t)}`, "include", { file: "--include" }));
  }
  return rules;
}

function keptPaths(paths: string[]): { keep: Set<string>; keepDirs: Set<string> } {
  const keep = new Set<string>();
  const keepDirs = new Set<string>();
  for (const k of paths) {
    const c = cleanRel(k);
    if (!c) continue;
    keep.add(c);
    let d = path.posix.dirname(c);
    while (d !== ".") {
      keepDirs.add(d);
      d = path.posix.dirname(d);
    }
  }
  return { keep, keepDirs };
}

/** Why an excluded path is left out: the ignore files win, else the deciding flag pattern. */
export function exclusion(rel: string, ignore: Evaluation, flags: Evaluation): Exclusion {
  if (ignore.excluded) return { reason: "dockerignore", detail: ignore.deciding ? describeRule(ignore.deciding) : "" };
  return flagExclusion(rel, flags);
}

/** An exclusion by `excludes` (reason `data` for the default `data` pattern). */
export function flagExclusion(rel: string, flags: Evaluation): Exclusion {
  const r = flags.deciding;
  const reason: ExcludedReason = r && r.kind === "exclude" && r.pattern === "data" ? "data" : "exclude";
  return { reason, detail: r ? describeRule(r) : rel };
}

function describeRule(rule: Rule): string {
  const where = rule.source.line !== undefined ? `${rule.source.file}:${rule.source.line}` : rule.source.file;
  return `${clip(rule.text)} (${where})`;
}
