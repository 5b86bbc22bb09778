import { use } from "../detect/found.js";
import { parseRequirementsR } from "../detect/requirements-r.js";
import type { RepoFacts } from "../detect/types.js";
import { R_VERSIONS } from "../detect/versions.js";
import { ConfigError } from "../errors.js";
import { helperPath } from "../plan/layout.js";
import type { Step } from "../plan/types.js";
import { shellCommand, shellQuote } from "../shell.js";
import { CONDA_BASE_IMAGE, CONDA_DIR, CONDA_ENV, CONDA_PKGS_CACHE, condaEnvironment, condaEnvVars, condaSystem } from "./conda.js";
import { configFile, DESCRIPTION, ENVIRONMENT_YML, INSTALL_R, PYPROJECT_TOML, REQUIREMENTS_TXT, RUNTIME_TXT, SETUP_PY } from "./files.js";
import { pythonInstalls } from "./python.js";
import { CRAN_MIRROR, PIP_CONF } from "./secrets.js";
import { APT_CACHE, APT_LISTS_CACHE, aptCaches, ensurePython, PIP_CACHE, venv, VENV } from "./shared.js";
import type { Buildpack, Contribution, PackContext } from "./types.js";

export const DEFAULT_R = "4.4.2";
export const R_LIBS = "/srv/rlibs";
export const HELPER_SCRIPT = "install-r-packages.R";
const HELPER = helperPath(HELPER_SCRIPT);

/** Synapse's R templates: an R script with a `pkg_list` of CRAN packages (r2d's extension). */
const REQUIREMENTS_R = configFile({ key: "requirementsR", names: ["requirements.R"], where: "config", parse: parseRequirementsR });
const FILES = [RUNTIME_TXT, DESCRIPTION, INSTALL_R, REQUIREMENTS_R] as const;

/**
 * Dated `r-` runtime.txt, a root DESCRIPTION, or a Synapse-style requirements.R (r2d's extension).
 * repo2docker's R pack reads runtime.txt whenever detection reaches it, so a runtime.txt that does
 * not parse stops the build here, whatever pack would have followed (conda, Pipfile, Python).
 */
function selectsR(facts: RepoFacts): boolean {
  const runtime = facts.files.runtime;
  if (runtime?.error) throw runtime.error;
  if (runtime?.data?.name === "r" && runtime.data.date) return true;
  return Boolean(facts.files.description || facts.files.requirementsR);
}

/** The R runtime.txt asks for: its version as written (X.Y or X.Y.Z, null for r-DATE), the release it means, the snapshot date. */
function rRuntime(facts: RepoFacts): { wanted: string | null; version: string; date: string | null } {
  const runtime = facts.files.runtime?.data;
  const wanted = runtime?.name === "r" ? runtime.version : null;
  return { wanted, version: wanted ? (R_VERSIONS[wanted] ?? wanted) : DEFAULT_R, date: runtime?.name === "r" ? runtime.date : null };
}

/**
 * CRAN as of the runtime.txt date (Posit's snapshots, as repo2docker); otherwise "" keeps the base
 * image's own repository (rocker images point at Posit's Linux binaries, far faster than building
 * from source), falling back to the cloud mirror in the helper when the image sets none.
 */
export function defaultCran(date: string | null): string {
  return date ? `https://packagemanager.posit.co/cran/${date}` : "";
}

/** The helper script in one of its modes, from the repository root; the CRAN mirror comes from the build secret, else `cran`. */
export function rStep(title: string, cran: string, args: readonly string[]): Step {
  return { title, user: "user", commands: [rCommand(cran, args)], secrets: [CRAN_MIRROR.id] };
}

function rCommand(cran: string, args: readonly string[]): string {
  const fallback = cran ? `echo ${shellQuote(cran)}` : "true";
  return `R2D_CRAN="$(cat /run/secrets/${CRAN_MIRROR.id} 2>/dev/null || ${fallback})" ${shellCommand(["Rscript", HELPER, ...args])}`;
}

/**
 * An R script (install.R) as repo2docker runs it: tried before the code is copied, so its packages
 * stay cached across code changes; run again after the copy only when that failed (it may
 * `source()` files of the repository).
 */
