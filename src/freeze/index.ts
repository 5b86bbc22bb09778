/**
 * `r2d freeze REPO`: build the image (or reuse --image-name when it exists), read the installed
 * packages from a container of it, pin each with the hashes its index publishes, and write them
 * into the repository's config folder: the one command that writes there, and only when asked.
 * A virtual environment becomes pylock.toml (the pylock buildpack), a conda environment an explicit
 * list (the conda-explicit buildpack, ./conda.ts). The next build installs exactly those versions.
 */
import path from "node:path";
import { buildRepo, type BuildRepoOptions } from "../build-repo.js";
import { parsePylockToml } from "../detect/pylock-toml.js";
import { inspectImage, probeEngine, runContainer, type Engine } from "../engine/index.js";
import { ConfigError, UnsupportedError } from "../errors.js";
import type { BuildPlan } from "../plan/types.js";
import { isGitUrl } from "../source/index.js";
import { CONDA_FREEZE_PACKS, CONDA_PIP_REQUIREMENTS, condaPipText, explicitPins, exportConda } from "./conda.js";
import { lockChanges, pylockText, type FrozenPackage } from "./pylock-writer.js";
import { DEFAULT_INDEX, indexFiles } from "./simple-index.js";
import { writeIntoRepo } from "./write-file.js";

export type FreezeOptions = Omit<BuildRepoOptions, "build" | "run" | "push" | "grader">;

export interface FreezeResult {
  /** The written file, relative to the repository. */
  path: string;
  /** Further files written (a conda environment's pip packages), relative to the repository. */
  alsoWritten: string[];
  imageName: string;
  packages: { name: string; version: string }[];
  /** `+ name version`, `- name version`, `~ name old -> new`: empty when nothing changed. */
  changes: string[];
  /** Installed packages that were not pinned, and why. */
  skipped: string[];
}

/** Packs whose environment is the virtual environment /srv/venv, which freeze reads. */
const VENV_PACKS = new Set(["python", "pylock", "uv", "poetry"]);
/** What pip freeze leaves out too: the venv's own tools. */
const TOOLS = new Set(["pip", "setuptools", "wheel", "distribute"]);

interface Frozen {
  built: { imageName: string; plan: BuildPlan };
  engine: Engine;
  root: string;
  options: FreezeOptions;
}

export async function freezeRepo(repo: string, options: FreezeOptions = {}): Promise<FreezeResult> {
  if (isGitUrl(repo)) throw new ConfigError("r2d freeze writes into the repository: give a local directory, not a git URL", { location: { file: "command line" }, hint: "clone the repository, then run r2d freeze on the clone" });
  const engine = await probeEngine({ engine: options.engine, docker: options.docker, buildctl: options.buildctl });
  const reuse = options.imageName ? await inspectImage(engine, options.imageName) : null;
  const built = await buildRepo(repo, { ...options, build: !reuse, run: false });
  const plan = built.plan;
  const frozen: Frozen = { built, engine, root: path.resolve(repo, options.subdir ?? ""), options };
  if (VENV_PACKS.has(plan.buildpack)) return freezeVenv(frozen);
  if (CONDA_FREEZE_PACKS.has(plan.buildpack)) return freezeConda(frozen);
  throw new UnsupportedError(`r2d freeze reads Python virtual environments (requirements.txt, setup.py, pyproject.toml and the Python lock files) and conda environments (environment.yml and the conda locks); this repository uses the ${plan.buildpack} buildpack`, {
    location: { file: plan.detected[0]?.path ?? repo },
    hint: plan.buildpack === "pipfile" ? "Pipfile.lock already pins the environment: `pipenv lock` updates it" : "pin versions in the repository's own config files",
  });
}

async function freezeVenv({ built, engine, root, options }: Frozen): Promise<FreezeResult> {
  const { python, installed } = await installedPackages(engine, built.imageName, options);
  const { frozen, skipped } = await pinFromIndex(installed.filter((p) => !TOOLS.has(p.name.toLowerCase())), options);
  const relative = [built.plan.configDir, "pylock.toml"].filter(Boolean).join("/");
  const previous = await writeIntoRepo(root, relative, pylockText(frozen, python));
  const after = new Map(frozen.map((p) => [p.name, p.version]));
  return { path: relative, alsoWritten: [], imageName: built.imageName, packages: frozen.map(({ name, version }) => ({ name, version })), changes: lockChanges(previousPins(previous), after), skipped };
}

