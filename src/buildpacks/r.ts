import { use } from "../detect/found.js";
import { parseRequirementsR } from "../detect/requirements-r.js";
import type { RepoFacts } from "../detect/types.js";
import { R_VERSIONS } from "../detect/versions.js";
import { helperPath } from "../plan/layout.js";
import type { Step } from "../plan/types.js";
import { shellCommand, shellQuote } from "../shell.js";
import { CONDA_DIR, CONDA_PKGS_CACHE, condaEnv, condaEnvironment } from "./conda.js";
import { configFile, DESCRIPTION, ENVIRONMENT_YML, INSTALL_R, PYPROJECT_TOML, REQUIREMENTS_TXT, RUNTIME_TXT, SETUP_PY } from "./files.js";
import { pythonInstalls } from "./python.js";
import { CRAN_MIRROR, PIP_CONF } from "./secrets.js";
import { APT_CACHE, APT_LISTS_CACHE, aptCaches, cd, dirOf, ensurePython, PIP_CACHE, venv, VENV } from "./shared.js";
import type { Buildpack, Contribution, PackContext } from "./types.js";

export const DEFAULT_R = "4.4.2";
export const R_LIBS = "/srv/rlibs";
const HELPER_SCRIPT = "install-r-packages.R";
const HELPER = helperPath(HELPER_SCRIPT);

/** Synapse's R templates: an R script with a `pkg_list` of CRAN packages (r2d's extension). */
const REQUIREMENTS_R = configFile({ key: "requirementsR", names: ["requirements.R"], where: "config", parse: parseRequirementsR });
const FILES = [RUNTIME_TXT, DESCRIPTION, INSTALL_R, REQUIREMENTS_R] as const;

/** Dated `r-` runtime.txt, a root DESCRIPTION, or a Synapse-style requirements.R (r2d's extension). */
function selectsR(facts: RepoFacts): boolean {
  const runtime = facts.files.runtime?.data;
  if (runtime?.name === "r" && runtime.date) return true;
  return Boolean(facts.files.description || facts.files.requirementsR);
}

function rVersion(facts: RepoFacts): { version: string; date: string | null } {
  const runtime = facts.files.runtime?.data;
  const wanted = runtime?.name === "r" ? runtime.version : null;
  const version = wanted ? (R_VERSIONS[wanted] ?? wanted) : DEFAULT_R;
  return { version, date: runtime?.name === "r" ? runtime.date : null };
}

/**
 * CRAN as of the runtime.txt date (Posit's snapshots, as repo2docker); otherwise "" keeps the base
 * image's own repository (rocker images point at Posit's Linux binaries, far faster than building
 * from source), falling back to the cloud mirror in the helper when the image sets none.
 */
function defaultCran(date: string | null): string {
  return date ? `https://packagemanager.posit.co/cran/${date}` : "";
}

/** The helper script in one of its modes; the CRAN mirror comes from the build secret, else `cran`. */
function rStep(ctx: PackContext, title: string, cran: string, args: readonly string[], cwd = ctx.repoDir): Step {
  const fallback = cran ? `echo ${shellQuote(cran)}` : "true";
  return {
    title,
    user: "user",
    commands: [...(cwd === ctx.repoDir ? [] : [cd(cwd)]), `R2D_CRAN="$(cat /run/secrets/${CRAN_MIRROR.id} 2>/dev/null || ${fallback})" ${shellCommand(["Rscript", HELPER, ...args])}`],
  secrets: [CRAN_MIRROR.id],
  };
}

