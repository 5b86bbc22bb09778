import { program } from "./args.js";

/** docs/cli.md's flag table, generated from the same definitions --help uses (checked by a test). */
export function cliReference(): string {
  const cmd = program();
  const rows = cmd.options.map((o) => {
    const env = (o as { envVar?: string }).envVar;
    const choices = (o as { argChoices?: string[] }).argChoices;
    const extra = [choices ? `one of ${choices.map((c) => `\`${c}\``).join(", ")}` : "", env ? `env \`${env}\`` : ""].filter(Boolean).join("; ");
    return `| \`${o.flags}\` | ${o.description}${extra ? ` (${extra})` : ""} |`;
  });
  return [
    "# CLI reference",
    "",
    "<!-- Generated from src/cli/args.ts by `npm run docs:cli`; test/docs.test.ts fails when it is out of date. -->",
    "",
    "```",
    `${cmd.name()} ${cmd.usage()}`,
    "```",
    "",
    cmd.description(),
    "",
    "| flag | meaning |",
    "|---|---|",
    ...rows,
    "",
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
  ].join("\n");
}
