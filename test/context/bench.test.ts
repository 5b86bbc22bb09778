/**
 * Informal benchmark, skipped unless R2D_BENCH is set:
 *   R2D_BENCH=50000 npx vitest run test/context/bench.test.ts
 * Builds N small files (100 per directory) plus an excluded data/ directory of N more, then times
 * selectContext (data/ must not cost anything) and streaming the tar.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contextTar, describeSelection, selectContext } from "../../src/context/index.js";
import { tmpRepo } from "./helpers.js";

const N = Number(process.env["R2D_BENCH"] ?? 0);

async function makeFiles(base: string, n: number): Promise<void> {
  const perDir = 100;
  for (let d = 0; d < Math.ceil(n / perDir); d++) {
    const dir = path.join(base, `d${Math.floor(d / 50)}`, `sub${d}`);
    await fs.mkdir(dir, { recursive: true });
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < perDir && d * perDir + i < n; i++) jobs.push(fs.writeFile(path.join(dir, `f${i}.txt`), `file ${d}/${i}\n`));
    await Promise.all(jobs);
  }
}

describe.skipIf(!N)("selectContext benchmark", () => {
  it(`${N} files`, async () => {
    const { root, cleanup } = await tmpRepo();
    try {
      await makeFiles(path.join(root, "src"), N);
      await makeFiles(path.join(root, "data"), N);
      const times: number[] = [];
      let sel = await selectContext({ root, excludes: ["data"] });
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        sel = await selectContext({ root, excludes: ["data"] });
        times.push(performance.now() - t0);
      }
      expect(sel.fileCount).toBe(N);
      const t1 = performance.now();
      let bytes = 0;
      for await (const c of contextTar(sel, { prefix: "src/", extra: [] }) as AsyncIterable<Buffer>) bytes += c.length;
      const tarMs = performance.now() - t1;
      console.log(
        `[bench] ${describeSelection(sel)}\n` +
          `[bench] selectContext: ${times.map((t) => t.toFixed(0)).join(" / ")} ms (warm), ` +
          `tar stream: ${tarMs.toFixed(0)} ms for ${(bytes / 1e6).toFixed(1)} MB`,
      );
    } finally {
      await cleanup();
    }
  }, 600_000);
});
