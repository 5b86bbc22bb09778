/**
 * r2d's options, declared once (table.ts) and turned into the CLI (commander.ts), the action's
 * inputs (action-inputs.ts) and docs/cli.md (src/cli/reference.ts); rules.ts checks the
 * combinations.
 */
export { OPTION_TABLE, rowOf } from "./table.js";
export { DIRECT_KEYS, STAGES, option, type CliSide, type DirectOptions, type OptionKey, type OptionRow, type OptionSpec, type OptionValues, type Rule, type Stage } from "./types.js";
export { ValueError, type InputSide, type Kind } from "./kinds.js";
export { CLI_ROWS, addTableOptions, flagsOf, readParsed } from "./commander.js";
export { INPUT_ROWS, inputDefault, inputDescription, readInputValues } from "./action-inputs.js";
export { checkBuildRepoOptions, checkRules, directOptions, nameAt, type FrontDoor } from "./rules.js";
export { getInput, parseBoolean, parseList, parsePairs, type Env } from "./input-text.js";
