import { use } from "../detect/found.js";
import { parseRenvLock, type RenvLock } from "../detect/renv-lock.js";
import type { RepoFacts } from "../detect/types.js";
import { R_RELEASES, R_VERSIONS } from "../detect/versions.js";
import { ConfigError } from "../errors.js";
import { HELPER_DIR } from "../plan/layout.js";
import { configFile, DESCRIPTION, PYPROJECT_TOML, REQUIREMENTS_TXT, RUNTIME_TXT, SETUP_PY } from "./files.js";
import { pythonInstalls } from "./python.js";
import { DEFAULT_R, HELPER_SCRIPT, R_LIBS, rFromDistribution, rStep } from "./r.js";
import { CRAN_MIRROR, PIP_CONF } from "./secrets.js";
import { APT_CACHE, APT_LISTS_CACHE, ensurePython, PIP_CACHE, venv, VENV } from "./shared.js";
import type { Buildpack, Contribution, PackContext } from "./types.js";

export const RENV_LOCK = configFile({ key: "renvLock", names: ["renv.lock"], where: "config", parse: parseRenvLock });
const FILES = [RENV_LOCK, RUNTIME_TXT] as const;
/** The generated install list's name in the context and in the image's helper folder. */
export const LOCKED_R_PACKAGES = "locked-r-packages.tsv";

const LOCK_WINS = "renv.lock is used: it pins every R package";

/** The R release: the more precise of runtime.txt's and the lock's R.Version (the two must agree), else r2d's default. */
function lockR(facts: RepoFacts, lock: RenvLock, file: string): string {
  const runtime = facts.files.runtime?.data;
  const wanted = runtime?.name === "r" ? runtime.version : null;
  const locked = lock.rVersion;
  const within = (a: string, b: string) => a === b || a.startsWith(`${b}.`);
  if (wanted && locked && !within(locked, wanted) && !within(wanted, locked)) {
    throw new ConfigError(`runtime.txt asks for R ${wanted} but ${file} was made with R ${locked}`, { location: { file: facts.files.runtime!.path }, hint: "make the two agree, or drop the version from runtime.txt" });
  }
  const precise = wanted && locked ? (wanted.length > locked.length ? wanted : locked) : (wanted ?? locked);
  const version = precise ? (R_VERSIONS[precise] ?? precise) : DEFAULT_R;
  if (!R_RELEASES.includes(version)) throw new ConfigError(`R ${version} is not an R release r2d can provide`, { location: { file: precise === wanted ? facts.files.runtime!.path : file }, hint: `use one of ${R_RELEASES[0]} to ${R_RELEASES.at(-1)}` });
  return version;
}

/** requirements.txt and a Python package beside the lock: into a venv, as the R pack does. */
function pythonBeside(ctx: PackContext): Pick<Contribution, "env" | "path" | "environmentSteps" | "systemSteps" | "dependencyFiles" | "preAssembleSteps" | "assembleSteps" | "used"> & { python: string | null } {
  const py = pythonInstalls(ctx);
  if (!py.pre.length && !py.post.length) return { python: null, used: [] };
  const v = venv(ctx);
  return { python: "3", env: v.env, path: v.path, environmentSteps: v.steps, systemSteps: [ensurePython], dependencyFiles: py.files, preAssembleSteps: py.pre, assembleSteps: py.post, used: py.used };
}

/** The list the R helper installs, one validated package a line, in install order. */
export function lockedList(lock: RenvLock): string {
  const urls = new Map(lock.repositories.map((r) => [r.name, r.url]));
  return lock.packages.map((p) => `${p.name}\t${p.version}\t${p.repository}\t${urls.get(p.repository)}\n`).join("");
}

/**
 * renv.lock (what `r2d freeze` writes for R; repo2docker does not read it): each package at exactly
 * its version from its CRAN-like repository (src/contrib, else src/contrib/Archive), in dependency
 * order, into the user's R library. It comes before the R pack: the lock wins over install.R.
 */
export const renv: Buildpack<"renv", typeof FILES> = {
  name: "renv",
  kind: "generated",
  gpu: true,
  files: FILES,
  // R repositories may carry Python files too (installed into a venv, as by the R pack).
  alsoReads: [DESCRIPTION, REQUIREMENTS_TXT, SETUP_PY, PYPROJECT_TOML],
  ignores: { installR: LOCK_WINS, requirementsR: LOCK_WINS, environment: "renv.lock is used: its R comes from a rocker image, not a conda environment" },
  caches: [APT_CACHE, APT_LISTS_CACHE, PIP_CACHE],
  secrets: [CRAN_MIRROR, PIP_CONF],
  envDirs: [R_LIBS, VENV],
  builderStage: false,
  detect(facts) {
    const runtime = facts.files.runtime?.data;
    return Boolean(facts.files.renvLock) && !(runtime && runtime.name !== "r");
  },
  contribute(ctx) {
    const found = ctx.facts.files.renvLock!;
    const lock = use(found);
    const version = lockR(ctx.facts, lock, found.path);
    const n = lock.packages.length;
    const used: Contribution["used"] = [{ key: "renvLock", use: `${n} R packages at their locked versions, from ${lock.repositories.map((r) => r.name).join(", ") || "no repository"}` }];
    if (ctx.facts.files.runtime) used.unshift({ key: "runtime", use: `R ${version}` });
    const description = ctx.facts.files.description;
    if (description) used.push({ key: "description", use: `R package ${use(description).package}: R CMD INSTALL after the locked packages` });
    const py = pythonBeside(ctx);
    return {
      baseImage: `rocker/r-ver:${version}`,
      r: version,
      python: py.python,
      env: { R_LIBS_USER: R_LIBS, ...py.env },
      path: py.path ?? [],
      systemSteps: [rFromDistribution(), ...(py.systemSteps ?? [])],
      environmentSteps: py.environmentSteps ?? [],
      helperFiles: [HELPER_SCRIPT],
      pinnedFiles: [{ name: LOCKED_R_PACKAGES, content: lockedList(lock) }],
      dependencyFiles: py.dependencyFiles ?? [],
      preAssembleSteps: [...(n ? [rStep(`${n} R packages pinned in ${found.path} (exact versions)`, "", ["locked", `${HELPER_DIR}/${LOCKED_R_PACKAGES}`])] : []), ...(py.preAssembleSteps ?? [])],
      assembleSteps: [...(description ? [rStep("the repository as an R package (DESCRIPTION)", "", ["description", "."])] : []), ...(py.assembleSteps ?? [])],
      used: [...used, ...py.used],
      messages: [{ level: "info", text: `R ${version}; ${n} packages from ${found.path}, each at its locked version (--cran-mirror replaces the repository named CRAN)` }],
    };
  },
};
