import { createRequire } from "node:module";
import type Coerce from "semver/functions/coerce.js";
import type Inc from "semver/functions/inc.js";
import type Satisfies from "semver/functions/satisfies.js";
import { ConfigError, UnsupportedError } from "../errors.js";
import type { CacheMount, Step } from "../plan/types.js";
import { shellCommand, shellQuote } from "../shell.js";
import { PIP_CONF } from "./secrets.js";
import { ensurepipCommand } from "./venv-pip.js";
import type { CacheSpec, PackContext } from "./types.js";

// semver is needed only for `requires-python`: required on first use (CommonJS, synchronously),
// so planning the other repositories does not load it.
const requireCjs = createRequire(import.meta.url);
let semverFns: { coerce: typeof Coerce; inc: typeof Inc; satisfies: typeof Satisfies } | undefined;
function semver(): NonNullable<typeof semverFns> {
  semverFns ??= {
    coerce: requireCjs("semver/functions/coerce.js") as typeof Coerce,
    inc: requireCjs("semver/functions/inc.js") as typeof Inc,
    satisfies: requireCjs("semver/functions/satisfies.js") as typeof Satisfies,
  };
  return semverFns;
}

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
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major > 3 || (major === 3 && minor >= 8) ? `python:${version}-slim-bookworm` : `python:${version}-slim`;
}

/** PEP 440 clauses of a `requires-python` as semver ranges (every one must hold; a `!=` clause is itself an OR). */
function requiresRanges(spec: string, file: string): string[] {
  const { coerce, inc } = semver();
  const clauses = spec.split(",").map((c) => c.trim()).filter(Boolean);
  return clauses.map((c) => {
    const m = /^(~=|==|!=|<=|>=|<|>)\s*([\d.]+)(\.\*)?$/.exec(c);
    if (!m) throw new ConfigError(`requires-python "${spec}" is not a version specifier r2d understands`, { location: { file }, hint: 'write for example requires-python = ">=3.9"' });
    const [, op, v, star] = m;
    const full = coerce(v)!.version;
    if (op === "~=") return `>=${full} <${inc(full, v!.split(".").length > 2 ? "minor" : "major")}`;
    if (op === "==" && (star || v!.split(".").length < 3)) return `${v}.x`;
    if (op === "==") return full;
    if (op === "!=") return star ? `<${v}.0 || >=${inc(full, "minor")}` : `<${full} || >${full}`;
    return `${op}${full}`;
  });
}

/** Does `requires-python` allow some X.Y.Z release of the X.Y line? */
export function requiresAllows(spec: string, version: string, file: string): boolean {
  const ranges = requiresRanges(spec, file);
  const { satisfies } = semver();
  return Array.from({ length: 100 }, (_, patch) => `${version}.${patch}`).some((full) => ranges.every((r) => satisfies(full, r)));
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

/**
 * Makes sure the base image can create virtual environments: Python 3 with `venv`, and a pip to
 * install with (its own, or ensurepip's). Official images have both; bare Debian or Ubuntu get the
 * distribution's packages.
 */
export const ensurePython: Step = {
  title: "Python 3 with venv and pip (installed from the distribution only when the base image lacks them)",
  user: "root",
  commands: [
    `if ! python3 -I -c 'import venv, importlib.util as u; assert u.find_spec("pip") or u.find_spec("ensurepip")' 2>/dev/null; then apt-get update -q && apt-get install -y -q --no-install-recommends python3 python3-venv python3-pip; fi`,
  ],
  caches: aptCaches(),
};

export function aptCaches(): CacheMount[] {
  return [APT_CACHE.mount(0), APT_LISTS_CACHE.mount(0)];
}

/**
 * Prints the folder of the base image's pip when it can stand in for ensurepip's: at least as new
 * as the pip ensurepip would install (ensurepip absent: any pip); fails otherwise. Run by the base
 * `python3 -I` (no user site, no current folder), so only the image's own pip counts.
 */
const BASE_PIP_DIR =
  'import os, re, pip, importlib.util as u; v = lambda s: ([int(x) for x in re.findall(r"\\d+", s)] + [0, 0, 0])[:3]; own = __import__("ensurepip").version() if u.find_spec("ensurepip") else "0"; assert v(pip.__version__) >= v(own); print(os.path.dirname(pip.__file__))';

/**
 * Commands that make a virtual environment in `dir` without running ensurepip where the base
 * image's pip can stand in for it (ensurepip copies pip into every environment: seconds and
 * ~12 MB). That pip is linked in: a `.pth` line puts a folder holding only a link to it at the end
 * of the environment's path, so `pip` and `python -m pip` are that pip running in the environment
 * (installing into it, as the environment's owner), and a pip installed into the environment later
 * (`pip install -U pip`) comes first. Below Python 3.12 ensurepip also gives an environment
 * setuptools, which `setup.py` projects build with and users upgrade in place (pip must see its
 * metadata and own its files): its wheel is unpacked into the environment. Otherwise (no pip, or
 * an older one) ensurepip's wheels are unpacked (./venv-pip.ts; ensurepip itself if that fails).
 */
export function venvCommands(dir: string): string[] {
  const q = (p: string) => shellQuote(p);
  const link = `${dir}/lib/r2d-base-pip`;
  const pipScript = shellCommand(["printf", "%s\\n", "#!/bin/sh", `exec ${dir}/bin/python -m pip "$@"`]);
  return [
    // Asked first: once the environment exists, `python3` on PATH is the environment's (no pip).
    `base_pip="$(python3 -I -c ${q(BASE_PIP_DIR)} 2>/dev/null || :)"`,
    shellCommand(["python3", "-m", "venv", "--without-pip", dir]),
    `if [ -z "$base_pip" ]; then ${ensurepipCommand(dir)}; else ${shellCommand(["mkdir", link])} && ln -s "$base_pip" ${q(`${link}/pip`)} && ${ensurepipCommand(dir, "setuptools")}; fi`,
    // The loop finds the environment's one site-packages folder (lib/pythonX.Y/site-packages).
    `if [ -n "$base_pip" ]; then for site in ${q(dir)}/lib/python3*/site-packages; do echo ${q(link)} > "$site/r2d-base-pip.pth"; done; fi`,
    `if [ -n "$base_pip" ] && [ ! -e ${q(`${dir}/bin/pip`)} ]; then ${pipScript} > ${q(`${dir}/bin/pip`)} && ${shellCommand(["chmod", "+x", `${dir}/bin/pip`])} && ${shellCommand(["ln", "-s", "pip", `${dir}/bin/pip3`])}; fi`,
  ];
}

/** The user's virtual environment: first on PATH, so `python` and `pip` are the venv's. */
export function venv(ctx: PackContext): { env: Record<string, string>; path: string[]; steps: Step[] } {
  return {
    env: { VIRTUAL_ENV: VENV },
    path: [`${VENV}/bin`],
    steps: [{ title: `Python virtual environment in ${VENV}, owned by ${ctx.user.name} (pip: the base image's, linked in; else ensurepip's)`, user: "user", commands: venvCommands(VENV) }],
  };
}

/** `cd` target for a file's directory inside the image. */
export function dirOf(repoDir: string, rel: string): string {
  const i = rel.lastIndexOf("/");
  return i < 0 ? repoDir : `${repoDir}/${rel.slice(0, i)}`;
}
