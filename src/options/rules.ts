/**
 * The rules between options, from the table: checked on the parsed values before anything runs,
 * so a bad combination is a ConfigError naming the flag (or the input) and what to do.
 * Rules that need the repository (--editable with a git URL) stay in buildRepo.
 */
import type { BuildRepoOptions } from "../build-repo.js";
import { ConfigError } from "../errors.js";
import { OPTION_TABLE, rowOf } from "./table.js";
import { DIRECT_KEYS, type DirectOptions, type OptionKey, type OptionRow, type OptionValues, type Rule } from "./types.js";

export type FrontDoor = "cli" | "action";

/** What the user calls an option at this front door: `--no-run`, `input push`. */
export function nameAt(row: OptionRow, door: FrontDoor): string {
  return door === "action" && row.input ? `input ${row.input.name}` : (row.cli?.flag ?? row.input?.name ?? row.key);
}

function otherNames(keys: readonly OptionKey[], door: FrontDoor): string {
  return keys.map((k) => nameAt(rowOf(k), door).replace(/^input /, "")).join(" or ");
}

function broken(row: OptionRow, rule: Rule, values: OptionValues): boolean {
  if (rule.needs && !rule.needs.some((k) => rowOf(k).given(values))) return true;
  return Boolean(rule.excludes?.some((k) => rowOf(k).given(values)));
}

/** The default words of a `needs` rule: `--timeout only applies with --grader`, and how to add it. */
function defaultError(row: OptionRow, rule: Rule, door: FrontDoor): { message: string; hint?: string } {
  const others = rule.needs ?? rule.excludes ?? [];
  const own = nameAt(row, door).replace(/^input /, "");
  if (!rule.needs) return { message: `${own} cannot go with ${otherNames(others, door)}` };
  const only = others.length === 1 ? rowOf(others[0]!) : undefined;
  const choices = only?.type.choices;
  const hint = only ? `add ${nameAt(only, door).replace(/^input /, "")}${choices ? ` ${choices.join("|")}` : ""}` : undefined;
  return { message: `${own} only applies with ${otherNames(others, door)}`, hint };
}

/** Throws a ConfigError for the first rule these values break (in table order). */
export function checkRules(values: OptionValues, door: FrontDoor): void {
  for (const row of OPTION_TABLE) {
    if (!row.rules || !row.given(values)) continue;
    for (const rule of row.rules) {
      if ((rule.for ?? "cli") !== door || !broken(row, rule, values)) continue;
      const words = rule.message ? { message: rule.message, hint: rule.hint } : defaultError(row, rule, door);
      throw new ConfigError(words.message, { location: { file: nameAt(row, door) }, hint: words.hint });
    }
  }
}

function copy<K extends keyof DirectOptions>(into: DirectOptions, from: DirectOptions, key: K): void {
  if (from[key] !== undefined) into[key] = from[key];
}

/** The table's values that are buildRepo options of the same name. */
export function directOptions(values: DirectOptions): DirectOptions {
  const out: DirectOptions = {};
  for (const key of DIRECT_KEYS) copy(out, values, key);
  return out;
}

/** The command-line rules, for callers of buildRepo() that never went through the CLI. */
export function checkBuildRepoOptions(options: BuildRepoOptions): void {
  checkRules({ ...directOptions(options), grader: options.grader?.profile }, "cli");
}
