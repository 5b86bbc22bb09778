#!/usr/bin/env node
// Bundles the CLI into dist/bin/r2d.js (ESM, Node 20): one file for the code every run needs, and
// a chunk per module loaded on demand (`import()`), so Node resolves and reads a handful of files at
// start instead of hundreds. Run after `tsc` (npm run build / prepare); `bin` points at the result.
//
//   node scripts/bundle.mjs [--metafile FILE]
import { build } from "esbuild";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const SRC = path.join(ROOT, "src") + path.sep;
const ENTRY = path.join(ROOT, "src", "cli", "main.ts");
const OUT = path.join(ROOT, "dist", "bin");

/**
 * r2d's modules do nothing when imported but define things (test/engine/process.test.ts and the
 * lint keep them so; main.ts is the one with effects): telling esbuild so lets it leave out a module
 * none of whose exports the start-up path uses (a barrel's other modules, say), instead of keeping
 * it for a top-level call it cannot prove harmless.
 */
const sourcesWithoutSideEffects = {
  name: "r2d-sources-without-side-effects",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData?.again || !args.importer.startsWith(SRC)) return undefined;
      const r = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { again: true } });
      if (r.errors.length > 0) return { errors: r.errors };
      return { path: r.path, external: r.external, namespace: r.namespace, sideEffects: r.path.startsWith(SRC) && r.path !== ENTRY ? false : r.sideEffects };
    });
  },
};
const { values } = parseArgs({ options: { metafile: { type: "string" } } });

rmSync(OUT, { recursive: true, force: true });
const result = await build({
  entryPoints: { r2d: ENTRY },
  plugins: [sourcesWithoutSideEffects],
  outdir: OUT,
  bundle: true,
  splitting: process.env.R2D_SPLIT === "1",
  format: "esm",
  platform: "node",
  target: "node20",
  // Entry and chunks two folders below the package root, like dist/cli/main.js: `new URL("../../buildpacks/", import.meta.url)` still finds buildpacks/.
  chunkNames: "[name]-[hash]",
  // CommonJS dependencies call require(): give the ESM bundle one.
  banner: { js: 'import { createRequire as __r2dCreateRequire } from "node:module"; const require = __r2dCreateRequire(import.meta.url);' },
  legalComments: "none",
  sourcemap: false,
  metafile: true,
  logLevel: "warning",
});
if (values.metafile) writeFileSync(values.metafile, JSON.stringify(result.metafile));
