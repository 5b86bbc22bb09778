/**
 * Every place a value from a flag or a config file can reach the generated Dockerfile, as a function
 * value → Dockerfile (or a thrown ConfigError). `benign` is a valid value; the test renders both and
 * compares. Two kinds: through the whole pipeline (planRepo, with the parsers' and planner's checks),
 * and straight into the facts or the plan (bypassing those checks), which shows that quoting alone
 * keeps a value inert wherever the render writes it.
 */
import { detectRepo } from "../../src/detect/index.js";
import type { RepoFacts } from "../../src/detect/types.js";
import { planRepo, type PlanRepoOptions } from "../../src/index.js";
import { makePlan } from "../../src/plan/index.js";
import type { BuildPlan } from "../../src/plan/types.js";
import { renderDockerfile } from "../../src/render/index.js";
import { tmpRepo } from "../helpers/repo.js";

export interface Place {
  name: string;
  /** Where a refusal must point (a flag or a file), for the pipeline places. */
  refusedAt?: string | RegExp;
  benign: string;
  render(value: string): Promise<string>;
  /**
   * Values this place takes as one value: not those its own format splits or drops (a blank between
   * apt.txt names, `#` starting a comment), nor "" where an empty flag means "not given".
   */
  applies?: (value: string) => boolean;
  /** The value never reaches the Dockerfile (labels go to the builder, patterns to the context). */
  inert?: boolean;
}

const ROOT = { uid: 0, name: "root" };
const MARK = "r2dmark";

async function inRepo<T>(files: Record<string, string>, fn: (dir: string) => Promise<T>): Promise<T> {
  const r = await tmpRepo(files, "r2d-hostile-");
  try {
    return await fn(r.root);
  } finally {
    await r.cleanup();
  }
}

const PYTHON = { "requirements.txt": "numpy\n", "apt.txt": "vim\n", postBuild: "echo hi\n", start: 'exec "$@"\n', "run.sh": "echo run\n" };
const R = { "runtime.txt": "r-4.4-2024-05-01\n", "requirements.R": 'pkg_list <- c("readr")\n', "install.R": "", "requirements.txt": "x\n", "environment.yml": "dependencies:\n  - python=3.11\n" };

async function planned(files: Record<string, string>, options: PlanRepoOptions = {}): Promise<string> {
  return inRepo(files, async (dir) => (await planRepo(dir, { invoking: ROOT, ...options })).dockerfile);
}

const flag = (name: string, benign: string, options: (v: string) => PlanRepoOptions, more: Partial<Place> = {}): Place => ({
  name,
  refusedAt: name.split(" ")[0],
  benign,
  render: (v) => planned(PYTHON, options(v)),
  applies: (v) => v !== "",
  ...more,
});

const file = (name: string, at: string, benign: string, files: (v: string) => Record<string, string>, more: Partial<Place> = {}): Place => ({
  name,
  refusedAt: at,
  benign,
  render: (v) => planned(files(v)),
  ...more,
});

