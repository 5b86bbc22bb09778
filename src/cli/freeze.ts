/** `r2d freeze REPO [options]`: the build options of `r2d REPO`, then the environment written back as a lock file. */
import { runCleanups, interruptSignal } from "../cleanup.js";
import { exitCodeFor } from "../errors.js";
import { freezeRepo } from "../freeze/index.js";
import { makeScrubber, scrubError } from "../redact.js";
import { parseCli } from "./args.js";
import { jsonText, terminalSafe } from "./report.js";

export async function freezeMain(argv: string[]): Promise<number> {
  let scrub = (s: string) => s;
  const err = (s: string) => process.stderr.write(terminalSafe(scrub(s)));
  try {
    const cli = parseCli(argv);
    scrub = makeScrubber({ ...cli.options, debug: cli.debug });
    const result = await freezeRepo(cli.repo, { ...cli.options, signal: interruptSignal() });
    if (cli.json) {
      process.stdout.write(`${jsonText({ event: "frozen", ...result })}\n`);
      return 0;
    }
    err(`r2d freeze: wrote ${result.path} (${result.packages.length} packages pinned, from ${result.imageName})\n`);
    for (const file of result.alsoWritten) err(`r2d freeze: wrote ${file}\n`);
    err(result.changes.length ? `${result.changes.map((c) => `  ${c}`).join("\n")}\n` : "  no change\n");
    for (const s of result.skipped) err(`  not pinned: ${s}\n`);
    return 0;
  } catch (error) {
    const clean = scrubError(error, scrub);
    err(`r2d: ${clean instanceof Error ? clean.message : String(clean)}\n`);
    return exitCodeFor(error);
  } finally {
    await runCleanups();
  }
}
