/**
 * Config files read by more than one buildpack, and the ones every generated pack honours. A file
 * only one pack reads is declared in that pack's module.
 */
import { parseAptTxt } from "../detect/apt-txt.js";
import { parseDescription } from "../detect/description.js";
import { parseEnvironmentYml } from "../detect/environment-yml.js";
import { parsePyprojectToml } from "../detect/pyproject-toml.js";
import { checkRequirementIncludes } from "../detect/requirements-includes.js";
import { parseRequirementsTxt } from "../detect/requirements-txt.js";
import { parseRuntimeTxt } from "../detect/runtime-txt.js";
import { parseScript } from "../detect/script.js";
import type { FileSpec } from "./types.js";

/** Declares a config file with its key's literal type kept (the registry derives `facts.files` from it). */
export function configFile<K extends string, T = null>(spec: FileSpec<K, T>): FileSpec<K, T> {
  return spec;
}

export const RUNTIME_TXT = configFile({ key: "runtime", names: ["runtime.txt"], where: "config", parse: parseRuntimeTxt });
export const DESCRIPTION = configFile({ key: "description", names: ["DESCRIPTION"], where: "root-only", parse: parseDescription, skimmed: true });
// Typed by hand: its reason reads `facts.files`, whose type is derived from these declarations.
export const INSTALL_R: FileSpec<"installR", null> = {
  key: "installR",
  names: ["install.R"],
  where: "config",
  parse: null,
  whenIgnored: (facts) =>
    facts.files.description ? null : "install.R alone does not select R (repo2docker's rule): add a dated runtime.txt such as r-4.4-2024-05-01, or a DESCRIPTION",
};
export const ENVIRONMENT_YML = configFile({ key: "environment", names: ["environment.yml", "environment.yaml"], where: "config", parse: parseEnvironmentYml });
export const REQUIREMENTS_TXT = configFile({ key: "requirements", names: ["requirements.txt"], where: "config", parse: parseRequirementsTxt, followUp: checkRequirementIncludes });
export const SETUP_PY = configFile({ key: "setupPy", names: ["setup.py"], where: "root-only", parse: null });
export const PYPROJECT_TOML = configFile({ key: "pyproject", names: ["pyproject.toml"], where: "root-only", parse: parsePyprojectToml });

export const APT_TXT = configFile({ key: "apt", names: ["apt.txt"], where: "config", parse: parseAptTxt });
/** The Cresset-style split of apt.txt: the builder stage's packages (compilers, headers), the runtime image's, the dev image's. */
export const APT_BUILD_TXT = configFile({ key: "aptBuild", names: ["apt-build.txt"], where: "config", parse: parseAptTxt });
export const APT_RUNTIME_TXT = configFile({ key: "aptRuntime", names: ["apt-runtime.txt"], where: "config", parse: parseAptTxt });
export const APT_DEV_TXT = configFile({ key: "aptDev", names: ["apt-dev.txt"], where: "config", parse: parseAptTxt });
/** pip packages of the dev image only (--target dev). */
export const REQUIREMENTS_DEV_TXT = configFile({ key: "requirementsDev", names: ["requirements-dev.txt"], where: "config", parse: parseRequirementsTxt, followUp: checkRequirementIncludes });
export const POST_BUILD = configFile({ key: "postBuild", names: ["postBuild"], where: "config", parse: parseScript, skimmed: true, recordsExecutable: true });
export const START = configFile({ key: "start", names: ["start"], where: "config", parse: parseScript, skimmed: true, recordsExecutable: true });
export const RUN_SH = configFile({ key: "runSh", names: ["run.sh"], where: "root", parse: parseScript, skimmed: true, recordsExecutable: true });

/** Honoured by every pack that renders a Dockerfile (the planner turns them into steps and the command). */
export const COMMON_FILES = [APT_TXT, APT_BUILD_TXT, APT_RUNTIME_TXT, APT_DEV_TXT, REQUIREMENTS_DEV_TXT, POST_BUILD, START, RUN_SH] as const;

/** What a Python pack reads besides its own files (R and Julia read them too, as in repo2docker). */
export const PYTHON_FILES = [RUNTIME_TXT, REQUIREMENTS_TXT, SETUP_PY, PYPROJECT_TOML] as const;
