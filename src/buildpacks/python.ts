import { use } from "../detect/found.js";
import type { RepoFacts } from "../detect/types.js";
import { ConfigError } from "../errors.js";
import type { Compilers, Step } from "../plan/types.js";
import { PYTHON_FILES } from "./files.js";
import { PIP_CONF } from "./secrets.js";
import { APT_CACHE, APT_LISTS_CACHE, DEFAULT_PYTHON, ensurePython, PIP_CACHE, pipStep, pythonBaseImage, pythonForRequires, requiresAllows, venv, VENV } from "./shared.js";
import type { Buildpack, Contribution, DevExtras, PackContext } from "./types.js";

/** A root `setup.py`, or a `pyproject.toml` with `[project]` and `[build-system]`: installed with `pip install .`. */
export function isPythonPackage(facts: RepoFacts): boolean {
  return Boolean(facts.files.setupPy || (facts.files.pyproject?.data?.isPackage ?? false));
}

/** The Python version a runtime.txt asks for, or null; a non-Python runtime.txt is not this pack's. */
export function runtimePython(facts: RepoFacts): string | null {
  const runtime = facts.files.runtime;
  if (!runtime) return null;
  const data = use(runtime);
  return data.name === "python" ? data.version : null;
}

/**
 * requirements.txt (and the package itself) with `pipBin` (the venv's pip by default); shared with
 * the R and Python 2 packs. Installs run from the repository root, as repo2docker's do.
 */
export function pythonInstalls(ctx: PackContext, pipBin = "pip"): { files: string[]; pre: Step[]; post: Step[]; used: Contribution["used"]; preArgs: string[] } {
  const { facts } = ctx;
  const files: string[] = [];
  const pre: Step[] = [];
  const post: Step[] = [];
  const used: Contribution["used"] = [];
  const preArgs: string[] = [];
  const req = facts.files.requirements;
  if (req) {
    const data = use(req);
    // A file with hashes (pip-compile --generate-hashes, `r2d freeze`'s kind) is installed exactly:
    // pip then refuses any package, dependencies included, that is not pinned with a matching hash.
    const hashes = data.hashed ? ["--require-hashes"] : [];
    const step = pipStep(ctx, `pip packages from ${req.path}${data.hashed ? " (hashes checked)" : ""}`, [...hashes, "-r", req.path], pipBin);
    const how = `pip install ${hashes.map((h) => `${h} `).join("")}-r`;
    if (data.hasLocalReferences || isPythonPackage(facts)) {
      post.push(step);
      used.push({ key: "requirements", use: `${how}, after the code is copied (it refers to local files)` });
    } else {
      files.push(req.path);
      pre.push(step);
      preArgs.push(...hashes, "-r", req.path);
      used.push({ key: "requirements", use: `${how}, before the code is copied` });
    }
  }
  if (isPythonPackage(facts)) {
    post.push(pipStep(ctx, "the repository as a Python package", ["."], pipBin));
    if (facts.files.setupPy) used.push({ key: "setupPy", use: "pip install ." });
    if (facts.files.pyproject?.data?.isPackage) used.push({ key: "pyproject", use: "pip install ." });
  }
  return { files, pre, post, used, preArgs };
}

/**
 * requirements.txt alone, before the code: pip's dry run in the builder tells whether anything
 * needs compiling. A local project (`pip install .`, `-e .` lines) is built from source: compilers.
 */
function pythonCompilers(installs: { post: Step[]; preArgs: string[] }): Compilers {
  if (installs.post.length || !installs.preArgs.length) return { when: "always" };
  return { when: "if-not-wheels", python: `${VENV}/bin/python`, pipArgs: installs.preArgs };
}

/**
 * pyproject.toml's dev extras, for the dev image: the project with its `dev` extra (`.[dev]`, when
 * the runtime image installs the project), and the `dev` dependency group's requirements.
 */
