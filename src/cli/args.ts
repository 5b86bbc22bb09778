import { Command, CommanderError } from "commander";
import type { BuildRepoOptions } from "../build-repo.js";
import { ConfigError } from "../errors.js";
import { addTableOptions, checkRules, CLI_ROWS, directOptions, readParsed, type OptionValues } from "../options/index.js";
import { R2D_VERSION } from "../plan/version.js";

export interface CliOptions {
  repo: string;
  options: BuildRepoOptions;
  json: boolean;
  debug: boolean;
  progress: "auto" | "tty" | "plain" | "json";
}

/** The r2d command line, from the option table. Flags shared with repo2docker keep its names and meaning. */
export function program(): Command {
  const cmd = new Command("r2d")
    .description("Turn a repository into a small, runnable container image (repo2docker config files, BuildKit builds).\n\n`r2d freeze <repo>` (same options) builds the image, reads its installed packages and writes them into the\nrepository as a lock file (Python: pylock.toml, pinned with their index hashes; conda: conda-linux-64.lock, an\nexplicit list; R: renv.lock): the next build installs exactly those.")
    .version(R2D_VERSION)
    .showHelpAfterError();
  return addTableOptions(cmd);
}

/** Parsed values → what the CLI does: buildRepo's options (run limits serve the plain run and the grader) and its own output settings. */
function cliOptions(values: OptionValues): CliOptions {
  const { repo, memory, cpus, shmSize, gpus, grader } = values;
  if (repo === undefined) throw new Error("internal: commander let a missing <repo> through");
  const limits = { memory, cpus, shmSize, gpus };
  return {
    repo,
    json: values.json === true,
    debug: values.debug === true,
    progress: values.progress ?? "auto",
    options: {
      ...directOptions(values),
      runOptions: limits,
      grader: grader ? { profile: grader, inputDir: values.graderInput, expectedDir: values.graderExpected, timeoutMs: values.timeout, ...limits } : undefined,
    },
  };
}

/** argv (without node and script) → what to do. Throws ConfigError (exit 2) on bad flags. */
export function parseCli(argv: string[]): CliOptions {
  const cmd = program()
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  try {
    cmd.parse(argv, { from: "user" });
  } catch (err) {
    if (!(err instanceof CommanderError) || err.code === "commander.helpDisplayed" || err.code === "commander.version") throw err;
    throw new ConfigError(err.message.replace(/^error: /, ""), { location: { file: "command line" }, hint: "see r2d --help" });
  }
  const values = readParsed(cmd);
  checkRules(values, "cli");
  for (const row of CLI_ROWS) row.fillEmpty(values);
  return cliOptions(values);
}
