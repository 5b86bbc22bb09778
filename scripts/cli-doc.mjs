// Writes docs/cli.md from the CLI's own flag definitions (run after `npx tsc -p .`).
import { writeFileSync } from "node:fs";
import { cliReference } from "../dist/cli/reference.js";

writeFileSync(new URL("../docs/cli.md", import.meta.url), cliReference());
