#!/usr/bin/env node
/**
 * Entry point of the GitHub Action (action.yml runs it with the runner's INPUT_* variables,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY). Exit code 1 with an `::error::` line on failure.
 */
import { defaultIo, runAction } from "./run.js";

runAction(process.env, defaultIo()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stdout.write(`::error::${String((err as Error)?.message ?? err).replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}\n`);
    process.exit(1);
  },
);
