#!/usr/bin/env node
// Planning benchmark, one fresh process per measurement: what r2d does before the engine sees
// anything — detect, plan, render the Dockerfile, select the context — and optionally stream the
// context tar (with r2d's generated files) into a byte counter, exactly as buildRepo does.
// Prints one JSON line: elapsed ms per phase and the process's peak RSS.
//
//   node bench/plan.mjs REPO [--exclude P]... [--base-image IMG] [--tar] [--walk-all] [--dist DIR]
//
// --walk-all is a reference figure only: no exclusion at all (no default data/, no .dockerignore,
// no --exclude), i.e. what walking the whole repository costs.
import { parseArgs } from "node:util";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";

const t0 = performance.now();
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    exclude: { type: "string", multiple: true, default: [] },
    "base-image": { type: "string" },
    tar: { type: "boolean", default: false },
    "walk-all": { type: "boolean", default: false },
    dist: { type: "string" },
  },
});
const repo = positionals[0];
if (!repo) {
  process.stderr.write("usage: node bench/plan.mjs REPO [--exclude P]... [--base-image IMG] [--tar] [--walk-all]\n");
  process.exit(2);
}

const dist = values.dist ? pathToFileURL(`${values.dist.replace(/\/+$/, "")}/`) : new URL("../dist/", import.meta.url);
const { detectRepo, makePlan, renderDockerfile, selectContext } = await import(new URL("index.js", dist).href);
const { generatedFiles } = await import(new URL("render/index.js", dist).href);
const { contextTar } = await import(new URL("context/index.js", dist).href);
const tImport = performance.now();

const facts = await detectRepo(repo);
const plan = makePlan(facts, { baseImage: values["base-image"], excludes: values.exclude });
const dockerfile = renderDockerfile(plan);
const tPlan = performance.now();

const walkAll = values["walk-all"];
const selection = await selectContext({
  root: facts.root,
  ignoreFileDir: walkAll ? "__bench_no_ignore_file__" : plan.context.ignoreFileDir,
  excludes: walkAll ? [] : plan.context.excludes,
  includes: walkAll ? [] : plan.context.includes,
  keep: plan.dockerfilePath ? [plan.dockerfilePath] : [],
});
const tSelect = performance.now();

let tarBytes;
if (values.tar) {
  tarBytes = 0;
  const prefix = plan.buildpack === "dockerfile" ? "" : "src/";
  await pipeline(
    contextTar(selection, { prefix, extra: generatedFiles(plan, dockerfile) }),
    new Writable({
      write(chunk, _enc, cb) {
        tarBytes += chunk.length;
        cb();
      },
    }),
  );
}
const tTar = performance.now();

process.stdout.write(
  `${JSON.stringify({
    repo,
    buildpack: plan.buildpack,
    ms: {
      import: tImport - t0,
      detectPlan: tPlan - tImport,
      select: tSelect - tPlan,
      tar: values.tar ? tTar - tSelect : undefined,
      // detect + plan + render + select: the figure the planning target is about
      planning: tSelect - tImport,
      total: tTar - t0,
    },
    context: { fileCount: selection.fileCount, bytes: selection.bytes, entries: selection.files.length, excluded: selection.excluded.map((e) => `${e.path} (${e.reason})`) },
    tarBytes,
    maxRssKiB: process.resourceUsage().maxRSS,
  })}\n`,
);