/** R from the distribution or a rocker image, packages from a CRAN snapshot into a user-owned library. */
export const r: Buildpack<"r", typeof FILES> = {
  name: "r",
  kind: "generated",
  files: FILES,
  // R repositories may carry conda and Python files too (repo2docker's R pack is a Python pack underneath).
  alsoReads: [ENVIRONMENT_YML, REQUIREMENTS_TXT, SETUP_PY, PYPROJECT_TOML],
  caches: [APT_CACHE, APT_LISTS_CACHE, PIP_CACHE, CONDA_PKGS_CACHE],
  secrets: [PIP_CONF, CRAN_MIRROR],
  envDirs: [R_LIBS, VENV, CONDA_DIR],
  detect: selectsR,
  contribute(ctx) {
    const { version, date } = rVersion(ctx.facts);
    const cran = defaultCran(date);
    const acc: Installs = { files: [], pre: [], post: [], used: [], env: { R_LIBS_USER: R_LIBS }, path: [], environmentSteps: [], python: null };
    if (ctx.facts.files.runtime?.data?.name === "r") acc.used.push({ key: "runtime", use: `R ${version}${date ? `, CRAN as of ${date}` : ""}` });
    const withPython = addPython(ctx, acc);
    addRPackages(ctx, cran, acc);
    const { files, pre, post, used, env, path, environmentSteps, python } = acc;
    return {
      baseImage: `rocker/r-ver:${version}`,
      python,
      r: version,
      env,
      path,
      systemSteps: [
        {
          title: "R (installed from the distribution only when the base image lacks it)",
          user: "root",
          commands: ["if ! command -v Rscript >/dev/null; then apt-get update -q && apt-get install -y -q --no-install-recommends r-base-core; fi"],
          caches: aptCaches(),
        },
        ...(withPython ? [ensurePython] : []),
      ],
      environmentSteps,
      helperFiles: [HELPER_SCRIPT],
      dependencyFiles: files,
      preAssembleSteps: pre,
      assembleSteps: post,
      used,
      messages: [{ level: "info", text: `R ${version}; packages from ${cran || "the base image's CRAN repository"} unless --cran-mirror is given` }],
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
}

/** An environment.yml and Python installs beside R (repo2docker's R pack is a Python pack underneath); true when a venv is needed. */
function addPython(ctx: PackContext, acc: Installs): boolean {
  const environment = ctx.facts.files.environment;
  if (environment) {
    const conda = condaEnvironment(ctx);
    Object.assign(acc.env, condaEnv);
    acc.path.push(conda.path);
    acc.python = conda.python;
    (conda.deferred ? acc.post : acc.pre).push(conda.step);
    if (!conda.deferred) acc.files.push(environment.path);
    acc.used.push({ key: "environment", use: "micromamba create (needs micromamba in the base image)" });
  }
  const py = pythonInstalls(ctx);
  if (!py.pre.length && !py.post.length) return false;
  const v = venv(ctx);
  Object.assign(acc.env, v.env);
  acc.path.push(...v.path);
  acc.environmentSteps.push(...v.steps);
  acc.files.push(...py.files);
  acc.pre.push(...py.pre);
  acc.post.push(...py.post);
  acc.used.push(...py.used);
  acc.python = acc.python ?? "3";
  return true;
}

/** requirements.R, install.R and DESCRIPTION, through r2d's helper script. */
function addRPackages(ctx: PackContext, cran: string, acc: Installs): void {
  const { facts } = ctx;
  const reqR = facts.files.requirementsR;
  if (reqR) {
    const pkgs = use(reqR).packages;
    acc.files.push(reqR.path);
    if (pkgs && pkgs.length) {
      acc.pre.push(rStep(ctx, `R packages from ${reqR.path} (pkg_list)`, cran, ["packages", ...pkgs]));
      acc.used.push({ key: "requirementsR", use: `install.packages(${pkgs.join(", ")}) from the CRAN mirror` });
    } else {
      acc.pre.push(rStep(ctx, `${reqR.path} (run as an R script)`, cran, ["script", reqR.path.split("/").pop()!], dirOf(ctx.repoDir, reqR.path)));
      acc.used.push({ key: "requirementsR", use: "Rscript (no pkg_list found, so the script runs as written)" });
    }
  }
  if (facts.files.installR) {
    const p = facts.files.installR.path;
    acc.files.push(p);
    acc.pre.push(rStep(ctx, `${p} (run as an R script)`, cran, ["script", p.split("/").pop()!], dirOf(ctx.repoDir, p)));
    acc.used.push({ key: "installR", use: "Rscript, before the code is copied" });
  }
  if (facts.files.description) {
    acc.post.push(rStep(ctx, "the repository as an R package (DESCRIPTION)", cran, ["description", "."]));
    acc.used.push({ key: "description", use: `R package ${use(facts.files.description).package}: dependencies, then R CMD INSTALL` });
  }
}
