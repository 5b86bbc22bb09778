#!/usr/bin/env node
// r2d benchmark: r2d against two hand-written Dockerfiles for the same repository, on the same
// machine, in the same run, with the same base image and the same local package index.
//
//   npm run bench -- [--runs N] [--quick] [--keep] [--only LIST] [--work DIR] [--out DIR]
//                    [--shared-engine] [--sizes LIST] [--data-mib N] [--no-reference]
//
// Scenarios (see docs/benchmarks.md for what they mean and the published figures):
//   context  cold builds of the data-heavy repository: bytes sent and build time, cache emptied
//   rebuild  rebuild after a one-line code change, the whole r2d process included
//   size     image sizes, split into base, setup + dependencies, code
//   plan     detect + plan + context selection on repositories with 10k/100k/1M small data files,
//            and r2d's peak RSS there (memory)
//   startup  `r2d REPO --no-build --json` beside `node -e 0`, on the tiny and the big repositories
//   stacks   cold build and rebuild of an R repository (local CRAN-like repository) and of a
//            conda-style one (where the machine has micromamba's image and a conda channel)
// The rebuild scenario also counts the docker processes one rebuild starts (from --debug).
// Needs: dist/ built (npm run build), the test infrastructure (bash test/infra/setup.sh), root.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureImage, sharedEngine, startPrivateEngine, stopPrivateEngine } from "./lib/engine.mjs";
import { countRebuildProcesses, scenarioStartup } from "./lib/cli.mjs";
import { changeOneLine, duBytes, ensureBigRepo, ensureRandomData, makeVariantRepos } from "./lib/fixtures.mjs";
import { scenarioStacks } from "./lib/stacks.mjs";
import { verdictsMarkdown } from "./lib/verdicts.mjs";
import {
  fmtBytes,
  fmtMs,
  fmtRatio,
  log,
  median,
  minmax,
  must,
  pairedRatios,
  readEnvFile,
  run,
  transferredContext,
} from "./lib/util.mjs";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// r2d is measured from a snapshot of dist/ (copied at the start): the working tree may be rebuilt
// while the benchmark runs. Set by snapshotR2d().
let DIST;
let CLI;
let CLI_UNBUNDLED;
const RSS_HOOK = path.join(ROOT, "bench", "lib", "rss-hook.mjs");
const PLAN = path.join(ROOT, "bench", "plan.mjs");
const VARIANTS = ["course", "expert", "r2d"];
const TAG = { course: "r2d-bench/course:latest", expert: "r2d-bench/expert:latest", r2d: "r2d-bench/r2d:latest" };
const ALL_SCENARIOS = ["context", "rebuild", "size", "plan", "startup", "stacks"];

// ------------------------------------------------------------------------------------ options
const { values: opt } = parseArgs({
  options: {
    runs: { type: "string" },
    quick: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    only: { type: "string" },
    work: { type: "string", default: path.join(os.tmpdir(), "r2d-bench") },
    out: { type: "string" }, // default: bench/results, or a temporary directory for --quick
    "shared-engine": { type: "boolean", default: false },
    sizes: { type: "string" },
    "data-mib": { type: "string" },
    "no-reference": { type: "boolean", default: false },
    "r2d-root": { type: "string", default: ROOT },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opt.help) {
  process.stdout.write(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 16).map((l) => l.replace(/^\/\/ ?/, "")).join("\n") + "\n");
  process.exit(0);
}
const QUICK = opt.quick;
const RUNS = Number(opt.runs ?? (QUICK ? 1 : 5));
const SCENARIOS = opt.only ? opt.only.split(",").map((s) => s.trim()) : ALL_SCENARIOS;
for (const s of SCENARIOS) if (!ALL_SCENARIOS.includes(s)) throw new Error(`--only: unknown scenario ${s} (${ALL_SCENARIOS.join(", ")})`);
const SIZES = (opt.sizes ?? (QUICK ? "1000,10000" : "10000,100000,1000000")).split(",").map(Number);
const DATA_FILES = 8;
const DATA_FILE_BYTES = Number(opt["data-mib"] ?? (QUICK ? 4 : 128)) * 2 ** 20;
const WORK = path.resolve(opt.work);
// Quick smoke runs are not for publication: their files stay out of the repository.
const OUT = path.resolve(opt.out ?? (QUICK ? path.join(os.tmpdir(), "r2d-bench-results") : path.join(ROOT, "bench", "results")));
const COMMAND = `${process.env.npm_lifecycle_event === "bench" ? "npm run bench --" : "node bench/run.mjs"} ${process.argv.slice(2).join(" ")}`.trim();

// ------------------------------------------------------------------------------------ machine
function loadavg() {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
}

/** Build processes on this machine that are not ours (other sessions' builds). */
async function otherBuilds() {
  const r = await run("ps", ["-eo", "pid=,ppid=,args="]);
  const mine = new Set([process.pid]);
  const rows = r.stdout.split("\n").map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/)).filter(Boolean);
  // Our descendants: walk the tree a few times.
  for (let k = 0; k < 6; k++) for (const [, pid, ppid] of rows) if (mine.has(Number(ppid))) mine.add(Number(pid));
  return rows
    .filter(([, pid, , args]) => !mine.has(Number(pid)) && /(^|\/)(docker|docker-buildx|buildctl)\s+(\S+\s+)*?(build|buildx)\b/.test(args) && !/\bps\b/.test(args))
    .map(([, pid, , args]) => `${pid} ${args.slice(0, 100)}`);
}

const machine = { samples: [] };
async function sample(label) {
  const s = { label, at: new Date().toISOString(), load: loadavg(), otherBuilds: await otherBuilds() };
  machine.samples.push(s);
  return s;
}

// ------------------------------------------------------------------------------------ builds
let engine;
let infra;
let pipConf;

/**
 * The environment r2d runs with: the benchmark's engine, and its own cache folder, so r2d's kept
 * engine probe (written by the first run, as on any machine where r2d ran before) is the benchmark's.
 */
function r2dEnv() {
  return { DOCKER_HOST: engine.host, XDG_CACHE_HOME: path.join(WORK, "cache") };
}