function rScriptSteps(file: string, cran: string): { pre: Step; post: Step } {
  // One install.R per repository, so one fixed marker (nothing of the path in it).
  const marker = "/tmp/r2d-install.R-done";
  const run = rCommand(cran, ["script", file]);
  // The message names no path: a path is only ever a quoted argument of its own.
  const again = "r2d: install.R failed before the code was copied; it runs again after the copy";
  return {
    pre: { ...rStep(`${file} (run as an R script, before the code is copied)`, cran, []), commands: [`{ ${run} && touch ${marker}; } || echo ${shellQuote(again)} >&2`] },
    post: { ...rStep(`${file} again, with the code, if it failed before`, cran, []), commands: [`if [ -e ${marker} ]; then rm -f ${marker}; else ${run}; fi`] },
  };
}

/** R from the distribution, a rocker image or the conda environment; packages from a CRAN snapshot into a user-owned library. */
export const r: Buildpack<"r", typeof FILES> = {
  name: "r",
  kind: "generated",
  gpu: true,
  files: FILES,
  // R repositories may carry conda and Python files too (repo2docker's R pack is a Python pack underneath).
  alsoReads: [ENVIRONMENT_YML, REQUIREMENTS_TXT, SETUP_PY, PYPROJECT_TOML],
  caches: [APT_CACHE, APT_LISTS_CACHE, PIP_CACHE, CONDA_PKGS_CACHE],
  secrets: [PIP_CONF, CRAN_MIRROR],
  envDirs: [R_LIBS, VENV, CONDA_DIR],
  // One stage: install.R is any R script, and what it writes outside the R library (the home, the
  // repository) must reach the image, as in repo2docker. rocker's R images carry their compilers.
  builderStage: false,
  detect: selectsR,
  contribute(ctx) {
    const { date } = rRuntime(ctx.facts);
    const cran = defaultCran(date);
    const acc: Installs = { files: [], pre: [], post: [], used: [], env: { R_LIBS_USER: R_LIBS }, path: [], environmentSteps: [], python: null, deferred: false };
    const image = ctx.facts.files.environment ? rInConda(ctx, acc) : rFromImage(ctx, acc);
    addRPackages(ctx, cran, acc);
    if (acc.deferred) deferAll(acc);
    const { files, pre, post, used, env, path, environmentSteps, python } = acc;
    return {
      ...image,
      python,
      env,
      path,
      environmentSteps,
      helperFiles: [HELPER_SCRIPT, ...(image.helperFiles ?? [])],
      dependencyFiles: files,
      preAssembleSteps: pre,
      assembleSteps: post,
      used,
      messages: [{ level: "info", text: `R ${image.r}${image.baseImage === CONDA_BASE_IMAGE ? " in the conda environment" : ""}; packages from ${cran || "the base image's CRAN repository"} unless --cran-mirror is given` }],
    };
  },
};

/** What the R pack gathers from its files, in the plan's order. */
interface Installs {
  files: string[];
  pre: Step[];
  post: Step[];
  used: Contribution["used"];
  env: Record<string, string>;
  path: string[];
  environmentSteps: Step[];
  python: string | null;
  /** The conda environment (with R and pip) is made only after the code is copied. */
  deferred?: boolean;
}

/** After a deferred conda environment, everything that needs its R or pip waits for it too. */
function deferAll(acc: Installs): void {
  const [create, ...rest] = acc.post;
  acc.post = [create!, ...acc.pre, ...rest];
  acc.pre = [];
  acc.files = [];
}

/** R from Debian only when the base image lacks it (a rocker image has it). */
export function rFromDistribution(): Step {
  return {
    title: "R (installed from the distribution only when the base image lacks it)",
    user: "root",
    commands: ["if ! command -v Rscript >/dev/null; then apt-get update -q && apt-get install -y -q --no-install-recommends r-base-core; fi"],
    caches: aptCaches(),
  };
}

type ImagePart = Pick<Contribution, "baseImage" | "r" | "systemSteps" | "helperFiles">;

/** R from the base image (rocker/r-ver), else Debian's r-base-core; requirements.txt into a venv. */
function rFromImage(ctx: PackContext, acc: Installs): ImagePart {
  const { version, date } = rRuntime(ctx.facts);
  if (ctx.facts.files.runtime?.data?.name === "r") acc.used.push({ key: "runtime", use: `R ${version}${date ? `, CRAN as of ${date}` : ""}` });
  const py = pythonInstalls(ctx);
  const withPython = py.pre.length > 0 || py.post.length > 0;
  if (withPython) {
    const v = venv(ctx);
    Object.assign(acc.env, v.env);
    acc.path.push(...v.path);
    acc.environmentSteps.push(...v.steps);
    addInstalls(acc, py);
    acc.python = "3";
  }
  return {
    baseImage: `rocker/r-ver:${version}`,
    r: version,
    systemSteps: [
      rFromDistribution(),
      ...(withPython ? [ensurePython] : []),
    ],
  };
}

