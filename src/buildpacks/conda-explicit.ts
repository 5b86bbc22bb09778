import { use, type Found } from "../detect/found.js";
import { defaultPlatform } from "../detect/markers.js";
import { parseCondaExplicit } from "../detect/conda-explicit.js";
import { parseRequirementsTxt, type RequirementsTxt } from "../detect/requirements-txt.js";
import { ConfigError } from "../errors.js";
import { CONDA_BASE_IMAGE, CONDA_DIR, CONDA_ENV, CONDA_PKGS_CACHE, CONDA_SUBDIRS, condaEnvVars, condaSystem, micromambaCreate } from "./conda.js";
import { configFile } from "./files.js";
import { PIP_CONF } from "./secrets.js";
import { PIP_CACHE, pipStep } from "./shared.js";
import type { Buildpack } from "./types.js";

const CONDA_EXPLICIT = configFile({ key: "condaExplicit", names: ["conda-linux-64.lock", "conda-linux-aarch64.lock"], where: "config", parse: parseCondaExplicit });
/** What `r2d freeze` writes beside the list: the packages pip installed into the environment, pinned with hashes. */
const CONDA_PIP = configFile({ key: "condaPip", names: ["conda-pip-requirements.txt"], where: "config", parse: parseRequirementsTxt });
const FILES = [CONDA_EXPLICIT, CONDA_PIP] as const;

/** An explicit conda list: micromamba creates the environment from exactly those package files (no solve). */
export const condaExplicit: Buildpack<"conda-explicit", typeof FILES> = {
  name: "conda-explicit",
  kind: "generated",
  gpu: true,
  files: FILES,
  ignores: { environment: "the explicit conda list is used: it pins every package, environment.yml does not", requirements: "the explicit conda list is used", condaLock: "the explicit conda list comes first (it is what `r2d freeze` writes)" },
  caches: [CONDA_PKGS_CACHE, PIP_CACHE],
  secrets: [PIP_CONF],
  envDirs: [CONDA_DIR],
  detect: (facts) => Boolean(facts.files.condaExplicit),
  contribute(ctx) {
    const found = ctx.facts.files.condaExplicit!;
    const data = use(found);
    const platform = ctx.platform ?? defaultPlatform();
    const subdir = data.platform ?? /conda-(linux-\w+)\.lock$/.exec(found.path)?.[1];
    if (subdir !== CONDA_SUBDIRS[platform]) {
      throw new ConfigError(`is a list for ${subdir ?? "an unknown platform"}, and the image is built for ${platform}`, { location: { file: found.path }, hint: `export the list on ${CONDA_SUBDIRS[platform] ?? "the target platform"}, or build with the matching --platform` });
    }
    const system = condaSystem(`the explicit conda list (${found.path})`);
    const step = micromambaCreate(ctx, `conda environment from the explicit list ${found.path} (${data.packages} packages, no solve)`, ["--prefix", CONDA_ENV, "--file", found.path]);
    const pip = pipRequirements(ctx.facts.files.condaPip);
    return {
      baseImage: CONDA_BASE_IMAGE,
      python: data.python,
      env: condaEnvVars(),
      path: [`${CONDA_ENV}/bin`],
      systemSteps: system.steps,
      helperFiles: system.helperFiles,
      dependencyFiles: [found.path, ...(pip ? [pip.path] : [])],
      preAssembleSteps: [step, ...(pip ? [pipStep(ctx, `pip packages pinned in ${pip.path} (hashes checked)`, ["--no-deps", "--require-hashes", "-r", pip.path], `${CONDA_ENV}/bin/pip`)] : [])],
      used: [
        { key: "condaExplicit", use: `micromamba create --file (${data.packages} packages${data.python ? `, Python ${data.python}` : ""})` },
        ...(pip ? [{ key: "condaPip" as const, use: "pip install --no-deps --require-hashes into the conda environment" }] : []),
      ],
    };
  },
};

/** The hashed pip list beside the explicit one: every line pinned with its hashes, nothing from the repository. */
function pipRequirements(found: Found<RequirementsTxt> | undefined): { path: string } | null {
  if (!found) return null;
  const data = use(found);
  if (!data.hashed || data.hasLocalReferences || data.includes.length) {
    throw new ConfigError("must pin every package with its hashes and name nothing else (no -r, -e or paths)", { location: { file: found.path }, hint: "write it with `r2d freeze`, or `pip-compile --generate-hashes`" });
  }
  return { path: found.path };
}