/** Build one variant; returns wall ms and what could be read from the output. */
async function build(variant, repo) {
  const s = await sample(`${variant} build`);
  if (variant === "r2d") {
    const rssFile = path.join(WORK, "r2d-rss.txt");
    rmSync(rssFile, { force: true });
    const args = [
      `--import=${RSS_HOOK}`,
      CLI,
      repo,
      "--no-run",
      "--json",
      "--base-image",
      infra.R2D_TEST_BASE_PYTHON,
      "--pip-index-url",
      infra.R2D_TEST_PIP_INDEX,
      "--build-network",
      "host",
      "--image-name",
      TAG.r2d,
    ];
    // Arrival time of each JSON event: where the time goes inside the r2d process.
    const marks = {};
    const onStdoutLine = (line, ms) => {
      let e;
      try {
        e = JSON.parse(line);
      } catch {
        return;
      }
      const key = e.event === "phase" ? `phase:${e.phase}` : e.event === "progress" ? "progress" : e.event;
      if (key === "message" && marks.engine !== undefined) return; // build-time debug lines
      if (key === "progress" || key === "message") {
        marks[`first:${key}`] ??= ms;
        marks[`last:${key}`] = ms;
      } else marks[key] ??= ms;
    };
    const r = await run(process.execPath, args, { env: { ...r2dEnv(), R2D_BENCH_RSS_FILE: rssFile }, onStdoutLine });
    const events = r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return {};
        }
      });
    const result = events.find((e) => e.event === "result");
    if (r.code !== 0 || !result) throw new Error(`r2d build of ${repo} failed (exit ${r.code}):\n${(r.stderr + r.stdout).split("\n").slice(-30).join("\n")}`);
    const ctx = events.find((e) => e.event === "context");
    machine.r2dEngine ??= events.find((e) => e.event === "engine")?.reason;
    const steps = result.build?.steps ?? [];
    return {
      ms: r.ms,
      buildMs: result.build?.durationMs,
      contextFiles: ctx?.fileCount,
      contextBytes: ctx?.bytes,
      stepsRun: steps.filter((x) => /^\[stage-/.test(x.name) && x.status === "done").length,
      stepsCached: steps.filter((x) => x.status === "cached").length,
      rssKiB: existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) : undefined,
      timeline: timeline(marks, r.ms),
      steps: steps.filter((x) => x.durationMs >= 100).map((x) => ({ name: shortStep(x.name), ms: x.durationMs })),
      load: s.load,
      otherBuilds: s.otherBuilds.length,
    };
  }
  const args = ["build", "--progress=plain", "--network", "host", "-t", TAG[variant]];
  if (variant === "course") args.push("--build-arg", `PIP_INDEX_URL=${infra.R2D_TEST_PIP_INDEX}`);
  if (variant === "expert") args.push("--secret", `id=pip-conf,src=${pipConf}`);
  args.push(repo);
  const r = await engine.docker(args);
  if (r.code !== 0) throw new Error(`docker build of ${variant} failed (exit ${r.code}):\n${r.stderr.split("\n").slice(-30).join("\n")}`);
  return {
    ms: r.ms,
    transferred: transferredContext(r.stderr),
    stepsRun: (r.stderr.match(/^#\d+ \[(stage-\d+ +)?\d+\/\d+\].*$/gm) ?? []).length - (r.stderr.match(/^#\d+ CACHED$/gm) ?? []).length,
    stepsCached: (r.stderr.match(/^#\d+ CACHED$/gm) ?? []).length,
    steps: plainSteps(r.stderr),
    load: s.load,
    otherBuilds: s.otherBuilds.length,
  };
}

/**
 * r2d's wall time split by the arrival of its --json events (each mark is when the line reached us):
 *   start      node start and module loading, up to the first event
 *   source     opening the repository (the git revision of a local checkout)
 *   plan       detect + plan (up to the plan's messages)
 *   probe      render + engine probe (docker version / buildx version), up to the engine event
 *   context    context selection, temporary files, up to "building"
 *   submit     the build request up to BuildKit's first progress line (the daemon's API and r2d's
 *              session; or, where the docker client builds, its start and the context upload)
 *   buildkit   BuildKit's work, first to last progress line
 *   finish     the daemon's last answer (or the client's exit), iid file, inspect and tag, up to the result event
 *   exit       process exit
 */
function timeline(m, total) {
  const seq = [
    ["start", m["phase:fetching"]],
    ["source", m["phase:planning"]],
    ["plan", m["last:message"] ?? m["phase:planning"]],
    ["probe", m.engine],
    ["context", m["phase:building"]],
    ["submit", m["first:progress"]],
    ["buildkit", m["last:progress"]],
    ["finish", m.result],
    ["exit", total],
  ];
  const out = {};
  let prev = 0;
  for (const [k, t] of seq) {
    if (t === undefined) return undefined;
    out[k] = t - prev;
    prev = t;
  }
  return out;
}

function shortStep(name) {
  return name.replace(/\s+/g, " ").replace(/--mount=\S+ /g, "").slice(0, 60);
}

/** Steps of a --progress=plain log that took ≥ 100 ms: "#5 [stage-0 2/6] RUN ..." … "#5 DONE 7.9s". */
function plainSteps(log) {
  const names = new Map();
  const out = [];
  for (const line of log.split("\n")) {
    let m = /^#(\d+) (\[.*|exporting to image|transferring.*)$/.exec(line);
    if (m && !names.has(m[1])) names.set(m[1], m[2]);
    m = /^#(\d+) DONE ([\d.]+)s$/.exec(line);
    if (m && Number(m[2]) >= 0.1) out.push({ name: shortStep(names.get(m[1]) ?? `#${m[1]}`), ms: Number(m[2]) * 1000 });
  }
  return out;
}

function rotate(list, k) {
  const n = k % list.length;
  return [...list.slice(n), ...list.slice(0, n)];
}

// ------------------------------------------------------------------------------------ contexts
/** Regular files of a tar listing (`tar -tvf`): names and sizes. */
function tarListing(text) {
  const files = [];
  for (const line of text.split("\n")) {
    const m = /^(\S)\S*\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.*)$/.exec(line);
    if (m && m[1] === "-") files.push({ name: m[3].replace(/^\.\//, ""), size: Number(m[2]) });
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The context docker sends for a hand-written variant, counted independently of r2d's code:
 * GNU tar of the directory with the .dockerignore entries as --exclude (no .dockerignore: all).
 */
async function gnuTarContext(repo, excludes) {
  const ex = excludes.map((e) => `--exclude='${e}'`).join(" ");
  const bytes = await must("sh", ["-c", `tar -C "$1" ${ex} -cf - . | wc -c`, "sh", repo]);
  const list = await must("sh", ["-c", `tar -C "$1" ${ex} -cf - . | tar -tvf -`, "sh", repo]);
  const files = tarListing(list.stdout);
  return { bytes: Number(bytes.stdout.trim()), payload: files.reduce((a, f) => a + f.size, 0), files: files.map((f) => f.name) };
}

/** r2d's context exactly as buildRepo streams it to the docker client (tar bytes and names). */
async function r2dContext(repo) {
  const file = path.join(WORK, "r2d-context.tar");
  const script = `
    const dist = ${JSON.stringify(DIST + "/")};
    const { detectRepo, makePlan, renderDockerfile, selectContext } = await import(dist + "index.js");
    const { generatedFiles } = await import(dist + "render/index.js");
    const { contextTar } = await import(dist + "context/index.js");
    const { createWriteStream } = await import("node:fs");
    const { pipeline } = await import("node:stream/promises");
    const facts = await detectRepo(process.argv[1]);
    const plan = makePlan(facts, { baseImage: process.argv[3] });
    const dockerfile = renderDockerfile(plan);
    const sel = await selectContext({ root: facts.root, ignoreFileDir: plan.context.ignoreFileDir, excludes: plan.context.excludes, includes: plan.context.includes, keep: [] });
    await pipeline(contextTar(sel, { prefix: "src/", extra: generatedFiles(plan, dockerfile) }), createWriteStream(process.argv[2]));
  `;
  await must(process.execPath, ["--input-type=module", "-e", script, repo, file, infra.R2D_TEST_BASE_PYTHON]);
  const list = tarListing((await must("tar", ["-tvf", file])).stdout);
  const bytes = statSync(file).size;
  rmSync(file);
  const repoFiles = list.filter((f) => f.name.startsWith("src/"));
  const generated = list.filter((f) => !f.name.startsWith("src/"));
  return {
    bytes,
    payload: list.reduce((a, f) => a + f.size, 0),
    repoPayload: repoFiles.reduce((a, f) => a + f.size, 0),
    files: repoFiles.map((f) => f.name.slice(4)),
    generated: generated.map((f) => `${f.name} (${f.size} B)`),
  };
}

const EXPERT_TAR_EXCLUDES = ["./.git", "./data", "./Dockerfile", "./.dockerignore", "__pycache__", "*.pyc", "./.venv"];

// ------------------------------------------------------------------------------------ image parts
function classifyLayer(createdBy) {
  const c = createdBy.replace(/^\/bin\/sh -c #\(nop\) /, "");
  if (/^COPY (--chown=\S+ )?(\. \.|\.\/? |src\/ )/.test(c) || /^COPY (--chown=\S+ )?\[?"?src\/"?[, ]/.test(c)) return "code";
  if (/chmod \+x run\.sh/.test(c)) return "code";
  return "deps";
}

async function imageParts(variant, baseLayers, baseSize) {
  const hist = await engine.history(TAG[variant]);
  const own = hist.slice(0, hist.length - baseLayers);
  const parts = { base: baseSize, deps: 0, code: 0 };
  const layers = [];
  for (const l of own) {
    const k = classifyLayer(l.createdBy);
    parts[k] += l.size;
    if (l.size > 0) layers.push({ part: k, size: l.size, createdBy: l.createdBy.replace(/\s+/g, " ").slice(0, 110) });
  }
  return { total: await engine.imageSize(TAG[variant]), parts, layers };
}

// ------------------------------------------------------------------------------------ main
const results = {
  command: COMMAND,
  startedAt: new Date().toISOString(),
  options: { runs: RUNS, quick: QUICK, scenarios: SCENARIOS, sizes: SIZES, dataFiles: DATA_FILES, dataFileBytes: DATA_FILE_BYTES, sharedEngine: opt["shared-engine"] },
  machine,
};

async function main() {
  log(`command: ${COMMAND}`);
  mkdirSync(WORK, { recursive: true });
  await snapshotR2d(path.resolve(opt["r2d-root"]));

  // Test infrastructure: engine, base image, pip index.
  // The same state folder as the integration tests: R2D_INFRA_DIR, else .r2d-infra in this checkout.
  const envFile = path.join(process.env.R2D_INFRA_DIR || path.join(ROOT, ".r2d-infra"), "env");
  if (!existsSync(envFile) || !(await indexAnswers(readEnvFile(envFile)))) {
    log("test infrastructure missing or stopped: running bash test/infra/setup.sh");
    await must("bash", [path.join(ROOT, "test", "infra", "setup.sh")], { quiet: false, input: "" });
  }
  infra = readEnvFile(envFile);
  if (!(await indexAnswers(infra))) throw new Error(`the pip index ${infra.R2D_TEST_PIP_INDEX} does not answer`);

  const shared = sharedEngine();
  engine = opt["shared-engine"] ? shared : await startPrivateEngine(path.join(WORK, "engine"));
  await ensureImage(engine, shared, infra.R2D_TEST_BASE_PYTHON);
  pipConf = path.join(WORK, "pip.conf");
  writeFileSync(pipConf, `[global]\nindex-url = ${infra.R2D_TEST_PIP_INDEX}\n`);

  const r2dVersion = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version;
  Object.assign(machine, {
    host: os.hostname(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    r2d: r2dVersion,
    docker: (await engine.mustDocker(["version", "--format", "{{.Client.Version}} client, {{.Server.Version}} engine"])).stdout.trim(),
    engine: engine.own ? `private dockerd for the benchmark (${engine.host})` : `shared engine (${engine.host})`,
    baseImage: `${infra.R2D_TEST_BASE_PYTHON} ${await engine.imageId(infra.R2D_TEST_BASE_PYTHON)}`,
    pipIndex: infra.R2D_TEST_PIP_INDEX,
    uptimeStart: (await run("uptime", [])).stdout.trim(),
  });
  log(`machine: ${machine.cpus} cpus, load ${loadavg().join(" ")}; ${machine.docker}; ${machine.engine}`);

  const needRepos = SCENARIOS.some((s) => s === "context" || s === "rebuild" || s === "size");
  let repos;
  if (needRepos) {
    const dataSrc = path.join(WORK, "data-src");
    ensureRandomData(dataSrc, DATA_FILES, DATA_FILE_BYTES);
    repos = await makeVariantRepos(WORK, dataSrc);
    results.repository = {
      description: "requirements.txt (r2d-greet==1.0.0, which pulls r2d-hello), run.sh, main.py, a small package, tests, a notebook, .git, and data/",
      dataBytes: duBytes(path.join(repos.r2d, "data")),
      codeBytes: duBytes(repos.r2d) - duBytes(path.join(repos.r2d, "data")) - duBytes(path.join(repos.r2d, ".git")),
      gitBytes: duBytes(path.join(repos.r2d, ".git")),
    };
  }

  if (SCENARIOS.includes("context")) await scenarioContext(repos);
  if (SCENARIOS.includes("rebuild")) await scenarioRebuild(repos);
  if (SCENARIOS.includes("size")) await scenarioSize(repos);
  if (SCENARIOS.includes("plan")) await scenarioPlan();
  const cliCtx = { cli: CLI, cliUnbundled: CLI_UNBUNDLED, env: r2dEnv(), work: WORK, infra, engine, shared: sharedEngine(), sizes: SIZES, bigRepoDir: (n) => path.join(WORK, "big", n ? `files-${n}` : "tiny") };
  if (SCENARIOS.includes("startup")) results.startup = await scenarioStartup({ ...cliCtx, rounds: Math.max(RUNS * 4, QUICK ? 5 : 20) });
  if (SCENARIOS.includes("stacks")) {
    await ensureImage(engine, sharedEngine(), infra.R2D_TEST_BASE_R);
    results.stacks = await scenarioStacks({ ...cliCtx, runs: { cold: Math.min(RUNS, 3), rebuild: RUNS } });
  }

  machine.uptimeEnd = (await run("uptime", [])).stdout.trim();
  results.finishedAt = new Date().toISOString();
  const buildsSeen = new Set(machine.samples.flatMap((s) => s.otherBuilds));
  machine.otherBuildsSeen = [...buildsSeen];
  machine.loadDuringRun = { median1m: median(machine.samples.map((s) => s.load[0])), range1m: minmax(machine.samples.map((s) => s.load[0])) };

  const md = markdown(results);
  mkdirSync(OUT, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, "-").slice(0, 19);
  const base = path.join(OUT, `bench-${QUICK ? "quick-" : ""}${stamp}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${base}.md`, md);
  process.stdout.write(md);
  log(`wrote ${base}.json and ${base}.md`);
}

/** Copy dist/, buildpacks/, package.json and node_modules of the r2d checkout at `root` into the work dir. */
async function snapshotR2d(root) {
  const src = path.join(root, "dist");
  if (!existsSync(path.join(src, "bin", "r2d.js"))) throw new Error(`${src}/bin/r2d.js (the CLI as installed) is missing: run \`npm run build\` first`);
  const newestSrc = Math.max(...listFiles(path.join(root, "src")).map((f) => statSync(f).mtimeMs));
  if (newestSrc > Math.min(statSync(path.join(src, "index.js")).mtimeMs, statSync(path.join(src, "bin", "r2d.js")).mtimeMs)) log("warning: src/ is newer than dist/: run `npm run build` to measure the current code");
  const snap = path.join(WORK, "r2d");
  for (let attempt = 1; ; attempt++) {
    rmSync(snap, { recursive: true, force: true });
    mkdirSync(snap, { recursive: true });
    cpSync(src, path.join(snap, "dist"), { recursive: true });
    cpSync(path.join(root, "buildpacks"), path.join(snap, "buildpacks"), { recursive: true });
    cpSync(path.join(root, "package.json"), path.join(snap, "package.json"));
    // node_modules too (hard links where possible): an `npm install` elsewhere must not pull it away mid-run.
    const nm = await run("cp", ["-al", path.join(root, "node_modules"), path.join(snap, "node_modules")]);
    if (nm.code !== 0) await must("cp", ["-a", path.join(root, "node_modules"), path.join(snap, "node_modules")]);
    const check = await run(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(path.join(snap, "dist", "index.js"))}); await import(${JSON.stringify(path.join(snap, "dist", "cli", "args.js"))});`]);
    if (check.code === 0) break;
    if (attempt === 3) throw new Error(`the dist/ snapshot does not load (is dist/ being rebuilt?):\n${check.stderr}`);
    log("the dist/ snapshot does not load (dist/ being rebuilt?); retrying in 10 s");
    await new Promise((r) => setTimeout(r, 10_000));
  }
  DIST = path.join(snap, "dist");
  // What `bin` names (the bundle); the unbundled tsc output is measured beside it in the start-up scenario.
  CLI = path.join(DIST, "bin", "r2d.js");
  CLI_UNBUNDLED = path.join(DIST, "cli", "main.js");
  const git = async (...a) => (await run("git", ["-C", root, ...a])).stdout.trim();
  results.r2dSource = {
    root,
    commit: await git("rev-parse", "HEAD"),
    modifiedFiles: (await git("status", "--porcelain", "--", "src")).split("\n").filter(Boolean).length,
    distBuiltAt: statSync(path.join(src, "index.js")).mtime.toISOString(),
  };
}

function listFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

async function indexAnswers(env) {
  if (!env.R2D_TEST_PIP_INDEX) return false;
  try {
    const res = await fetch(`${env.R2D_TEST_PIP_INDEX}/r2d-greet/`, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------------------------ 1. context + cold
async function scenarioContext(repos) {
  log("== 1. context and cold build");
  const course = await gnuTarContext(repos.course, []);
  const expert = await gnuTarContext(repos.expert, EXPERT_TAR_EXCLUDES);
  const r2d = await r2dContext(repos.r2d);
  const expertCode = expert.files;
  const missing = expertCode.filter((f) => !r2d.files.includes(f));
  const extra = r2d.files.filter((f) => !expertCode.includes(f));
  const cold = { course: [], expert: [], r2d: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const v of rotate(VARIANTS, i)) {
      await engine.coldReset("r2d-bench/");
      const b = await build(v, repos[v]);
      cold[v].push(b);
      log(`  run ${i + 1}/${RUNS} ${v}: ${fmtMs(b.ms)} (load ${b.load[0]}${b.otherBuilds ? `, ${b.otherBuilds} other builds` : ""})`);
    }
  }
  const ms = Object.fromEntries(VARIANTS.map((v) => [v, cold[v].map((b) => b.ms)]));
  results.context = {
    bytes: {
      course: { tar: course.bytes, payload: course.payload, buildkitReported: median(cold.course.map((b) => b.transferred)), files: course.files.length },
      expert: { tar: expert.bytes, payload: expert.payload, buildkitReported: median(cold.expert.map((b) => b.transferred)), files: expert.files.length },
      r2d: { tar: r2d.bytes, payload: r2d.payload, repoPayload: r2d.repoPayload, reportedByR2d: cold.r2d[0]?.contextBytes, files: r2d.files.length, generated: r2d.generated },
    },
    sameFilesAsExpert: missing.length === 0 && extra.length === 0,
    missingFromR2d: missing,
    extraInR2d: extra,
    cold: Object.fromEntries(VARIANTS.map((v) => [v, { medianMs: median(ms[v]), rangeMs: minmax(ms[v]), runs: cold[v] }])),
    r2dTimelineMedianMs: timelineMedians(cold.r2d),
    ratios: ratios(ms),
  };
}

function timelineMedians(runs) {
  const keys = Object.keys(runs.find((b) => b.timeline)?.timeline ?? {});
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((b) => b.timeline?.[k]))]));
}

function ratios(ms) {
  const r = (a, b) => ({ ofMedians: median(ms[a]) / median(ms[b]), pairedMedian: median(pairedRatios(ms[a], ms[b])), paired: pairedRatios(ms[a], ms[b]) });
  return { r2dOverExpert: r("r2d", "expert"), courseOverR2d: r("course", "r2d"), courseOverExpert: r("course", "expert") };
}

// ------------------------------------------------------------------------------------ 2. rebuild
async function scenarioRebuild(repos) {
  log("== 2. rebuild after a one-line code change");
  // Warm-up: one build of each with a full cache (not measured).
  for (const v of VARIANTS) await build(v, repos[v]);
  const reb = { course: [], expert: [], r2d: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const v of rotate(VARIANTS, i)) {
      changeOneLine(repos[v], i + 1);
      const b = await build(v, repos[v]);
      reb[v].push(b);
      log(`  run ${i + 1}/${RUNS} ${v}: ${fmtMs(b.ms)} (${b.stepsRun} steps run, ${b.stepsCached} cached; load ${b.load[0]})`);
    }
  }
  const ms = Object.fromEntries(VARIANTS.map((v) => [v, reb[v].map((b) => b.ms)]));
  const diffs = ms.r2d.map((x, i) => x - ms.expert[i]).filter(Number.isFinite);
  const dockerProcesses = await countRebuildProcesses({
    cli: CLI,
    repo: repos.r2d,
    args: ["--no-run", "--base-image", infra.R2D_TEST_BASE_PYTHON, "--pip-index-url", infra.R2D_TEST_PIP_INDEX, "--build-network", "host", "--image-name", TAG.r2d],
    env: r2dEnv(),
    cacheDir: r2dEnv().XDG_CACHE_HOME,
    emptyCacheDir: path.join(WORK, "cache-empty"),
  });
  results.rebuild = {
    dockerProcesses,
    ...Object.fromEntries(VARIANTS.map((v) => [v, { medianMs: median(ms[v]), rangeMs: minmax(ms[v]), runs: reb[v] }])),
    r2dMinusExpertMs: { ofMedians: median(ms.r2d) - median(ms.expert), pairedMedian: median(diffs), paired: diffs },
    ratios: ratios(ms),
    r2dBuildOnlyMedianMs: median(reb.r2d.map((b) => b.buildMs)),
    r2dTimelineMedianMs: timelineMedians(reb.r2d),
  };
}

// ------------------------------------------------------------------------------------ 3. size
async function scenarioSize(repos) {
  log("== 3. image size");
  for (const v of VARIANTS) if (!(await engine.imageId(TAG[v]))) await build(v, repos[v]);
  const baseHist = await engine.history(infra.R2D_TEST_BASE_PYTHON);
  const baseSize = await engine.imageSize(infra.R2D_TEST_BASE_PYTHON);
  const sizes = {};
  for (const v of VARIANTS) {
    sizes[v] = await imageParts(v, baseHist.length, baseSize);
    // The image must work: run it (no network, data dir absent) and check the greeting.
    const r = await engine.docker(["run", "--rm", "--network", "none", "-e", "DATA_DIR=/nonexistent", TAG[v]]);
    sizes[v].runs = r.code === 0 && /hello, benchmark/.test(r.stdout);
    sizes[v].runOutput = (r.stdout + r.stderr).trim().split("\n").slice(-3).join(" | ");
  }
  results.size = { ...sizes, r2dOverExpert: sizes.r2d.total / sizes.expert.total, courseOverR2d: sizes.course.total / sizes.r2d.total };
}

// ------------------------------------------------------------------------------------ 4+5. plan, memory
async function planOnce(repo, extra = []) {
  const r = await run(process.execPath, [PLAN, repo, "--dist", DIST, "--exclude", "checkpoints", "--base-image", infra.R2D_TEST_BASE_PYTHON, "--tar", ...extra], { timeoutMs: 30 * 60_000 });
  if (r.code !== 0) throw new Error(`bench/plan.mjs ${repo} failed: ${r.stderr}`);
  return { ...JSON.parse(r.stdout.trim().split("\n").pop()), wallMs: r.ms };
}

async function scenarioPlan() {
  log("== 4. planning on big repositories, 5. memory");
  const repos = [{ files: 0, dir: path.join(WORK, "big", "tiny") }, ...SIZES.map((n) => ({ files: n, dir: path.join(WORK, "big", `files-${n}`) }))];
  for (const r of repos) ensureBigRepo(r.dir, r.files);
  const res = Object.fromEntries(repos.map((r) => [r.files, []]));
  await planOnce(repos[0].dir); // warm the disk cache for the code files
  for (let i = 0; i < RUNS; i++) {
    for (const r of rotate(repos, i)) {
      const p = await planOnce(r.dir);
      p.load = loadavg();
      res[r.files].push(p);
      log(`  run ${i + 1}/${RUNS} ${r.files.toLocaleString("en")} files: planning ${fmtMs(p.ms.planning)}, process ${fmtMs(p.wallMs)}, RSS ${(p.maxRssKiB / 1024).toFixed(0)} MiB`);
    }
  }
  const rows = repos.map((r) => {
    const runs = res[r.files];
    return {
      files: r.files,
      planningMs: median(runs.map((p) => p.ms.planning)),
      planningRangeMs: minmax(runs.map((p) => p.ms.planning)),
      selectMs: median(runs.map((p) => p.ms.select)),
      detectPlanMs: median(runs.map((p) => p.ms.detectPlan)),
      tarMs: median(runs.map((p) => p.ms.tar)),
      processMs: median(runs.map((p) => p.wallMs)),
      maxRssMiB: median(runs.map((p) => p.maxRssKiB)) / 1024,
      context: runs[0]?.context,
      tarBytes: runs[0]?.tarBytes,
      runs,
    };
  });
  const tiny = rows[0];
  const flat = (row) => row.planningMs - tiny.planningMs <= Math.max(0.2 * tiny.planningMs, 10);
  results.plan = { rows, flat: rows.slice(1).every(flat), flatRule: "planning(N) <= planning(tiny) + max(20% of tiny, 10 ms)" };

  // Reference: the same repositories with nothing excluded (every file walked), once each.
  if (!opt["no-reference"]) {
    results.plan.walkAll = [];
    for (const r of repos.slice(1)) {
      const p = await planOnce(r.dir, ["--walk-all"]);
      results.plan.walkAll.push({ files: r.files, selectMs: p.ms.select, tarMs: p.ms.tar, processMs: p.wallMs, maxRssMiB: p.maxRssKiB / 1024, tarBytes: p.tarBytes });
      log(`  reference, nothing excluded, ${r.files.toLocaleString("en")} files: select ${fmtMs(p.ms.select)}, RSS ${(p.maxRssKiB / 1024).toFixed(0)} MiB`);
    }
  }

  // 5. The real CLI (a full build, --no-run) on the tiny and the biggest repository: r2d's own RSS.
  const biggest = repos[repos.length - 1];
  results.memory = {};
  for (const r of [repos[0], biggest]) {
    const samples = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) {
      changeOneLine(r.dir, i + 100);
      const b = await buildBig(r.dir);
      samples.push(b);
    }
    results.memory[r.files] = { processMs: median(samples.map((b) => b.ms)), maxRssMiB: median(samples.map((b) => b.rssKiB)) / 1024, runs: samples };
    log(`  r2d CLI build, ${r.files.toLocaleString("en")} files: ${fmtMs(results.memory[r.files].processMs)}, RSS ${results.memory[r.files].maxRssMiB.toFixed(0)} MiB`);
  }
}

/** The CLI build of a planning repository (its checkpoints/ left out with --exclude). */
async function buildBig(dir) {
  const rssFile = path.join(WORK, "r2d-rss.txt");
  rmSync(rssFile, { force: true });
  const r = await run(
    process.execPath,
    [`--import=${RSS_HOOK}`, CLI, dir, "--no-run", "--json", "--base-image", infra.R2D_TEST_BASE_PYTHON, "--pip-index-url", infra.R2D_TEST_PIP_INDEX, "--build-network", "host", "--image-name", "r2d-bench/big:latest", "--exclude", "checkpoints"],
    { env: { ...r2dEnv(), R2D_BENCH_RSS_FILE: rssFile } },
  );
  if (r.code !== 0) throw new Error(`r2d build of ${dir} failed: ${(r.stderr + r.stdout).split("\n").slice(-20).join("\n")}`);
  return { ms: r.ms, rssKiB: Number(readFileSync(rssFile, "utf8")), load: loadavg() };
}

// ------------------------------------------------------------------------------------ report
function verdict(ok) {
  return ok ? "met" : "**missed**";
}

function markdown(R) {
  const L = [];
  const m = R.machine;
  L.push(`## r2d benchmark — ${R.startedAt.slice(0, 16).replace("T", " ")} UTC`, "");
  L.push(`Command: \`${R.command}\`  `);
  L.push(`Runs per figure: ${R.options.runs} (medians; ranges are min–max)${R.options.quick ? " — **quick smoke run, small sizes: not for publication**" : ""}  `);
  L.push(`Machine: ${m.cpus} × ${m.cpuModel}, ${m.memGiB} GiB, Linux ${m.kernel}; Node ${m.node}; Docker ${m.docker}; ${m.engine}  `);
  L.push(`Base image ${m.baseImage}; pip index ${m.pipIndex}  `);
  if (m.r2dEngine) L.push(`r2d's engine choice (no --engine/--docker given): ${m.r2dEngine}  `);
  if (R.r2dSource) L.push(`r2d measured: dist/ of ${R.r2dSource.root} built ${R.r2dSource.distBuiltAt}, commit ${R.r2dSource.commit.slice(0, 10)}${R.r2dSource.modifiedFiles ? ` + ${R.r2dSource.modifiedFiles} modified files under src/` : ""}  `);
  L.push(`Load: \`${m.uptimeStart}\` at the start, \`${m.uptimeEnd}\` at the end; 1-min load during measurements median ${m.loadDuringRun.median1m}, range ${m.loadDuringRun.range1m.join("–")}  `);
  L.push(`Other builds seen on the machine during measurements: ${m.otherBuildsSeen.length ? m.otherBuildsSeen.length : "none"}`, "");

  if (R.context) {
    const c = R.context;
    const d = R.repository;
    L.push(`### 1. Context and cold build (data-heavy repository: ${fmtBytes(d.dataBytes)} in data/, ${fmtBytes(d.codeBytes)} of code, ${fmtBytes(d.gitBytes)} of .git)`, "");
    L.push("| | course recipe | expert | r2d |", "|---|---|---|---|");
    L.push(`| context: file bytes | ${fmtBytes(c.bytes.course.payload)} | ${fmtBytes(c.bytes.expert.payload)} | ${fmtBytes(c.bytes.r2d.payload)} (repository ${fmtBytes(c.bytes.r2d.repoPayload)} + generated) |`);
    L.push(`| context: as a tar stream | ${fmtBytes(c.bytes.course.tar)} (GNU tar) | ${fmtBytes(c.bytes.expert.tar)} (GNU tar) | ${fmtBytes(c.bytes.r2d.tar)} (r2d's own tar: what a docker client gets, R2D_DOCKER_API=0) |`);
    L.push(`| BuildKit's "transferring context" | ${fmtBytes(c.bytes.course.buildkitReported)} | ${fmtBytes(c.bytes.expert.buildkitReported)} | (by file sync in r2d's session: not reported) |`);
    L.push(`| files in the context | ${c.bytes.course.files} | ${c.bytes.expert.files} | ${c.bytes.r2d.files} + ${c.bytes.r2d.generated.length} generated: ${c.bytes.r2d.generated.join(", ")} |`);
    L.push(`| cold build, median | ${fmtMs(c.cold.course.medianMs)} | ${fmtMs(c.cold.expert.medianMs)} | ${fmtMs(c.cold.r2d.medianMs)} |`);
    L.push(`| cold build, range | ${c.cold.course.rangeMs.map(fmtMs).join("–")} | ${c.cold.expert.rangeMs.map(fmtMs).join("–")} | ${c.cold.r2d.rangeMs.map(fmtMs).join("–")} |`, "");
    L.push(`- r2d's context = the expert's files + r2d's generated files: ${verdict(c.sameFilesAsExpert)}${c.sameFilesAsExpert ? "" : ` (missing: ${c.missingFromR2d.join(", ") || "none"}; extra: ${c.extraInR2d.join(", ") || "none"})`}`);
    L.push(`- cold build r2d / expert: ${fmtRatio(c.ratios.r2dOverExpert.ofMedians)} (paired runs: median ${fmtRatio(c.ratios.r2dOverExpert.pairedMedian)}); target ≤ 1.0×: ${verdict(c.ratios.r2dOverExpert.ofMedians <= 1.0)}`);
    L.push(`- cold build course / r2d: ${fmtRatio(c.ratios.courseOverR2d.ofMedians)} (paired: ${fmtRatio(c.ratios.courseOverR2d.pairedMedian)}); target ≥ 4×: ${verdict(c.ratios.courseOverR2d.ofMedians >= 4)}`, "");
    L.push("Build steps of the last cold run (BuildKit's own step times):", "");
    for (const v of VARIANTS) L.push(`- ${v}: ${c.cold[v].runs.at(-1).steps.map((st) => `${st.name} ${fmtMs(st.ms)}`).join("; ")}`);
    L.push("");
  }
  if (R.rebuild) {
    const b = R.rebuild;
    L.push("### 2. Rebuild after a one-line code change (whole process: `docker build` / the r2d CLI)", "");
    L.push("| | course recipe | expert | r2d |", "|---|---|---|---|");
    L.push(`| rebuild, median | ${fmtMs(b.course.medianMs)} | ${fmtMs(b.expert.medianMs)} | ${fmtMs(b.r2d.medianMs)} |`);
    L.push(`| rebuild, range | ${b.course.rangeMs.map(fmtMs).join("–")} | ${b.expert.rangeMs.map(fmtMs).join("–")} | ${b.r2d.rangeMs.map(fmtMs).join("–")} |`, "");
    L.push(`- r2d − expert: ${fmtMs(b.r2dMinusExpertMs.ofMedians)} (paired: ${fmtMs(b.r2dMinusExpertMs.pairedMedian)}); target ≤ 0.2 s: ${verdict(b.r2dMinusExpertMs.ofMedians <= 200)} (the build itself, inside r2d: ${fmtMs(b.r2dBuildOnlyMedianMs)})`);
    L.push(`- course / r2d: ${fmtRatio(b.ratios.courseOverR2d.ofMedians)} (paired: ${fmtRatio(b.ratios.courseOverR2d.pairedMedian)}); target ≥ 15×: ${verdict(b.ratios.courseOverR2d.ofMedians >= 15)}`);
    L.push(`- where r2d's rebuild goes (medians, ms): ${Object.entries(b.r2dTimelineMedianMs).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")}`);
    if (b.dockerProcesses) {
      const d = b.dockerProcesses;
      const kept = d.keptProbe.count > 0 ? ` (\`${d.keptProbe.commands.join("`; `")}\`)` : " (the build goes to the daemon's API)";
      L.push(`- docker processes one rebuild starts (r2d --debug): ${d.keptProbe.count} with the engine probe's kept answer${kept}, ${d.firstRun.count} on a first run`);
    }
    L.push("");
  }
  if (R.size) {
    const s = R.size;
    L.push("### 3. Image size", "");
    L.push("| | course recipe | expert | r2d |", "|---|---|---|---|");
    L.push(`| total | ${fmtBytes(s.course.total)} | ${fmtBytes(s.expert.total)} | ${fmtBytes(s.r2d.total)} |`);
    for (const part of ["base", "deps", "code"]) {
      const label = { base: "base image", deps: "setup + dependencies", code: "code (course: + data/ and .git)" }[part];
      L.push(`| ${label} | ${fmtBytes(s.course.parts[part])} | ${fmtBytes(s.expert.parts[part])} | ${fmtBytes(s.r2d.parts[part])} |`);
    }
    L.push(`| image runs | ${s.course.runs ? "yes" : "NO"} | ${s.expert.runs ? "yes" : "NO"} | ${s.r2d.runs ? "yes" : "NO"} |`, "");
    L.push(`- r2d / expert: ${fmtRatio(s.r2dOverExpert)}; target ≤ 0.92×: ${verdict(s.r2dOverExpert <= 0.92)}`);
    L.push(`- course / r2d: ${fmtRatio(s.courseOverR2d)}`, "");
    L.push("<details><summary>layers above the base image</summary>", "");
    for (const v of VARIANTS) {
      L.push(`${v}:`, "");
      for (const l of s[v].layers) L.push(`- ${fmtBytes(l.size)} [${l.part}] \`${l.createdBy.replace(/`/g, "'")}\``);
      L.push("");
    }
    L.push("</details>", "");
  }
  if (R.plan) {
    const p = R.plan;
    L.push("### 4. Planning on big repositories (detect + plan + render + select context; fresh process each)", "");
    L.push("| data files | planning, median | range | of which select | process wall (node start → exit, incl. tar) | context sent | peak RSS |", "|---|---|---|---|---|---|---|");
    for (const r of p.rows) {
      L.push(`| ${r.files ? r.files.toLocaleString("en") : "tiny (none)"} | ${fmtMs(r.planningMs)} | ${r.planningRangeMs.map(fmtMs).join("–")} | ${fmtMs(r.selectMs)} | ${fmtMs(r.processMs)} | ${r.context.fileCount} files, ${fmtBytes(r.tarBytes)} tar | ${r.maxRssMiB.toFixed(0)} MiB |`);
    }
    L.push("", `- flat (${p.flatRule}): ${verdict(p.flat)}`);
    if (p.walkAll) {
      L.push(`- reference, nothing excluded (every file walked and sent): ${p.walkAll.map((w) => `${w.files.toLocaleString("en")} files: select ${fmtMs(w.selectMs)}, ${fmtBytes(w.tarBytes)} tar, RSS ${w.maxRssMiB.toFixed(0)} MiB`).join("; ")}`);
    }
    L.push("");
  }
  if (R.memory) {
    L.push("### 5. Memory: r2d's own peak RSS (the CLI building the repository, docker client not counted)", "");
    L.push("| repository | r2d CLI build, median | peak RSS |", "|---|---|---|");
    for (const [files, x] of Object.entries(R.memory)) L.push(`| ${Number(files) ? `${Number(files).toLocaleString("en")} data files` : "tiny"} | ${fmtMs(x.processMs)} | ${x.maxRssMiB.toFixed(0)} MiB |`);
    L.push("");
  }
  if (R.startup) L.push(...startupMarkdown(R.startup));
  if (R.stacks) L.push(...stacksMarkdown(R.stacks));
  L.push(...verdictsMarkdown(R));
  return `${L.join("\n")}\n`;
}

function startupMarkdown(st) {
  const L = ["### 6. Start-up: `r2d REPO --no-build --json` beside `node -e 0` (interleaved, the same node)", ""];
  L.push(`${st.rounds} rounds; ${st.timedWith}.`, "");
  L.push("| process | median | range | over node (paired median) | CPU, median | CPU over node | peak RSS |", "|---|---|---|---|---|---|---|");
  for (const r of st.rows) {
    L.push(`| ${r.label} | ${fmtMs(r.medianMs)} | ${r.rangeMs.map(fmtMs).join("–")} | ${r.key === "node" ? "—" : `+${fmtMs(r.overNodeMs)}`} | ${fmtMs(r.cpuMs)} | ${r.key === "node" ? "—" : `+${fmtMs(r.overNodeCpuMs)}`} | ${Number.isFinite(r.maxRssMiB) ? `${r.maxRssMiB.toFixed(0)} MiB` : "n/a"} |`);
  }
  L.push("", `- r2d on the tiny repository − node: ${fmtMs(st.overNodeMs)}; target ≤ 60 ms: ${verdict(st.met)}`, `- flat up to the biggest repository (${st.flatRule}): ${verdict(st.flat)}`, "");
  return L;
}

function stacksMarkdown(st) {
  const L = ["### 7. Other stacks (r2d's whole process; cold = build cache emptied first)", ""];
  L.push("| repository | cold build, median | range | rebuild, median | range | image |", "|---|---|---|---|---|---|");
  for (const [name, x] of Object.entries(st)) {
    if (x.notRun) L.push(`| ${name}: ${x.repository} | not run | | | | planning (--no-build): ${fmtMs(x.planMedianMs)} |`);
    else L.push(`| ${name}: ${x.repository} | ${fmtMs(x.cold.medianMs)} | ${x.cold.rangeMs.map(fmtMs).join("–")} | ${fmtMs(x.rebuild.medianMs)} | ${x.rebuild.rangeMs.map(fmtMs).join("–")} | ${fmtBytes(x.imageSize)} |`);
  }
  for (const [name, x] of Object.entries(st)) if (x.notRun) L.push("", `- ${name}: not built on this machine: ${x.notRun}.`);
  L.push("");
  return L;
}

// ------------------------------------------------------------------------------------ run
let failed = false;
try {
  await main();
} catch (err) {
  failed = true;
  log(`FAILED: ${err.stack ?? err}`);
} finally {
  if (engine?.own && !opt.keep) {
    await engine.coldReset("r2d-bench/").catch(() => {});
    await stopPrivateEngine(engine);
  }
  if (!opt.keep) {
    log(`removing ${WORK} (keep it with --keep)`);
    const r = await run("rm", ["-rf", "--one-file-system", WORK]);
    if (r.code !== 0) log(`could not remove all of ${WORK}: ${r.stderr.trim().split("\n")[0]}`);
  } else {
    log(`kept ${WORK}${engine?.own ? ` (the benchmark's dockerd is still running: ${engine.host})` : ""}`);
  }
}
process.exit(failed ? 1 : 0);