/** "" means "not set" for most settings. */
const notEmpty = (v: string) => v !== "";
/** Line-oriented files read one value per blank-separated word, with `#` comments. */
const oneWord = (v: string) => !/[\s#]/.test(v) && v !== "";

/** Through the whole pipeline: flags and config file contents. */
export const PIPELINE: Place[] = [
  flag("--user-name", MARK, (v) => ({ userName: v })),
  flag("--target-repo-dir", `/srv/${MARK}`, (v) => ({ targetRepoDir: v })),
  flag("--base-image", `${MARK}:1`, (v) => ({ baseImage: v })),
  flag("--label (value)", MARK, (v) => ({ labels: { maintainer: v } }), { inert: true, applies: undefined }),
  flag("--label (name)", MARK, (v) => ({ labels: { [v]: "x" } }), { inert: true, applies: undefined }),
  flag("--exclude", MARK, (v) => ({ excludes: [v] }), { inert: true, applies: undefined }),
  flag("--include", MARK, (v) => ({ includes: [v] }), { inert: true, applies: undefined }),
  file("apt.txt", "apt.txt", MARK, (v) => ({ ...PYTHON, "apt.txt": `${v}\n` }), { applies: oneWord }),
  file("requirements.R pkg_list", "requirements.R", MARK, (v) => ({ "requirements.R": `pkg_list <- c(${JSON.stringify(v)})\n` }), { applies: (v) => !v.includes("#") }),
  file("runtime.txt python", "runtime.txt", "3.11", (v) => ({ "runtime.txt": `python-${v}\n`, "requirements.txt": "x\n" })),
  file("runtime.txt R version", "runtime.txt", "4.4", (v) => ({ "runtime.txt": `r-${v}-2024-05-01\n` })),
  file("runtime.txt R date", "runtime.txt", "2024-05-01", (v) => ({ "runtime.txt": `r-4.4-${v}\n` })),
  file("Pipfile python_version", "Pipfile", "3.12", (v) => ({ Pipfile: `[packages]\nx = "*"\n[requires]\npython_version = ${JSON.stringify(v)}\n` })),
  file("environment.yml channel", "environment.yml", MARK, (v) => ({ "environment.yml": `channels:\n  - ${JSON.stringify(v)}\ndependencies:\n  - numpy\n` }), { inert: true, applies: (v) => v !== "" }),
  file("pyproject requires-python", "pyproject.toml", ">=3.9", (v) => ({ "pyproject.toml": `[project]\nname = "x"\nrequires-python = ${JSON.stringify(v)}\n[build-system]\nrequires = ["setuptools"]\n` }), { applies: notEmpty }),
  file("DESCRIPTION Package", "DESCRIPTION", MARK, (v) => ({ DESCRIPTION: `Package: ${v}\nVersion: 1.0\n` }), { inert: true }),
];

/** Facts of a benign repository, changed by `edit`, planned and rendered (no parser sees the value). */
function viaFacts(name: string, files: Record<string, string>, edit: (facts: RepoFacts, v: string) => void, more: Partial<Place> = {}): Place {
  let base: Promise<RepoFacts> | null = null;
  return {
    name,
    benign: MARK,
    ...more,
    async render(v) {
      base ??= inRepo(files, (dir) => detectRepo(dir));
      const facts = structuredClone(await base);
      edit(facts, v);
      return renderDockerfile(makePlan(facts, { invoking: ROOT }));
    },
  };
}

/** A benign plan, changed by `edit`, rendered. */
function viaPlan(name: string, files: Record<string, string>, edit: (plan: BuildPlan, v: string) => void): Place {
  let base: Promise<BuildPlan> | null = null;
  return {
    name,
    benign: MARK,
    async render(v) {
      base ??= inRepo(files, async (dir) => makePlan(await detectRepo(dir), { invoking: ROOT }));
      const plan = structuredClone(await base);
      edit(plan, v);
      return renderDockerfile(plan);
    },
  };
}

const PIPFILE = { Pipfile: '[packages]\nx = "*"\n' };
const PYTHON2 = { ...PYTHON, "runtime.txt": "python-2.7\n", "requirements3.txt": "x\n" };
const CONDA = { "environment.yml": "dependencies:\n  - numpy\n", ...PYTHON };

/** Straight into the facts or the plan: the render's own quoting is all that stands between. */
export const RENDER: Place[] = [
  viaFacts("requirements.txt path", PYTHON, (f, v) => void (f.files.requirements!.path = `${v}/requirements.txt`)),
  viaFacts("apt package", PYTHON, (f, v) => void (f.files.apt!.data = [v])),
  viaFacts("postBuild path", PYTHON, (f, v) => void (f.files.postBuild!.path = `${v}/postBuild`)),
  viaFacts("start path", PYTHON, (f, v) => void (f.files.start!.path = `${v}/start`)),
  viaFacts("run.sh path", PYTHON, (f, v) => void (f.files.runSh!.path = `${v}/run.sh`)),
  viaFacts("R package", R, (f, v) => void (f.files.requirementsR!.data = { packages: [v] })),
  viaFacts("install.R path", R, (f, v) => void (f.files.installR!.path = `${v}/install.R`)),
  viaFacts("R snapshot date", R, (f, v) => void (f.files.runtime!.data = { name: "r", version: "4.4", date: v }), { applies: notEmpty }),
  viaFacts("environment.yml path", CONDA, (f, v) => void (f.files.environment!.path = `${v}/environment.yml`)),
  viaFacts("environment.yml python", CONDA, (f, v) => void (f.files.environment!.data = { ...f.files.environment!.data!, python: v }), { applies: notEmpty, inert: true }),
  viaFacts("Pipfile path", PIPFILE, (f, v) => void (f.files.pipfile!.path = `${v}/Pipfile`)),
  viaFacts("requirements3.txt path (Python 2.7)", PYTHON2, (f, v) => void (f.files.requirements3!.path = `${v}/requirements3.txt`)),
  viaFacts("environment.yml path (R inside conda)", R, (f, v) => void (f.files.environment!.path = `${v}/environment.yml`)),
  viaPlan("plan user name", PYTHON, (p, v) => void (p.user.name = v)),
  viaPlan("plan home", PYTHON, (p, v) => void (p.home = `/home/${v}`)),
  viaPlan("plan repoDir", PYTHON, (p, v) => void (p.repoDir = `/srv/${v}`)),
  viaPlan("plan base image", PYTHON, (p, v) => void (p.baseImage = v)),
  viaPlan("plan env value", PYTHON, (p, v) => void (p.env.R2D_TEST = v)),
  viaPlan("plan PATH entry", PYTHON, (p, v) => void p.path.unshift(`/opt/${v}/bin`)),
  viaPlan("plan command", PYTHON, (p, v) => void (p.command = [`/srv/${v}`])),
];
