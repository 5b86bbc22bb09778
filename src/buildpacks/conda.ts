import { use } from "../detect/found.js";
import type { CacheMount, Step } from "../plan/types.js";
import { shellCommand, shellQuote } from "../shell.js";
import { ENVIRONMENT_YML } from "./files.js";
import { cd, DEFAULT_PYTHON, dirOf } from "./shared.js";
import type { Buildpack, CacheSpec, PackContext } from "./types.js";

/** micromamba's official image: a static solver on Debian bookworm slim, no base environment to carry. */
export const CONDA_BASE_IMAGE = "mambaorg/micromamba:1.5.10-bookworm-slim";
export const CONDA_DIR = "/srv/conda";
export const CONDA_ENV = `${CONDA_DIR}/envs/notebook`;

/** micromamba's package cache, one per image user (the prefix it fills is the user's). */
export const CONDA_PKGS_CACHE: CacheSpec = {
  name: "conda-pkgs",
  target: `${CONDA_DIR}/pkgs`,
  perUser: true,
  mount: (uid): CacheMount => ({ id: `r2d-conda-pkgs-${uid}`, target: `${CONDA_DIR}/pkgs`, uid }),
};

/** The environment file into a user-owned prefix; shared with the R pack (which honours it too). */
export function condaEnvironment(ctx: PackContext): { step: Step; deferred: boolean; python: string; path: string; hasR: boolean } {
  const found = ctx.facts.files.environment!;
  const data = use(found);
  const python = data.python ?? DEFAULT_PYTHON;
  const file = found.path.split("/").pop()!;
  const extra = [...(data.python ? [] : [`python=${python}`]), ...(data.channels.length ? [] : ["--channel", "conda-forge"])];
  return {
    step: {
      title: `conda environment from ${found.path} (micromamba)`,
      user: "user",
      commands: [
        ...(found.path.includes("/") ? [cd(dirOf(ctx.repoDir, found.path))] : []),
        // No `micromamba clean`: the package cache is a BuildKit cache mount, so it never lands in a layer.
        shellCommand(["micromamba", "create", "--yes", "--prefix", CONDA_ENV, "--file", file, ...extra]),
      ],
      caches: [CONDA_PKGS_CACHE.mount(ctx.user.uid)],
    },
    deferred: data.pipHasLocalReferences,
    python,
    path: `${CONDA_ENV}/bin`,
    hasR: data.hasR,
  };
}

export const condaEnv = {
  CONDA_DIR,
  MAMBA_ROOT_PREFIX: CONDA_DIR,
  NB_PYTHON_PREFIX: CONDA_ENV,
  CONDA_DEFAULT_ENV: CONDA_ENV,
};

const FILES = [ENVIRONMENT_YML] as const;

/** environment.yml (or .yaml) into a conda prefix owned by the user, solved by micromamba. */
export const conda: Buildpack<"conda", typeof FILES> = {
  name: "conda",
  kind: "generated",
  files: FILES,
  ignores: {
    requirements: "environment.yml is used, and conda environments ignore requirements.txt (list pip packages under `pip:` in the environment file)",
    pipfile: "environment.yml takes precedence over Pipfile",
    pipfileLock: "environment.yml takes precedence over Pipfile",
    runtime: "the conda buildpack takes the Python version from environment.yml",
  },
  caches: [CONDA_PKGS_CACHE],
  envDirs: [CONDA_DIR],
  detect: (facts) => Boolean(facts.files.environment),
  contribute(ctx) {
    const env = condaEnvironment(ctx);
    const path = ctx.facts.files.environment!.path;
    return {
      baseImage: CONDA_BASE_IMAGE,
      python: env.python,
      env: condaEnv,
      path: [env.path],
      systemSteps: [
        {
          title: "micromamba must be in the base image",
          user: "root",
          commands: [`command -v micromamba >/dev/null || { echo ${shellQuote(`r2d: the base image has no micromamba; use ${CONDA_BASE_IMAGE} or an image that has it`)} >&2; exit 1; }`],
        },
      ],
      dependencyFiles: env.deferred ? [] : [path],
      preAssembleSteps: env.deferred ? [] : [env.step],
      assembleSteps: env.deferred ? [env.step] : [],
      used: [{ key: "environment", use: `micromamba create (Python ${env.python}${env.hasR ? ", with R" : ""})` }],
      messages: ctx.facts.files.runtime ? [{ level: "warn", text: `${ctx.facts.files.runtime.path} is not read for the Python version when environment.yml is used; pin python in the environment file` }] : [],
    };
  },
};
