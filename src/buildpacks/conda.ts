import { use } from "../detect/found.js";
import type { CacheMount, Step } from "../plan/types.js";
import { shellCommand, shellQuote } from "../shell.js";
import { ENVIRONMENT_YML } from "./files.js";
import { PIP_CONF } from "./secrets.js";
import { DEFAULT_PYTHON, PIP_CACHE, PIP_ENV, pipCache } from "./shared.js";
import type { Buildpack, CacheSpec, PackContext } from "./types.js";

/** micromamba's official image: a static solver on Debian bookworm slim, no base environment to carry. */
export const CONDA_BASE_IMAGE = "mambaorg/micromamba:1.5.10-bookworm-slim";
export const CONDA_DIR = "/srv/conda";
/** The environment the code runs in (repo2docker's notebook environment). */
export const CONDA_ENV = `${CONDA_DIR}/envs/notebook`;
/** The conda platform (subdir) an image of each --platform installs. */
export const CONDA_SUBDIRS: Record<string, string> = { "linux/amd64": "linux-64", "linux/arm64": "linux-aarch64", "linux/arm64/v8": "linux-aarch64" };
/** r2d's stand-in for `conda` and `mamba` (buildpacks/scripts/), over micromamba. */
export const CONDA_SHIM = "conda-shim";

/** micromamba's package cache, one per image user (the prefix it fills is the user's). */
export const CONDA_PKGS_CACHE: CacheSpec = {
  name: "conda-pkgs",
  target: `${CONDA_DIR}/pkgs`,
  perUser: true,
  mount: (uid): CacheMount => ({ id: `r2d-conda-pkgs-${uid}`, target: `${CONDA_DIR}/pkgs`, uid }),
};

/**
 * What every image with a conda environment needs as root: micromamba in the base image (checked
 * before anything installs, and the message names --base-image), and `conda`/`mamba` commands for
 * the usual postBuild uses when the image has none (small wrappers over r2d's shim).
 */
export function condaSystem(needs: string): { steps: Step[]; helperFiles: string[] } {
  const missing = `r2d: the base image has no micromamba, which ${needs} needs: leave out --base-image, or give it an image that has micromamba (such as ${CONDA_BASE_IMAGE})`;
  const shim = `/usr/local/lib/r2d/${CONDA_SHIM}`;
  return {
    helperFiles: [CONDA_SHIM],
    steps: [
      {
        title: "micromamba must be in the base image",
        user: "root",
        check: true,
        commands: [`if ! command -v micromamba >/dev/null; then echo ${shellQuote(missing)} >&2; exit 1; fi`],
      },
      {
        title: "conda and mamba commands over micromamba, where the base image has none",
        user: "root",
        commands: [
          `for tool in conda mamba; do if ! command -v "$tool" >/dev/null; then printf '#!/bin/sh\\nexec bash ${shim} %s "$@"\\n' "$tool" > "/usr/local/bin/$tool" && chmod 755 "/usr/local/bin/$tool" || exit 1; fi; done`,
        ],
      },
    ],
  };
}

/**
 * `micromamba create` of a user-owned prefix (or `install` into it). pip runs inside it for the `pip:` list, so it gets
 * the same index settings (the optional build secret) and download cache as every pip run.
 */
export function micromambaCreate(ctx: PackContext, title: string, args: readonly string[], verb: "create" | "install" = "create"): Step {
  return {
    title,
    user: "user",
    // No `micromamba clean`: the package cache is a BuildKit cache mount, so it never lands in a layer.
    commands: [`${PIP_ENV} ${shellCommand(["micromamba", verb, "--yes", ...args])}`],
    caches: [CONDA_PKGS_CACHE.mount(ctx.user.uid), pipCache(ctx.user.uid)],
    secrets: [PIP_CONF.id],
  };
}

/**
 * The environment file into a user-owned prefix (shared with the R pack, which adds `r-base`).
 * micromamba runs from the repository root and reads `binder/environment.yml` where it is; the
 * `pip:` list runs in the file's folder, as conda and mamba run it for repo2docker.
 */
export function condaEnvironment(ctx: PackContext, extraSpecs: readonly string[] = []): { step: Step; deferred: boolean; python: string; path: string } {
  const found = ctx.facts.files.environment!;
  const data = use(found);
  const python = data.python ?? DEFAULT_PYTHON;
  const extra = [...(data.python ? [] : [`python=${python}`]), ...extraSpecs, ...(data.channels.length ? [] : ["--channel", "conda-forge"])];
  return {
    step: micromambaCreate(ctx, `conda environment from ${found.path} (micromamba)`, ["--prefix", CONDA_ENV, "--file", found.path, ...extra]),
    deferred: data.pipHasLocalReferences,
    python,
    path: `${CONDA_ENV}/bin`,
  };
}

/** The variables of an image whose code runs in `prefix` (repo2docker's names; KERNEL_ is where the code runs). */
export function condaEnvVars(prefix = CONDA_ENV, notebookPrefix = prefix): Record<string, string> {
  return {
    CONDA_DIR,
    MAMBA_ROOT_PREFIX: CONDA_DIR,
    NB_PYTHON_PREFIX: notebookPrefix,
    KERNEL_PYTHON_PREFIX: prefix,
    CONDA_DEFAULT_ENV: prefix,
    // As an activated environment has it: a plain `micromamba install x` in postBuild targets it.
    CONDA_PREFIX: prefix,
  };
}

/** The R that environment.yml brings: its `r-base` pin, "unpinned" when R packages pull R in, else null. */
export function condaR(ctx: PackContext): string | null {
  const data = ctx.facts.files.environment?.data;
  if (!data?.hasR) return null;
  return data.rBase ?? "unpinned";
}

const FILES = [ENVIRONMENT_YML] as const;

/** environment.yml (or .yaml) into a conda prefix owned by the user, solved by micromamba. */
export const conda: Buildpack<"conda", typeof FILES> = {
  name: "conda",
  kind: "generated",
  gpu: true,
  files: FILES,
  ignores: {
    requirements: "environment.yml is used, and conda environments ignore requirements.txt (list pip packages under `pip:` in the environment file)",
    pipfile: "environment.yml takes precedence over Pipfile",
    pipfileLock: "environment.yml takes precedence over Pipfile",
    runtime: "the conda buildpack takes the Python version from environment.yml",
  },
  caches: [CONDA_PKGS_CACHE, PIP_CACHE],
  secrets: [PIP_CONF],
  envDirs: [CONDA_DIR],
  builderStage: true,
  detect: (facts) => Boolean(facts.files.environment),
  contribute(ctx) {
    const env = condaEnvironment(ctx);
    const path = ctx.facts.files.environment!.path;
    const system = condaSystem("the conda environment (environment.yml)");
    const r = condaR(ctx);
    return {
      baseImage: CONDA_BASE_IMAGE,
      python: env.python,
      r,
      env: condaEnvVars(),
      path: [env.path],
      systemSteps: system.steps,
      helperFiles: system.helperFiles,
      dependencyFiles: env.deferred ? [] : [path],
      preAssembleSteps: env.deferred ? [] : [env.step],
      assembleSteps: env.deferred ? [env.step] : [],
      used: [{ key: "environment", use: `micromamba create (Python ${env.python}${r ? `, R ${r}` : ""})` }],
      messages: ctx.facts.files.runtime ? [{ level: "warn", text: `${ctx.facts.files.runtime.path} is not read for the Python version when environment.yml is used; pin python in the environment file` }] : [],
    };
  },
};
