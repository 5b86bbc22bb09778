#!/usr/bin/env node
// A/B of two r2d builds on the benchmark's rebuild (and optionally cold) scenario: the r2d CLI of
// checkout A and of checkout B, interleaved on the same machine and engine, to measure a change to
// src/ without the machine's load drifting between two separate runs.
//
//   node bench/ab.mjs --a DIR --b DIR [--runs N] [--cold] [--work DIR] [--keep]
//
// DIR is an r2d checkout with dist/ built (and node_modules); e.g. a copy of src/ with the change
// reverted, built with `npm run build`. Each side runs its CLI as installed (dist/bin/r2d.js, or
// dist/cli/main.js for checkouts from before the bundle), with its own cache folder. Uses the
// benchmark's private dockerd (started if needed).
import { existsSync, mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureImage, sharedEngine, startPrivateEngine, stopPrivateEngine } from "./lib/engine.mjs";
import { changeOneLine, writeCode } from "./lib/fixtures.mjs";
import { fmtMs, log, median, minmax, readEnvFile, run } from "./lib/util.mjs";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { values: opt } = parseArgs({
  options: {
    a: { type: "string" },
    b: { type: "string" },
    runs: { type: "string", default: "10" },
    cold: { type: "boolean", default: false },
    work: { type: "string", default: path.join(os.tmpdir(), "r2d-bench") },
    keep: { type: "boolean", default: false },
  },
});
if (!opt.a || !opt.b) {
  process.stderr.write("usage: node bench/ab.mjs --a DIR --b DIR [--runs N] [--cold] [--work DIR] [--keep]\n");
  process.exit(2);
}
const RUNS = Number(opt.runs);
const WORK = path.resolve(opt.work);
const infra = readEnvFile(path.join(ROOT, ".r2d-infra", "env"));
const command = `node bench/ab.mjs ${process.argv.slice(2).join(" ")}`;
log(`command: ${command}`);

const engine = await startPrivateEngine(path.join(WORK, "engine"));
await ensureImage(engine, sharedEngine(), infra.R2D_TEST_BASE_PYTHON);

const sides = { A: path.resolve(opt.a), B: path.resolve(opt.b) };
const repos = {};
for (const side of Object.keys(sides)) {
  repos[side] = path.join(WORK, "ab", side);
  rmSync(repos[side], { recursive: true, force: true });
  mkdirSync(path.join(repos[side], "data"), { recursive: true });
  writeCode(repos[side]);
}

const cliOf = (dir) => (existsSync(path.join(dir, "dist", "bin", "r2d.js")) ? path.join(dir, "dist", "bin", "r2d.js") : path.join(dir, "dist", "cli", "main.js"));

async function r2d(side) {
  const r = await run(
    process.execPath,
    [cliOf(sides[side]), repos[side], "--no-run", "--json", "--base-image", infra.R2D_TEST_BASE_PYTHON, "--pip-index-url", infra.R2D_TEST_PIP_INDEX, "--build-network", "host", "--image-name", `r2d-bench/ab-${side.toLowerCase()}:latest`],
    { env: { DOCKER_HOST: engine.host, XDG_CACHE_HOME: path.join(WORK, "ab", `cache-${side}`) } },
  );
  if (r.code !== 0) throw new Error(`${side} failed: ${(r.stderr + r.stdout).split("\n").slice(-15).join("\n")}`);
  return r.ms;
}

const res = { rebuild: { A: [], B: [] }, cold: { A: [], B: [] } };
try {
  for (const side of ["A", "B"]) await r2d(side); // warm
  for (let i = 0; i < RUNS; i++) {
    for (const side of i % 2 ? ["B", "A"] : ["A", "B"]) {
      changeOneLine(repos[side], i + 1);
      res.rebuild[side].push(await r2d(side));
    }
  }
  if (opt.cold) {
    for (let i = 0; i < RUNS; i++) {
      for (const side of i % 2 ? ["B", "A"] : ["A", "B"]) {
        await engine.coldReset("r2d-bench/");
        res.cold[side].push(await r2d(side));
      }
    }
  }
} finally {
  if (!opt.keep) await stopPrivateEngine(engine);
}

const lines = [`A/B (${command}); load ${(await run("uptime", [])).stdout.trim()}`, "", "| | A | B | B − A (paired median) |", "|---|---|---|---|"];
for (const k of ["rebuild", ...(opt.cold ? ["cold"] : [])]) {
  const a = res[k].A;
  const b = res[k].B;
  const diffs = b.map((x, i) => x - a[i]);
  lines.push(`| ${k}, median (range) | ${fmtMs(median(a))} (${minmax(a).map(fmtMs).join("–")}) | ${fmtMs(median(b))} (${minmax(b).map(fmtMs).join("–")}) | ${fmtMs(median(diffs))} |`);
}
process.stdout.write(`${lines.join("\n")}\n\nA = ${sides.A}\nB = ${sides.B}\n${JSON.stringify(res)}\n`);
