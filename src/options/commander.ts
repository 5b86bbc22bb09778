/**
 * The command line from the option table: a commander program with the table's flags, help
 * texts, choices, defaults and environment variables, and the parsed values read back typed.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { ValueError } from "./kinds.js";
import { OPTION_TABLE } from "./table.js";
import type { CliSide, OptionRow, OptionValues } from "./types.js";

const isArgument = (cli: CliSide) => cli.flag.startsWith("<") || cli.flag.startsWith("[");

/** The rows the command line has, in --help order. */
export const CLI_ROWS = OPTION_TABLE.filter((row) => row.cli !== undefined);

/** `-e, --env <name=value>`: commander's spelling of a row's flag. */
export function flagsOf(cli: CliSide): string {
  return `${cli.short ? `${cli.short}, ` : ""}${cli.flag}${cli.arg ? ` ${cli.arg}` : ""}`;
}

/** The kind's check as commander's argParser: a ValueError becomes commander's "argument ... is invalid". */
function argParser(parse: (value: string, previous: unknown) => unknown) {
  return (value: string, previous: unknown): unknown => {
    try {
      return parse(value, previous);
    } catch (err) {
      if (err instanceof ValueError) throw new InvalidArgumentError(err.message);
      throw err;
    }
  };
}

function commanderOption(row: OptionRow, cli: CliSide): Option {
  const option = new Option(flagsOf(cli), row.help);
  if (row.type.choices) option.choices(row.type.choices);
  if (row.type.parseArg) option.argParser(argParser(row.type.parseArg));
  if (cli.env) option.env(cli.env);
  if (cli.default !== undefined) option.default(cli.default);
  return option;
}

/** Adds the table's arguments and options to a command (after whatever it already has, such as --version). */
export function addTableOptions(cmd: Command): Command {
  for (const row of CLI_ROWS) {
    const cli = row.cli;
    if (!cli) continue;
    if (isArgument(cli)) cmd.argument(cli.flag, row.help);
    else cmd.addOption(commanderOption(row, cli));
    for (const alias of cli.aliases ?? []) cmd.addOption(new Option(alias.flag, alias.help).hideHelp());
  }
  return cmd;
}

/** What commander parsed, as typed values; options not given are left out (their defaults excepted). */
export function readParsed(cmd: Command): OptionValues {
  const values: OptionValues = {};
  let argIndex = 0;
  for (const row of CLI_ROWS) {
    const cli = row.cli;
    if (!cli) continue;
    if (isArgument(cli)) {
      row.readCli(cmd.processedArgs[argIndex++], values);
      continue;
    }
    for (const flag of [cli.flag, ...(cli.aliases ?? []).map((a) => a.flag)]) {
      const option = cmd.options.find((o) => o.long === flag);
      if (!option) throw new Error(`internal: ${flag} is not an option of ${cmd.name()}`);
      const key = option.attributeName();
      const source = cmd.getOptionValueSource(key);
      // commander gives --no-x a default of true: not something the user said.
      if (source === undefined || (source === "default" && cli.default === undefined)) continue;
      row.readCli(cmd.getOptionValue(key), values);
    }
  }
  return values;
}