export function pyprojectDev(ctx: PackContext, pipBin = "pip"): DevExtras | undefined {
  const data = ctx.facts.files.pyproject?.data;
  if (!data) return undefined;
  const steps: Step[] = [];
  const used: DevExtras["used"] = [];
  if (data.devExtra && isPythonPackage(ctx.facts)) {
    steps.push(pipStep(ctx, "the repository with its dev extra (dev image)", [".[dev]"], pipBin));
    used.push({ key: "pyproject", use: "pip install '.[dev]'" });
  }
  if (data.devGroup.length) {
    steps.push(pipStep(ctx, `the dev dependency group of ${ctx.facts.files.pyproject!.path} (dev image)`, data.devGroup, pipBin));
    used.push({ key: "pyproject", use: `pip install of its dev dependency group (${data.devGroup.length} requirements)` });
  }
  return steps.length ? { steps, used } : undefined;
}

/** A runtime.txt version must be one `requires-python` allows (repo2docker refuses the pair too). */
export function checkRuntimeAgainstRequires(facts: RepoFacts, version: string): void {
  const pyproject = facts.files.pyproject;
  const requires = pyproject ? use(pyproject).requiresPython : null;
  if (!requires || requiresAllows(requires, version, pyproject!.path)) return;
  throw new ConfigError(`runtime.txt asks for Python ${version} but requires-python is "${requires}"`, {
    location: { file: facts.files.runtime!.path },
    hint: "make the two agree, or delete one of them",
  });
}

function choosePython(facts: RepoFacts): { version: string; from: string } {
  const fromRuntime = runtimePython(facts);
  if (fromRuntime) {
    checkRuntimeAgainstRequires(facts, fromRuntime);
    return { version: fromRuntime, from: facts.files.runtime!.path };
  }
  const pyproject = facts.files.pyproject;
  const requires = pyproject ? use(pyproject).requiresPython : null;
  if (requires) {
    const fits = pythonForRequires(requires, pyproject!.path);
    if (!fits) throw new ConfigError(`no Python between 3.8 and 3.14 satisfies requires-python "${requires}"`, { location: { file: pyproject!.path }, hint: "widen requires-python: r2d builds Python 3.8 to 3.14" });
    const why = fits === DEFAULT_PYTHON ? "the default, which it allows" : `the newest it allows, as the default ${DEFAULT_PYTHON} is outside it`;
    return { version: fits, from: `${pyproject!.path} requires-python: ${why}` };
  }
  return { version: DEFAULT_PYTHON, from: "the default" };
}

/** requirements.txt, setup.py or pyproject.toml into a virtual environment; also the default pack. */
export const python: Buildpack<"python", typeof PYTHON_FILES> = {
  name: "python",
  kind: "generated",
  gpu: true,
  files: PYTHON_FILES,
  caches: [PIP_CACHE, APT_CACHE, APT_LISTS_CACHE],
  envDirs: [VENV],
  builderStage: true,
  secrets: [PIP_CONF],
  detect(facts) {
    const runtime = facts.files.runtime;
    if (runtime?.data && runtime.data.name !== "python") return false;
    return Boolean(runtime || facts.files.requirements || isPythonPackage(facts));
  },
  contribute(ctx) {
    const { version, from } = choosePython(ctx.facts);
    const env = venv(ctx);
    const installs = pythonInstalls(ctx);
    const used = [...installs.used];
    if (ctx.facts.files.runtime) used.unshift({ key: "runtime", use: `Python ${version}` });
    if (from.includes("requires-python") && !used.some((u) => u.key === "pyproject")) used.push({ key: "pyproject", use: `Python ${version} (from requires-python)` });
    return {
      baseImage: pythonBaseImage(version, from),
      python: version,
      env: env.env,
      path: env.path,
      systemSteps: [ensurePython],
      environmentSteps: env.steps,
      dependencyFiles: installs.files,
      preAssembleSteps: installs.pre,
      assembleSteps: installs.post,
      compilers: pythonCompilers(installs),
      used,
      messages: [{ level: "info", text: `Python ${version} (from ${from})` }],
      dev: pyprojectDev(ctx),
    };
  },
};
