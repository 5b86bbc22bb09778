import semver from "semver";
import { ConfigError, UnsupportedError } from "../errors.js";
import type { CacheMount, Step } from "../plan/types.js";
import { shellCommand } from "../shell.js";
import { PIP_CONF } from "./secrets.js";
import type { CacheSpec, PackContext } from "./types.js";

/** Python's default when nothing pins it: repo2docker's (3.10), so the same repositories behave the same. */
export const DEFAULT_PYTHON = "3.10";
/** Versions `requires-python` may select, newest last (repo2docker's window). */
const PYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"];

export const VENV = "/srv/venv";

/** Official Python images, Debian bookworm slim: small, and what most model guides start from. */
export function pythonBaseImage(version: string, file = "runtime.txt"): string {
  if (version.startsWith("2.")) {
    // Only runtime.txt's python-2.7 gets a Python 2 (conda) environment, as in repo2docker; a Pipfile does not.
    throw new UnsupportedError(`Python ${version} from ${file} is not supported: r2d builds Python 2.7 only from runtime.txt (python-2.7) or environment.yml`, {
      location: { file },
      hint: "pin python-2.7 in runtime.txt with a requirements.txt, or python=2.7 in environment.yml (both get a conda environment)",
    });
  }
  return semver.gte(`${version}.0`, "3.8.0") ? `python:${version}-slim-bookworm` : `python:${version}-slim`;
}

/** PEP 440 clauses of a `requires-python` as semver ranges (every one must hold; a `!=` clause is itself an OR). */
function requiresRanges(spec: string, file: string): string[] {
  const clauses = spec.split(",").map((c) => c.trim()).filter(Boolean);
  return clauses.map((c) => {
    const m = /^(~=|==|!=|<=|>=|<|>)\s*([\d.]+)(\.\*)?$/.exec(c);
    if (!m) throw new ConfigError(`requires-python "${spec}" is not a version specifier r2d understands`, { location: { file }, hint: 'write for example requires-python = ">=3.9"' });
    const [, op, v, star] = m;
    const full = semver.coerce(v)!.version;
    if (op === "~=") return `>=${full} <${semver.inc(full, v!.split(".").length > 2 ? "minor" : "major")}`;
    if (op === "==" && (star || v!.split(".").length < 3)) return `${v}.x`;
    if (op === "==") return full;
    if (op === "!=") return star ? `<${v}.0 || >=${semver.inc(full, "minor")}` : `<${full} || >${full}`;
    return `${op}${full}`;
  });
}

/** Does `requires-python` allow some X.Y.Z release of the X.Y line? */
export function requiresAllows(spec: string, version: string, file: string): boolean {
  const ranges = requiresRanges(spec, file);
  return Array.from({ length: 100 }, (_, patch) => `${version}.${patch}`).some((full) => ranges.every((r) => semver.satisfies(full, r)));
}

/** Converts a PEP 440 `requires-python` into the newest supported X.Y that satisfies it. */
export function pythonFromRequires(spec: string, file: string): string | null {
  requiresRanges(spec, file);
  return PYTHONS.filter((v) => requiresAllows(spec, v, file)).at(-1) ?? null;
}

/**
 * The Python a `requires-python` selects: the default (3.10) when it allows it, else the newest
 * supported version it allows (repo2docker keeps its default whenever the project accepts it).
 */
export function pythonForRequires(spec: string, file: string): string | null {
  return requiresAllows(spec, DEFAULT_PYTHON, file) ? DEFAULT_PYTHON : pythonFromRequires(spec, file);
}

/** pip's download cache, one per image user (the files belong to its uid). */
export const PIP_CACHE: CacheSpec = {
  name: "pip",
  target: "/tmp/r2d-cache/pip",
  perUser: true,
  mount: (uid) => ({ id: `r2d-pip-${uid}`, target: "/tmp/r2d-cache/pip", uid }),
};

/** apt's package cache and lists, shared by every build and locked while one uses them. */
export const APT_CACHE: CacheSpec = {
  name: "apt",
  target: "/var/cache/apt",
  perUser: false,
  mount: () => ({ id: "r2d-apt-cache", target: "/var/cache/apt", sharing: "locked" }),
};
export const APT_LISTS_CACHE: CacheSpec = {
  name: "apt-lists",
  target: "/var/lib/apt/lists",
  perUser: false,
  mount: () => ({ id: "r2d-apt-lists", target: "/var/lib/apt/lists", sharing: "locked" }),
};

export function pipCache(uid: number): CacheMount {
  return PIP_CACHE.mount(uid);
}

/** The environment every pip run gets: index settings from the optional build secret (never stored in the image). */
export const PIP_ENV = `PIP_CONFIG_FILE=/run/secrets/${PIP_CONF.id} PIP_CACHE_DIR=${PIP_CACHE.target}`;

/** `pip install` (of the venv's pip, or `pipBin`) with these arguments, each a quoted word. */
export function pip(args: readonly string[], pipBin = "pip"): string {
  return `${PIP_ENV} ${shellCommand([pipBin, "install", "--disable-pip-version-check", ...args])}`;
}

/** `cd DIR` as a command (quoted). */
export function cd(dir: string): string {
  return shellCommand(["cd", dir]);
}

/**
 * `pip install ARGS` as the user, from the repository root (repo2docker's working directory), so
 * `-r binder/requirements.txt` finds its `-e .` and `./pkg` lines where repo2docker does.
 */
export function pipStep(ctx: PackContext, title: string, args: readonly string[], pipBin = "pip"): Step {
  return {
    title,
    user: "user",
    commands: [pip(args, pipBin)],
    caches: [pipCache(ctx.user.uid)],
    secrets: [PIP_CONF.id],
  };
}

/** Makes sure the base image can create virtual environments (official images can; bare Debian or Ubuntu get python3-venv). */
export const ensurePython: Step = {
  title: "Python 3 with venv (installed from the distribution only when the base image lacks it)",
  user: "root",
  commands: [
    "if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then apt-get update -q && apt-get install -y -q --no-install-recommends python3 python3-venv python3-pip; fi",
  ],
  caches: aptCaches(),
};

export function aptCaches(): CacheMount[] {
  return [APT_CACHE.mount(0), APT_LISTS_CACHE.mount(0)];
}

/** The user's virtual environment: first on PATH, so `python` and `pip` are the venv's. */
export function venv(ctx: PackContext): { env: Record<string, string>; path: string[]; steps: Step[] } {
  return {
    env: { VIRTUAL_ENV: VENV },
    path: [`${VENV}/bin`],
    steps: [{ title: `Python virtual environment in ${VENV}, owned by ${ctx.user.name}`, user: "user", commands: [shellCommand(["python3", "-m", "venv", VENV])] }],
  };
}

/** `cd` target for a file's directory inside the image. */
export function dirOf(repoDir: string, rel: string): string {
  const i = rel.lastIndexOf("/");
  return i < 0 ? repoDir : `${repoDir}/${rel.slice(0, i)}`;
}