/** The conda packages as an explicit list; the ones pip installed into the environment pinned beside it. */
async function freezeConda({ built, engine, root, options }: Frozen): Promise<FreezeResult> {
  const explicit = await exportConda(engine, built.imageName, options);
  const { installed } = await installedPackages(engine, built.imageName, options);
  const { frozen, skipped } = await pinFromIndex(installed.filter((p) => p.installer === "pip" && !TOOLS.has(p.name.toLowerCase())), options);
  const inConfig = (name: string) => [built.plan.configDir, name].filter(Boolean).join("/");
  const relative = inConfig(`conda-${explicit.subdir}.lock`);
  const previous = await writeIntoRepo(root, relative, explicit.text);
  const changes = lockChanges(explicitPins(previous), explicit.pins);
  const alsoWritten: string[] = [];
  if (frozen.length) {
    const pipFile = inConfig(CONDA_PIP_REQUIREMENTS);
    const before = await writeIntoRepo(root, pipFile, condaPipText(frozen));
    changes.push(...lockChanges(requirementPins(before), new Map(frozen.map((p) => [p.name, p.version]))).map((c) => `${c} (pip)`));
    alsoWritten.push(pipFile);
  }
  const packages = [...[...explicit.pins].map(([name, version]) => ({ name, version })), ...frozen.map(({ name, version }) => ({ name, version }))];
  return { path: relative, alsoWritten, imageName: built.imageName, packages, changes, skipped };
}

/** Each package's files and sha256 hashes from the index; packages installed from a path or URL are skipped. */
async function pinFromIndex(installed: readonly Installed[], options: FreezeOptions): Promise<{ frozen: FrozenPackage[]; skipped: string[] }> {
  const index = options.pipIndexUrl ?? DEFAULT_INDEX;
  const frozen: FrozenPackage[] = [];
  const skipped: string[] = [];
  for (const p of installed) {
    if (p.direct) { skipped.push(`${p.name} ${p.version}: installed from a path or URL, not from the index`); continue; }
    const files = await indexFiles(index, p.name, p.version, options.signal);
    if (!files.length) throw new ConfigError(`the index has no files of ${p.name} ${p.version} with sha256 hashes`, { location: { file: "--pip-index-url" }, hint: "freeze with the index the image was built from (--pip-index-url)" });
    frozen.push({ name: p.name, version: p.version, files });
  }
  return { frozen, skipped };
}

interface Installed {
  name: string;
  version: string;
  direct: boolean;
  /** Who installed it (`pip`, `conda`, or null when the package does not say). */
  installer: string | null;
}

/** `pip inspect` in a throw-away container of the image (no network): name, version, installed from a URL or path. */
async function installedPackages(engine: Engine, image: string, options: FreezeOptions): Promise<{ python: string; installed: Installed[] }> {
  const result = await runContainer(engine, {
    image, command: ["-m", "pip", "inspect", "--local"], env: ["PIP_DISABLE_PIP_VERSION_CHECK=1"], publish: [], volumes: [],
    network: "none", platform: options.platform, remove: true, interactive: false, tty: false, extra: ["--entrypoint", "python"],
  }, { signal: options.signal });
  if (result.exitCode !== 0) throw new UnsupportedError(`pip inspect failed in the image (exit ${result.exitCode}): ${result.stderr.trim().split("\n").at(-1) ?? ""}`, { location: { file: image }, hint: "r2d freeze needs pip 22.2 or newer in the image's environment" });
  const data = JSON.parse(result.stdout) as { environment?: { python_version?: string }; installed?: { metadata?: { name?: string; version?: string }; direct_url?: unknown; installer?: unknown }[] };
  const python = data.environment?.python_version ?? "";
  if (!/^\d+\.\d+$/.test(python)) throw new UnsupportedError("pip inspect did not report the image's Python version", { location: { file: image }, hint: "r2d freeze needs pip 22.2 or newer in the image's environment" });
  return { python, installed: (data.installed ?? []).map((d) => ({ name: String(d.metadata?.name), version: String(d.metadata?.version), direct: d.direct_url !== undefined, installer: typeof d.installer === "string" ? d.installer.trim() : null })) };
}

/** The versions the current pylock.toml pins (none when it is absent or unreadable: all are new). */
function previousPins(text: string | null): Map<string, string> {
  try {
    return new Map(text ? parsePylockToml(text).packages.map((p) => [p.name, p.version]) : []);
  } catch {
    return new Map();
  }
}

/** name → version of a pinned requirement list's `name==version` lines. */
function requirementPins(text: string | null): Map<string, string> {
  return new Map([...(text ?? "").matchAll(/^([A-Za-z0-9._-]+)==(\S+)/gm)].map((m) => [m[1]!, m[2]!]));
}
