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
    // Python 2 has no venv module and its images have had no updates since 2020.
    throw new UnsupportedError(`Python ${version} is not supported: r2d builds Python 3 environments only`, {
      location: { file },
      hint: "port the code to Python 3 and pin e.g. python-3.8, or use environment.yml with python=2.7 (conda still has it)",
    });
  }
  return semver.gte(`${version}.0`, "3.8.0") ? `python:${version}-slim-bookworm` : `python:${version}-slim`;
}

/** Converts a PEP 440 `requires-python` into the newest supported X.Y that satisfies it. */
export function pythonFromRequires(spec: string, file: string): string | null {
  const clauses = spec.split(",").map((c) => c.trim()).filter(Boolean);
  const ranges = clauses
    .map((c) => {
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
  // Every clause must hold (PEP 440 commas are AND; a `!=` clause is itself an OR), for some X.Y.Z of the line.
  const fits = PYTHONS.filter((v) =>
    Array.from({ length: 100 }, (_, patch) => `${v}.${patch}`).some((full) => ranges.every((r) => semver.satisfies(full, r))),
  );
  return fits.at(-1) ?? null;
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

export function pipStep(ctx: PackContext, title: string, args: readonly string[], cwd?: string): Step {
  return {
    title,
    user: "user",
    commands: cwd && cwd !== ctx.repoDir ? [cd(cwd), pip(args)] : [pip(args)],
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
