import { CLI_ROWS, flagsOf, STAGES, type OptionRow, type Stage } from "../options/index.js";
import { program } from "./args.js";

const STAGE_TITLES: Record<Stage, string> = {
  source: "Source: the repository",
  plan: "Plan: what goes into the image",
  build: "Build",
  push: "Name and push",
  run: "Run",
  grade: "Grade",
  output: "Output",
};

const code = (s: string) => `\`${s}\``;

/** One table row: the flag, its help with choices, default, environment variable and hidden spellings, and the action's input. */
function referenceRow(row: OptionRow): string {
  const cli = row.cli;
  if (!cli) return "";
  const extra = [
    row.type.choices ? `one of ${row.type.choices.map(code).join(", ")}` : "",
    cli.default !== undefined ? `default ${code(cli.default)}` : "",
    cli.env ? `env ${code(cli.env)}` : "",
    ...(cli.aliases ?? []).map((a) => `also ${code(a.flag)}: ${a.help}`),
  ].filter(Boolean);
  const meaning = `${row.help}${extra.length ? ` (${extra.join("; ")})` : ""}`.replace(/\|/g, "\\|");
  return `| ${code(flagsOf(cli))} | ${meaning} | ${row.input ? code(row.input.name) : ""} |`;
}

function stageSection(stage: Stage): string[] {
  const rows = CLI_ROWS.filter((row) => row.stage === stage);
  if (rows.length === 0) return [];
  return [`## ${STAGE_TITLES[stage]}`, "", "| flag | meaning | action input |", "|---|---|---|", ...rows.map(referenceRow), ""];
}

const EXIT_CODES = [
  "## Exit codes",
  "",
  "| code | meaning |",
  "|---|---|",
  "| 0 | success (with a run: the run's own exit code) |",
  "| 1 | the build failed in a step of the repository's own (install, `postBuild`, its Dockerfile), or the run or a grader check failed; the full build output is kept in `$XDG_CACHE_HOME/r2d/logs/` (default `~/.cache/r2d/logs/`) |",
  "| 2 | bad input: the repository's config files or the flags; nothing was built |",
  "| 3 | engine problem: no usable client, the daemon is down, hung (no answer within 5 s) or went away mid-build, its disk is full, the base image cannot be fetched, or a package index is out of reach of `--build-network none` |",
  "| 130 | interrupted by SIGINT (Ctrl-C) |",
  "| 143 | interrupted by SIGTERM |",
  "",
  "An interrupted or failed build never sets or moves the image's name: r2d builds by image ID and tags only after success (a `--push` build with buildx or buildctl names the registry image while building, so an interrupted push may have updated it). Temporary files live in one private folder per run, `$TMPDIR/r2d-<pid>-XXXXXX`, removed on every exit path; if r2d is killed with SIGKILL, a small watchdog process stops the build, removes its containers and the folder, and the next run removes any such folder left behind.",
  "",
];

/** docs/cli.md, generated from the option table that --help comes from (checked by a test). */
export function cliReference(): string {
  const cmd = program();
  return [
    "# CLI reference",
    "",
    "<!-- Generated from the option table (src/options/table.ts) by `npm run docs:cli`; test/docs.test.ts fails when it is out of date. -->",
    "",
    "```",
    `${cmd.name()} ${cmd.usage()}`,
    "```",
    "",
    cmd.description(),
    "",
    "Arguments and flags by the stage of the pipeline they act on; the last column names the GitHub Action's input for the same setting ([action.md](action.md)). `-V, --version` prints r2d's version and `-h, --help` the flags.",
    "",
    ...STAGES.flatMap(stageSection),
    ...EXIT_CODES,
  ].join("\n");
}
