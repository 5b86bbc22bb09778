// Writes docs/cli.md from the option table, as --help uses it (run after `npx tsc -p .`).
import { writeFileSync } from "node:fs";
import { cliReference } from "../dist/cli/reference.js";

writeFileSync(new URL("../docs/cli.md", import.meta.url), cliReference());
