#!/usr/bin/env node
// Bundles the CLI for Node 20 into dist/bin/ (run after `tsc` by `npm run build` and `prepare`, so
// `npm ci` makes it):
//
//   r2d-cli.cjs   the CLI (src/cli/main.ts) in one CommonJS file: Node reads one file at start
//                 instead of resolving some 300 modules. Modules imported with `import()` (the
//                 engine, the context, the grader: what a build needs after planning) are in it but
//                 run, and require the Node modules they import, only when imported.
//   r2d.js        what `bin` names: a small loader (src/cli/bin.ts) that compiles r2d-cli.cjs with
//                 the V8 code cache kept in $XDG_CACHE_HOME/r2d/v8/ (src/cli/compile-cache.ts;
//                 Node 20 has no module.enableCompileCache), which skips most of the parsing and
//                 compiling, and keeps the cache after a run that had none.
//   package.json  {"type": "commonjs"}: both run as CommonJS (the loader runs the bundle through
//                 vm.Script, which takes classic scripts only; and an ES module entry costs Node
//                 some 10 ms more to start).
//
// `import.meta.url` in the sources (createRequire, `new URL("../../buildpacks/", import.meta.url)`,
// package.json) becomes the file URL of the bundle itself (scripts/import-meta-url.mjs, injected).
//
//   node scripts/bundle.mjs [--outdir DIR] [--metafile FILE]
//
// --outdir (default dist/bin) must be two folders below a package root that has buildpacks/,
// package.json and node_modules/: the bundle finds them relative to itself, as dist/cli/main.js does,
// and requires the packages loaded on first use (the YAML and TOML parsers, tar-stream, semver,
// @balena/dockerignore) from node_modules/. --metafile writes esbuild's metafile of the CLI bundle.
import { build } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({ options: { outdir: { type: "string" }, metafile: { type: "string" } } });
const OUT = path.resolve(values.outdir ?? path.join(ROOT, "dist", "bin"));

/** One CommonJS file from one entry; the hashbang kept only where asked (vm.Script refuses one inside the wrapper). */
async function bundle(entry, outfile, { hashbang, metafile = false }) {
  const result = await build({
    entryPoints: [path.join(ROOT, "src", "cli", entry)],
    outfile: path.join(OUT, outfile),
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    define: { "import.meta.url": "importMetaUrl" },
    inject: [path.join(ROOT, "scripts", "import-meta-url.mjs")],
    legalComments: "none",
    metafile,
    write: false,
    logLevel: "warning",
  });
  for (const file of result.outputFiles) writeFileSync(file.path, hashbang ? file.text : file.text.replace(/^#![^\n]*\n/, ""), { mode: hashbang ? 0o755 : 0o644 });
  return result;
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
writeFileSync(path.join(OUT, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
const cli = await bundle("main.ts", "r2d-cli.cjs", { hashbang: false, metafile: Boolean(values.metafile) });
await bundle("bin.ts", "r2d.js", { hashbang: true });
if (values.metafile) writeFileSync(values.metafile, JSON.stringify(cli.metafile));