/**
 * runtime.txt's R inside the conda environment of environment.yml (repo2docker adds `r-base=X.Y.Z`
 * to it), on the micromamba image; install.R and DESCRIPTION then run with that R, and
 * requirements.txt goes to the environment's pip.
 */
function rInConda(ctx: PackContext, acc: Installs): ImagePart {
  const environment = ctx.facts.files.environment!;
  const pin = use(environment).rBase;
  const { wanted, version, date } = rRuntime(ctx.facts);
  if (pin && wanted && !(pin === wanted || pin.startsWith(`${wanted}.`) || wanted.startsWith(`${pin}.`))) {
    throw new ConfigError(`runtime.txt asks for R ${wanted} but ${environment.path} pins r-base=${pin}`, {
      location: { file: ctx.facts.files.runtime!.path },
      hint: `make the two agree (for example r-${pin}-${date ?? "YYYY-MM-DD"}), or drop the r-base pin`,
    });
  }
  // The most precise of the two wins: the pin alone when runtime.txt says no more than it does.
  const rSpec = pin && (!wanted || wanted.split(".").length <= pin.split(".").length) ? null : wanted ? version : DEFAULT_R;
  const r = rSpec ?? pin!;
  if (ctx.facts.files.runtime?.data?.name === "r") acc.used.push({ key: "runtime", use: `R ${r} in the conda environment${date ? `, CRAN as of ${date}` : ""}` });
  const py = pythonInstalls(ctx, `${CONDA_ENV}/bin/pip`);
  const needsPip = py.pre.length > 0 || py.post.length > 0;
  const conda = condaEnvironment(ctx, [...(rSpec ? [`r-base=${rSpec}`] : []), ...(needsPip ? ["pip"] : [])]);
  Object.assign(acc.env, condaEnvVars());
  acc.path.push(conda.path);
  acc.python = conda.python;
  (conda.deferred ? acc.post : acc.pre).push(conda.step);
  acc.deferred = conda.deferred;
  if (!conda.deferred) acc.files.push(environment.path);
  acc.used.push({ key: "environment", use: `micromamba create, with r-base=${r}${needsPip ? " and pip" : ""}` });
  addInstalls(acc, py);
  const system = condaSystem("the conda environment with R (environment.yml)");
  return { baseImage: CONDA_BASE_IMAGE, r, systemSteps: system.steps, helperFiles: system.helperFiles };
}

function addInstalls(acc: Installs, py: ReturnType<typeof pythonInstalls>): void {
  acc.files.push(...py.files);
  acc.pre.push(...py.pre);
  acc.post.push(...py.post);
  acc.used.push(...py.used);
}

/** requirements.R, install.R and DESCRIPTION, through r2d's helper script, from the repository root. */
function addRPackages(ctx: PackContext, cran: string, acc: Installs): void {
  const { facts } = ctx;
  const reqR = facts.files.requirementsR;
  if (reqR) {
    const pkgs = use(reqR).packages;
    acc.files.push(reqR.path);
    if (pkgs && pkgs.length) {
      acc.pre.push(rStep(`R packages from ${reqR.path} (pkg_list)`, cran, ["packages", ...pkgs]));
      acc.used.push({ key: "requirementsR", use: `install.packages(${pkgs.join(", ")}) from the CRAN mirror` });
    } else {
      acc.pre.push(rStep(`${reqR.path} (run as an R script)`, cran, ["script", reqR.path]));
      acc.used.push({ key: "requirementsR", use: "Rscript (no pkg_list found, so the script runs as written)" });
    }
  }
  if (facts.files.installR) {
    const p = facts.files.installR.path;
    const steps = rScriptSteps(p, cran);
    acc.files.push(p);
    acc.pre.push(steps.pre);
    acc.post.push(steps.post);
    acc.used.push({ key: "installR", use: "Rscript before the code is copied, again after the copy if that failed (repo2docker's rule)" });
  }
  if (facts.files.description) {
    acc.post.push(rStep("the repository as an R package (DESCRIPTION)", cran, ["description", "."]));
    acc.used.push({ key: "description", use: `R package ${use(facts.files.description).package}: dependencies, then R CMD INSTALL` });
  }
}
