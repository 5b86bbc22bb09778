// Loaded into r2d's CLI process with NODE_OPTIONS=--import=...: on exit, writes the process's own
// peak RSS (KiB; children such as the docker client are not counted) to $R2D_BENCH_RSS_FILE.
import { writeFileSync } from "node:fs";

const file = process.env.R2D_BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      /* the figure is optional */
    }
  });
}
