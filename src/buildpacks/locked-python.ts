/**
 * What the Python lock file packs (pylock.toml, uv.lock, poetry.lock) share: the Python version
 * (runtime.txt, else the lock's requires-python), the lock read for that Python and platform into a
 * pinned, hashed requirement list that r2d writes beside the build, and `pip install --no-deps
 * --require-hashes` of that list into the user's venv, so the image needs no uv or Poetry.
 */
import { use, type Found } from "../detect/found.js";
import { requirementList, type LockedPackage } from "../detect/lock-common.js";
import type { MarkerTarget } from "../detect/markers.js";
import { ConfigError } from "../errors.js";
import { HELPER_DIR } from "../plan/layout.js";
import type { Compilers } from "../plan/types.js";
import { isPythonPackage, runtimePython } from "./python.js";
import { PIP_CONF } from "./secrets.js";
import { APT_CACHE, APT_LISTS_CACHE, DEFAULT_PYTHON, ensurePython, PIP_CACHE, pipStep, pythonBaseImage, pythonForRequires, requiresAllows, venv, VENV } from "./shared.js";
import { wheelFits, wheelMachine } from "./wheel-tags.js";
import type { Buildpack, Contribution, PackContext } from "./types.js";

/** The generated list's name in the context and in the image's helper folder. */
export const PINNED_REQUIREMENTS = "pinned-requirements.txt";

/** The fields every Python lock file pack shares: a venv built in the builder stage with pip and the index secret. */
export const LOCK_PACK = {
  kind: "generated",
  gpu: true,
  caches: [PIP_CACHE, APT_CACHE, APT_LISTS_CACHE],
  envDirs: [VENV],
  builderStage: true,
  secrets: [PIP_CONF],
} satisfies Partial<Buildpack>;

/** A lock pack's test: its lock file is there, and runtime.txt (if any) asks for Python. */
export function detectsLock(key: PythonLockRead["key"]): Buildpack["detect"] {
  return (facts) => {
    const runtime = facts.files.runtime?.data;
    return Boolean(facts.files[key]) && !(runtime && runtime.name !== "python");
  };
}

export interface PythonLockRead {
  key: "pylock" | "uvLock" | "poetryLock";
  found: Found<unknown>;
  requiresPython: string | null;
  select(target: MarkerTarget): LockedPackage[];
  /** The lock's dev packages for the target (its dev groups), when it has any. */
  selectDev?(target: MarkerTarget): LockedPackage[];
}

/** The dev packages' list (installed in the dev image only). */
export const PINNED_DEV_REQUIREMENTS = "pinned-dev-requirements.txt";

function lockPython(ctx: PackContext, lock: PythonLockRead): { version: string; from: string } {
  const fromRuntime = runtimePython(ctx.facts);
  const requires = lock.requiresPython;
  if (fromRuntime) {
    if (requires && !requiresAllows(requires, fromRuntime, lock.found.path)) {
      throw new ConfigError(`runtime.txt asks for Python ${fromRuntime} but the lock's requires-python is "${requires}"`, { location: { file: ctx.facts.files.runtime!.path }, hint: "make the two agree, or regenerate the lock for that Python" });
    }
    return { version: fromRuntime, from: ctx.facts.files.runtime!.path };
  }
  if (requires) {
    const fits = pythonForRequires(requires, lock.found.path);
    if (!fits) throw new ConfigError(`no Python between 3.8 and 3.14 satisfies the lock's requires-python "${requires}"`, { location: { file: lock.found.path }, hint: "regenerate the lock for a Python r2d builds (3.8 to 3.14)" });
    return { version: fits, from: `${lock.found.path} requires-python` };
  }
  return { version: DEFAULT_PYTHON, from: "the default" };
}

/**
 * Compilers for a lock, decided when planning: none when every package has a wheel for the image's
 * Python and machine. With --base-image the image's Python is unknown until the build: pip's dry
 * run decides there. The project itself (`pip install .`) is built from source: compilers.
 */
function lockCompilers(ctx: PackContext, packages: readonly LockedPackage[], python: string, pipArgs: string[]): Compilers {
  if (!pipArgs.length) return { when: "always" };
  if (ctx.baseImage) return { when: "if-not-wheels", python: `${VENV}/bin/python`, pipArgs };
  const machine = wheelMachine(ctx.platform);
  return packages.every((p) => (p.wheels ?? []).some((w) => wheelFits(w, python, machine))) ? { when: "never" } : { when: "always" };
}

export function lockedPython(ctx: PackContext, lock: PythonLockRead): Contribution {
  use(lock.found);
  const { version, from } = lockPython(ctx, lock);
  const packages = lock.select({ python: version, platform: ctx.platform });
  const env = venv(ctx);
  const list = `${HELPER_DIR}/${PINNED_REQUIREMENTS}`;
  const install = pipStep(ctx, `${packages.length} packages pinned in ${lock.found.path} (hashes checked)`, ["--no-deps", "--require-hashes", "-r", list]);
  const used: Contribution["used"] = [{ key: lock.key, use: `pip install --no-deps --require-hashes of its ${packages.length} packages for Python ${version}` }];
  if (ctx.facts.files.runtime) used.unshift({ key: "runtime", use: `Python ${version}` });
  const project = isPythonPackage(ctx.facts);
  if (project) used.push(...(ctx.facts.files.setupPy ? [{ key: "setupPy" as const, use: "pip install --no-deps ." }] : [{ key: "pyproject" as const, use: "pip install --no-deps ." }]));
  return {
    baseImage: pythonBaseImage(version, from),
    python: version,
    env: env.env,
    path: env.path,
    systemSteps: [ensurePython],
    environmentSteps: env.steps,
    pinnedFiles: [{ name: PINNED_REQUIREMENTS, content: requirementList(packages, lock.found.path) }],
    preAssembleSteps: packages.length ? [install] : [],
    compilers: lockCompilers(ctx, packages, version, project ? [] : ["--no-deps", "--require-hashes", "-r", list]),
    // The project itself, without dependencies: the lock has them all.
    assembleSteps: project ? [pipStep(ctx, "the repository as a Python package (its dependencies come from the lock)", ["--no-deps", "."])] : [],
    used,
    messages: [{ level: "info", text: `Python ${version} (from ${from}); ${packages.length} locked packages for ${ctx.platform ?? "this machine's platform"}` }],
    ...lockDev(ctx, lock, { python: version, platform: ctx.platform }, packages),
  };
}

/** The lock's dev packages the runtime image does not have, as their own hashed list for the dev image. */
function lockDev(ctx: PackContext, lock: PythonLockRead, target: MarkerTarget, runtime: readonly LockedPackage[]): Pick<Contribution, "dev"> {
  const have = new Set(runtime.map((p) => `${p.name.toLowerCase()}==${p.version}`));
  const packages = (lock.selectDev?.(target) ?? []).filter((p) => !have.has(`${p.name.toLowerCase()}==${p.version}`));
  if (!packages.length) return {};
  const list = `${HELPER_DIR}/${PINNED_DEV_REQUIREMENTS}`;
  return {
    dev: {
      steps: [pipStep(ctx, `${packages.length} dev packages pinned in ${lock.found.path} (hashes checked; dev image)`, ["--no-deps", "--require-hashes", "-r", list])],
      files: [{ name: PINNED_DEV_REQUIREMENTS, content: requirementList(packages, `${lock.found.path} (dev)`) }],
      used: [{ key: lock.key, use: `pip install --no-deps --require-hashes of its ${packages.length} dev packages` }],
    },
  };
}
