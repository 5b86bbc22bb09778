/**
 * Python beside Julia. repo2docker's Julia pack is a Python (and conda) pack underneath, so a Julia
 * repository's environment.yml, requirements.txt, setup.py, pyproject.toml and `runtime.txt` python-X.Y
 * apply too. r2d adds Python only when the repository has such a file: a Julia-only repository gets none.
 */
import { use } from "../detect/found.js";
import type { RepoFacts } from "../detect/types.js";
import type { PlanMessage, Step } from "../plan/types.js";
import { CONDA_BASE_IMAGE, condaEnvironment, condaEnvVars, condaSystem } from "./conda.js";
import { pythonInstalls, runtimePython } from "./python.js";
import { DEFAULT_PYTHON, ensurePython, pythonBaseImage, pythonFromRequires, venv } from "./shared.js";
import type { Contribution, PackContext } from "./types.js";

export interface PythonAlongside {
  /** The base image Python needs (null: no Python, the pack's own base). */
  baseImage: string | null;
  version: string | null;
  env: Record<string, string>;
  path: string[];
  systemSteps: Step[];
  helperFiles: string[];
  environmentSteps: Step[];
  files: string[];
  pre: Step[];
  post: Step[];
  used: Contribution["used"];
  messages: PlanMessage[];
}

/** runtime.txt's python-X.Y, else the newest Python requires-python allows, else the default (3.10). */
function pythonVersion(facts: RepoFacts): string {
  const fromRuntime = runtimePython(facts);
  if (fromRuntime) return fromRuntime;
  const pyproject = facts.files.pyproject;
  const requires = pyproject ? use(pyproject).requiresPython : null;
  return (requires && pythonFromRequires(requires, pyproject!.path)) || DEFAULT_PYTHON;
}

export function pythonAlongside(ctx: PackContext): PythonAlongside {
  const { facts } = ctx;
  const out: PythonAlongside = { baseImage: null, version: null, env: {}, path: [], systemSteps: [], helperFiles: [], environmentSteps: [], files: [], pre: [], post: [], used: [], messages: [] };
  const environment = facts.files.environment;
  if (environment) {
    const conda = condaEnvironment(ctx);
    Object.assign(out, { baseImage: CONDA_BASE_IMAGE, version: conda.python });
    Object.assign(out.env, condaEnvVars());
    const system = condaSystem("the conda environment (environment.yml)");
    out.systemSteps.push(...system.steps);
    out.helperFiles.push(...system.helperFiles);
    out.path.push(conda.path);
    (conda.deferred ? out.post : out.pre).push(conda.step);
    if (!conda.deferred) out.files.push(environment.path);
    out.used.push({ key: "environment", use: `micromamba create (Python ${conda.python} beside Julia)` });
  }
  const installs = pythonInstalls(ctx);
  const wantsPython = installs.pre.length + installs.post.length > 0 || runtimePython(facts) !== null;
  if (!wantsPython) return out;
  if (!environment) {
    const version = pythonVersion(facts);
    Object.assign(out, { baseImage: pythonBaseImage(version, facts.files.runtime?.path ?? "runtime.txt"), version });
    if (facts.files.runtime) out.used.push({ key: "runtime", use: `Python ${version} beside Julia` });
    out.messages.push({ level: "info", text: `Python ${version} beside Julia (the repository has Python files, as repo2docker's Julia pack honours them)` });
  }
  if (installs.pre.length + installs.post.length === 0) return out;
  const v = venv(ctx);
  Object.assign(out.env, v.env);
  out.path.unshift(...v.path);
  out.systemSteps.push(ensurePython);
  out.environmentSteps.push(...v.steps);
  out.files.push(...installs.files);
  out.pre.push(...installs.pre);
  out.post.push(...installs.post);
  out.used.push(...installs.used);
  return out;
}
