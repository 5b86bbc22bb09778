import { parseRequirementsTxt } from "../detect/requirements-txt.js";
import { checkRequirementIncludes } from "../detect/requirements-includes.js";
import { use } from "../detect/found.js";
import type { RepoFacts } from "../detect/types.js";
import type { Step } from "../plan/types.js";
import { CONDA_BASE_IMAGE, CONDA_DIR, CONDA_ENV, CONDA_PKGS_CACHE, condaEnvVars, condaSystem, micromambaCreate } from "./conda.js";
import { configFile, PYPROJECT_TOML, REQUIREMENTS_TXT, RUNTIME_TXT, SETUP_PY } from "./files.js";
import { checkRuntimeAgainstRequires, pythonInstalls } from "./python.js";
import { PIP_CONF } from "./secrets.js";
import { DEFAULT_PYTHON, PIP_CACHE, pipStep } from "./shared.js";
import type { Buildpack, Contribution } from "./types.js";

/** Where the Python 2.7 environment for the code goes (repo2docker's kernel environment). */
export const KERNEL_ENV = `${CONDA_DIR}/envs/kernel`;

/** Packages for the Python 3 environment beside a Python 2.7 one (repo2docker's rule: Python 2 repositories only). */
const REQUIREMENTS3_TXT = configFile({
  key: "requirements3",
  names: ["requirements3.txt"],
  where: "config",
  parse: parseRequirementsTxt,
  followUp: checkRequirementIncludes,
  whenIgnored: () => "requirements3.txt is read only beside runtime.txt python-2.7 (repo2docker's rule): it fills the Python 3 environment there",
});
const FILES = [RUNTIME_TXT, REQUIREMENTS_TXT, REQUIREMENTS3_TXT, SETUP_PY, PYPROJECT_TOML] as const;

function isPython2(facts: RepoFacts): boolean {
  const runtime = facts.files.runtime?.data;
  return runtime?.name === "python" && Boolean(runtime.version?.startsWith("2."));
}

/** requirements3.txt into the Python 3 environment, with that environment's pip. */
function requirements3Step(ctx: Parameters<Buildpack["contribute"]>[0]): { step: Step; local: boolean; path: string } | null {
  const found = ctx.facts.files.requirements3;
  if (!found) return null;
  const step = pipStep(ctx, `pip packages from ${found.path} (the Python 3 environment)`, ["-r", found.path], `${CONDA_ENV}/bin/pip`);
  return { step, local: use(found).hasLocalReferences, path: found.path };
}

/**
 * runtime.txt `python-2.7`, built the way repo2docker builds it: Python 2.7 in a conda environment
 * (micromamba) for the code, requirements.txt and the package itself installed with its pip; a
 * requirements3.txt gets a Python 3 environment of its own.
 */
export const python2: Buildpack<"python2", typeof FILES> = {
  name: "python2",
  kind: "generated",
  gpu: true,
  files: FILES,
  caches: [CONDA_PKGS_CACHE, PIP_CACHE],
  secrets: [PIP_CONF],
  envDirs: [CONDA_DIR],
  builderStage: true,
  detect: isPython2,
  contribute(ctx) {
    const { facts } = ctx;
    const version = use(facts.files.runtime!).version!;
    checkRuntimeAgainstRequires(facts, version);
    const installs = pythonInstalls(ctx, `${KERNEL_ENV}/bin/pip`);
    const req3 = requirements3Step(ctx);
    const system = condaSystem("the Python 2.7 environment (runtime.txt python-2.7)");
    const create = (prefix: string, python: string, what: string) =>
      micromambaCreate(ctx, `Python ${python} in a conda environment (micromamba), ${what}`, ["--prefix", prefix, "--channel", "conda-forge", `python=${python}`, "pip"]);
    const used: Contribution["used"] = [{ key: "runtime", use: `Python ${version}, in a conda environment (${KERNEL_ENV})` }, ...installs.used];
    if (req3) used.push({ key: "requirements3", use: `pip install -r into the Python ${DEFAULT_PYTHON} environment (${CONDA_ENV})` });
    return {
      baseImage: CONDA_BASE_IMAGE,
      python: version,
      env: condaEnvVars(KERNEL_ENV, req3 ? CONDA_ENV : KERNEL_ENV),
      // Python 2.7 first: `python` and `pip` are the code's, as the runtime.txt asks.
      path: [`${KERNEL_ENV}/bin`, ...(req3 ? [`${CONDA_ENV}/bin`] : [])],
      systemSteps: system.steps,
      helperFiles: system.helperFiles,
      environmentSteps: [create(KERNEL_ENV, version, "for the code"), ...(req3 ? [create(CONDA_ENV, DEFAULT_PYTHON, `for ${req3.path}`)] : [])],
      dependencyFiles: [...(req3 && !req3.local ? [req3.path] : []), ...installs.files],
      preAssembleSteps: [...(req3 && !req3.local ? [req3.step] : []), ...installs.pre],
      assembleSteps: [...(req3?.local ? [req3.step] : []), ...installs.post],
      used,
      messages: [
        { level: "info", text: `Python ${version} (from ${facts.files.runtime!.path}) in a conda environment, as repo2docker builds it` },
        { level: "warn", text: `Python ${version} has had no updates since 2020; conda-forge still has it for linux-64 only (x86-64 images)` },
      ],
    };
  },
};
