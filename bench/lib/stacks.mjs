// The other stacks: an R repository (against the local CRAN-like repository) and a conda-style one,
// cold build and code-only rebuild, r2d's whole process timed. The conda build needs micromamba's
// base image and a conda channel: where the machine has neither (no Docker Hub, no internet), the
// scenario says so and measures what it can (r2d's planning of that repository).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fmtMs, log, median, minmax, run } from "./util.mjs";

const CONDA_BASE = "mambaorg/micromamba:1.5.10-bookworm-slim";

/** A Synapse-style R repository: requirements.R's pkg_list (a package with a dependency), main.R, run.sh. */
const R_REPO = (pkg, fn) => ({
  "requirements.R": `pkg_list <- c("${pkg}")\ninstall.packages(pkg_list, repos = "http://cran.us.r-project.org")\n`,
  "main.R": `library(${pkg})\nSTEP <- 0\ncat(${fn}("benchmark"), STEP, "\\n")\n`,
  "run.sh": "#!/bin/bash\nexec Rscript main.R\n",
});

const CONDA_REPO = {
  "environment.yml": "name: bench\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip\n",
  "main.py": "STEP = 0\nprint('conda benchmark', STEP)\n",
  "run.sh": "#!/bin/bash\nexec python main.py\n",
};

function writeRepo(dir, files) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) writeFileSync(path.join(dir, rel), text, { mode: rel.endsWith(".sh") ? 0o755 : 0o644 });
}

/** The one-line change of the rebuild: `STEP` in main.R or main.py. */
function changeStep(dir, file, n) {
  const f = path.join(dir, file);
  writeFileSync(f, readFileSync(f, "utf8").replace(/^STEP( <-| =) \d+$/m, `STEP$1 ${n}`));
}

async function r2dBuild(ctx, repo, args) {
  const load = os.loadavg().map((x) => Number(x.toFixed(2)));
  const r = await run(process.execPath, [ctx.cli, repo, "--no-run", "--json", ...args], { env: ctx.env, timeoutMs: 30 * 60_000 });
  const result = r.stdout.split("\n").map((l) => { try { return JSON.parse(l); } catch { return {}; } }).find((e) => e.event === "result");
  if (r.code !== 0 || !result) throw new Error(`r2d build of ${repo} failed (exit ${r.code}): ${(r.stderr + r.stdout).split("\n").slice(-20).join("\n")}`);
  return { ms: r.ms, buildMs: result.build?.durationMs, imageSize: result.imageSize, load };
}

/** Cold builds (build cache emptied first) and rebuilds after a one-line change, interleaved per stack. */
async function coldAndRebuild(ctx, repo, file, args, runs) {
  const cold = [];
  for (let i = 0; i < runs.cold; i++) {
    await ctx.engine.coldReset("r2d-bench/");
    cold.push(await r2dBuild(ctx, repo, args));
  }
  const rebuild = [];
  for (let i = 0; i < runs.rebuild; i++) {
    changeStep(repo, file, i + 1);
    rebuild.push(await r2dBuild(ctx, repo, args));
  }
  const fig = (xs) => ({ medianMs: median(xs.map((x) => x.ms)), rangeMs: minmax(xs.map((x) => x.ms)), runs: xs });
  return { cold: fig(cold), rebuild: fig(rebuild), imageSize: cold.at(-1)?.imageSize };
}

/** Why the conda build cannot run here (undefined: it can). */
async function condaBlocker(ctx) {
  if (!(await ctx.engine.imageId(CONDA_BASE)) && !(await ctx.shared.imageId(CONDA_BASE))) {
    return `the base image ${CONDA_BASE} is not on this machine and Docker Hub is not reachable from it`;
  }
  try {
    const res = await fetch("https://conda.anaconda.org/conda-forge/noarch/repodata.json", { method: "HEAD", signal: AbortSignal.timeout(5000) });
    if (!res.ok) return `the conda-forge channel answered ${res.status}`;
  } catch (err) {
    return `the conda-forge channel is not reachable (${err.cause?.code ?? err.message})`;
  }
  return undefined;
}

export async function scenarioStacks(ctx) {
  log("== 7. other stacks: R and conda-style repositories");
  const out = {};
  const rRepo = path.join(ctx.work, "stacks", "r");
  writeRepo(rRepo, R_REPO(ctx.infra.R2D_TEST_R_PKG_WITH_DEP, "r2d_greet"));
  const rArgs = ["--base-image", ctx.infra.R2D_TEST_BASE_R, "--cran-mirror", ctx.infra.R2D_TEST_CRAN, "--build-network", "host", "--image-name", "r2d-bench/r:latest"];
  out.r = { repository: `requirements.R (pkg_list: ${ctx.infra.R2D_TEST_R_PKG_WITH_DEP}, which imports ${ctx.infra.R2D_TEST_R_PKG}; from the local CRAN-like repository), main.R, run.sh`, ...(await coldAndRebuild(ctx, rRepo, "main.R", rArgs, ctx.runs)) };
  log(`  R: cold ${fmtMs(out.r.cold.medianMs)}, rebuild ${fmtMs(out.r.rebuild.medianMs)}`);

  const condaRepo = path.join(ctx.work, "stacks", "conda");
  writeRepo(condaRepo, CONDA_REPO);
  const blocker = await condaBlocker(ctx);
  const plans = [];
  for (let i = 0; i < ctx.runs.rebuild; i++) {
    const r = await run(process.execPath, [ctx.cli, condaRepo, "--no-build", "--json"], { env: ctx.env });
    if (r.code !== 0) throw new Error(`r2d --no-build of the conda repository failed: ${r.stderr}`);
    plans.push(r.ms);
  }
  out.conda = { repository: "environment.yml (python=3.11, pip; conda-forge), main.py, run.sh", planMedianMs: median(plans), planRangeMs: minmax(plans) };
  if (blocker) {
    out.conda.notRun = blocker;
    log(`  conda: build not run (${blocker}); planning ${fmtMs(out.conda.planMedianMs)}`);
  } else {
    const args = ["--build-network", "host", "--image-name", "r2d-bench/conda:latest"];
    Object.assign(out.conda, await coldAndRebuild(ctx, condaRepo, "main.py", args, ctx.runs));
    log(`  conda: cold ${fmtMs(out.conda.cold.medianMs)}, rebuild ${fmtMs(out.conda.rebuild.medianMs)}`);
  }
  return out;
}
