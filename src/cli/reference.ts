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
    "Exit codes: 0 success (or the run's own exit code), 1 build, run or grader failure, 2 bad input (repository or flags), 3 engine problem, 130 interrupted.",
    "",
  ].join("\n");
}
