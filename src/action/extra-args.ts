/**
 * The action's `extra-args`: other r2d flags for settings that have no input. Split into words
 * the way a shell would (quotes, backslashes) but never by a shell: nothing is expanded or run.
 * Each flag is read and checked by the option table, exactly as on the command line.
 */
import { Command, CommanderError } from "commander";
import { ConfigError } from "../errors.js";
import { addTableOptions, CLI_ROWS, type OptionKey, type OptionValues } from "../options/index.js";

const WHERE = { location: { file: "input extra-args" } };

/** Flags the action decides itself: its running, pushing and output are its own inputs. */
const NOT_IN_ACTION: readonly OptionKey[] = ["repo", "command", "build", "run", "push", "json", "debug", "progress", "editable", "publish", "publishAll"];

/** Characters a shell would act on; here they would be taken literally, which is never what was meant unquoted. */
const SHELL_SYNTAX = /[$`;&|<>()]/;

/** Shell-like words: blanks separate, '…' is literal, "…" keeps \" and \\, \ escapes one character. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ConfigError("a single quote is not closed", WHERE);
      word = (word ?? "") + text.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      let quoted = "";
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\" && /["\\]/.test(text[j + 1] ?? "")) j++;
        else if (/[$`]/.test(text[j]!)) throw shellSyntax(text[j]!);
        quoted += text[j];
      }
      if (j >= text.length) throw new ConfigError("a double quote is not closed", WHERE);
      word = (word ?? "") + quoted;
      i = j;
    } else if (ch === "\\") {
      word = (word ?? "") + (text[i + 1] ?? "");
      i++;
    } else if (SHELL_SYNTAX.test(ch)) {
      throw shellSyntax(ch);
    } else {
      word = (word ?? "") + ch;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

function shellSyntax(ch: string): ConfigError {
  return new ConfigError(`"${ch}" would be shell syntax, but no shell reads extra-args: nothing is expanded or run`, {
    ...WHERE,
    hint: "put the value in single quotes to mean the character itself, and use ${{ }} expressions for values from the workflow",
  });
}

/** The flags of extra-args as option values (only what the words set; defaults and environment variables are not read here). */
export function readExtraArgs(text: string): OptionValues {
  const words = splitWords(text);
  const cmd = addTableOptions(new Command("extra-args")).exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  try {
    // A placeholder repository for <repo>; stray words land in [command...] and are refused below.
    cmd.parse([".", ...words], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) throw new ConfigError(err.message.replace(/^error: /, ""), { ...WHERE, hint: "extra-args takes r2d's flags (docs/cli.md), e.g. --target dev" });
    throw err;
  }
  const stray: unknown = cmd.processedArgs[1];
  if (Array.isArray(stray) && stray.length > 0) {
    throw new ConfigError(`takes flags only, not "${String(stray[0])}"`, { ...WHERE, hint: "start each setting with its flag, e.g. --target dev" });
  }
  const values: OptionValues = {};
  for (const row of CLI_ROWS) {
    const cli = row.cli;
    if (!cli) continue;
    for (const flag of [cli.flag, ...(cli.aliases ?? []).map((a) => a.flag)]) {
      const option = cmd.options.find((o) => o.long === flag);
      if (!option || cmd.getOptionValueSource(option.attributeName()) !== "cli") continue;
      if (NOT_IN_ACTION.includes(row.key)) {
        throw new ConfigError(`${flag} is not for the action: its building, running, pushing and output are set by its own inputs`, { ...WHERE, hint: "see the inputs in docs/action.md" });
      }
      row.readCli(cmd.getOptionValue(option.attributeName()), values);
    }
  }
  return values;
}

/** The inputs' values with extra-args' added; a setting given both ways is an error rather than a silent choice. */
export function mergeExtraArgs(values: OptionValues, extra: OptionValues): OptionValues {
  const merged: OptionValues = { ...values };
  const platformTwice = extra.platform !== undefined && (values.platforms?.length ?? 0) > 0;
  for (const key of Object.keys(extra) as OptionKey[]) {
    if (values[key] !== undefined || (key === "platform" && platformTwice)) {
      const row = CLI_ROWS.find((r) => r.key === key);
      throw new ConfigError(`${row?.cli?.flag ?? key} is set by an input too: set it once`, { ...WHERE, hint: `drop it from extra-args, or drop the ${row?.input?.name ?? "platforms"} input` });
    }
    Object.assign(merged, { [key]: extra[key] });
  }
  return merged;
}
