/**
 * The GitHub Action's inputs from the option table: their names, action.yml's defaults and
 * descriptions, and the values read from a runner's `INPUT_*` variables.
 */
import { getInput, type Env } from "./input-text.js";
import { OPTION_TABLE } from "./table.js";
import type { OptionRow, OptionValues } from "./types.js";

/** The rows the action has, in table order. */
export const INPUT_ROWS = OPTION_TABLE.filter((row) => row.input !== undefined);

/** action.yml's default of an input: a boolean's is "false", most are empty. */
export function inputDefault(row: OptionRow): string {
  return row.input?.default ?? (row.type.label === "switch" ? "false" : "");
}

/** action.yml's description of an input: its own, else the CLI's help text. */
export function inputDescription(row: OptionRow): string {
  return row.input?.description ?? row.help;
}

/** Every input's value; inputs left empty or at their default are left out. Throws ConfigError naming a bad input. */
export function readInputValues(env: Env): OptionValues {
  const values: OptionValues = {};
  for (const row of INPUT_ROWS) {
    const input = row.input;
    if (!input) continue;
    const text = getInput(env, input.name);
    if (text === "" || text === inputDefault(row)) continue;
    row.readInput(text, values);
  }
  return values;
}
