#!/usr/bin/env node
// Bundles the CLI into one file, dist/bin/r2d.js (ESM, Node 20), which `bin` points at: Node then
// reads one file at start instead of resolving some 300 modules. Modules imported with `import()`
// (the engine, the context, the grader: what a build needs after planning) are in the same file
// but run only when imported. Run after `tsc` by `npm run build` and `prepare` (so `npm ci` makes it).
//
//   node scripts/bundle.mjs [--outdir DIR] [--metafile FILE]
//
// --outdir (default dist/bin) must be two folders below a package root that has buildpacks/,
// package.json and node_modules/: the bundle finds them relative to itself, as dist/cli/main.js does
// (`new URL("../../buildpacks/", import.meta.url)`), and requires the packages loaded on first use
// (the YAML and TOML parsers, tar-stream, semver, @balena/dockerignore) from node_modules/.
import { build } from "esbuild";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({ options: { outdir: { type: "string" }, metafile: { type: "string" } } });
const OUT = path.resolve(values.outdir ?? path.join(ROOT, "dist", "bin"));

rmSync(OUT, { recursive: true, force: true });
const result = await build({
  entryPoints: { r2d: path.join(ROOT, "src", "cli", "main.ts") },
  outdir: OUT,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The CommonJS dependencies bundled in (commander, ejs) call require(): give the ESM bundle one.
  banner: { js: 'import { createRequire as __r2dCreateRequire } from "node:module"; const require = __r2dCreateRequire(import.meta.url);' },
  legalComments: "none",
  metafile: Boolean(values.metafile),
  logLevel: "warning",
});
if (values.metafile) writeFileSync(values.metafile, JSON.stringify(result.metafile));
