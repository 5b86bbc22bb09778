/**
 * `r2d freeze` of a conda environment: `micromamba env export --explicit --md5` in a throw-away
 * container gives every conda package's URL and md5, written as the explicit list
 * `conda-<platform>.lock` the conda-explicit pack installs; the packages pip installed into the
 * environment are pinned with their index hashes in `conda-pip-requirements.txt` beside it.
 */
import { parseCondaExplicit } from "../detect/conda-explicit.js";
import { checkHash, checkName, checkVersion, requirementList } from "../detect/lock-common.js";
import { CONDA_ENV } from "../buildpacks/conda.js";
import { runContainer, type Engine } from "../engine/index.js";
import { UnsupportedError } from "../errors.js";
import { installedPackages, pinFromIndex, TOOLS } from "./python.js";
import type { Freezer, FrozenFile } from "./types.js";

/** The hashed requirement list of the environment's pip packages (the conda-explicit pack installs it). */
export const CONDA_PIP_REQUIREMENTS = "conda-pip-requirements.txt";

export const condaFreezer: Freezer = {
  // The packs whose code runs in the conda environment /srv/conda/envs/notebook (not python2's).
  packs: ["conda", "conda-explicit", "conda-lock"],
  reads: "conda environments (environment.yml and the conda locks)",
  async freeze(input) {
    const explicit = await exportConda(input.engine, input.built.imageName, input.options);
    const { installed } = await installedPackages(input);
    const { frozen, skipped } = await pinFromIndex(installed.filter((p) => p.installer === "pip" && !TOOLS.has(p.name.toLowerCase())), input.options);
    const files: FrozenFile[] = [{ name: `conda-${explicit.subdir}.lock`, text: explicit.text, pins: explicitPins }];
    if (frozen.length) files.push({ name: CONDA_PIP_REQUIREMENTS, text: condaPipText(frozen), pins: requirementPins, note: " (pip)" });
    const packages = [...[...explicit.pins].map(([name, version]) => ({ name, version })), ...frozen.map(({ name, version }) => ({ name, version }))];
    return { files, packages, skipped };
  },
};

/** name → version of a pinned requirement list's `name==version` lines. */
function requirementPins(text: string | null): Map<string, string> {
  return new Map([...(text ?? "").matchAll(/^([A-Za-z0-9._-]+)==(\S+)/gm)].map((m) => [m[1]!, m[2]!]));
}

export interface FrozenExplicit {
  /** linux-64, linux-aarch64: the file is `conda-<subdir>.lock`. */
  subdir: string;
  text: string;
  pins: Map<string, string>;
}

/** The explicit list micromamba prints, checked line by line, with r2d's header. */
export function explicitFromExport(stdout: string): FrozenExplicit {
  const read = parseCondaExplicit(stdout, "micromamba env export");
  if (!read.platform || !/^linux-\w+$/.test(read.platform)) throw new UnsupportedError(`micromamba env export reported the platform ${read.platform ?? "(none)"}`, { location: { file: "micromamba env export" }, hint: "r2d freezes Linux conda environments" });
  const urls = stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#") && l !== "@EXPLICIT");
  const text = ["# Written by `r2d freeze`: the conda packages of the built image, with their md5.", `# platform: ${read.platform}`, "@EXPLICIT", ...urls].join("\n");
  return { subdir: read.platform, text: `${text}\n`, pins: explicitPins(text) };
}

/** name → version of each package of an explicit list, from its file name (name-version-build.ext). */
export function explicitPins(text: string | null): Map<string, string> {
  const pins = new Map<string, string>();
  for (const line of (text ?? "").split(/\r?\n/)) {
    const m = /\/([^/#\s]+)-([^/#\s-]+)-[^/#\s-]+\.(?:conda|tar\.bz2)(?:#\S*)?$/.exec(line.trim());
    if (m && !line.trim().startsWith("#")) pins.set(m[1]!, m[2]!);
  }
  return pins;
}

/** `micromamba env export --explicit --md5` of the environment, in a container without network. */
export async function exportConda(engine: Engine, image: string, options: { platform?: string; signal?: AbortSignal }): Promise<FrozenExplicit> {
  const result = await runContainer(engine, {
    image, command: ["env", "export", "--explicit", "--md5", "--prefix", CONDA_ENV], env: [], publish: [], volumes: [],
    network: "none", platform: options.platform, remove: true, interactive: false, tty: false, extra: ["--entrypoint", "micromamba"],
  }, { signal: options.signal });
  if (result.exitCode !== 0) throw new UnsupportedError(`micromamba env export failed in the image (exit ${result.exitCode}): ${result.stderr.trim().split("\n").at(-1) ?? ""}`, { location: { file: image }, hint: "r2d freeze needs micromamba 1.5 or newer in the image (the default conda base image has it)" });
  return explicitFromExport(result.stdout);
}

/** The pip packages' pinned, hashed list (each version with every file the index has for it). */
export function condaPipText(packages: readonly { name: string; version: string; files: { sha256: string }[] }[]): string {
  const sorted = [...packages].sort((a, b) => a.name.localeCompare(b.name));
  const where = { file: CONDA_PIP_REQUIREMENTS };
  // Names and versions come from the image, hashes from the index: checked like a lock file's.
  const pins = sorted.map((p) => {
    const name = checkName(p.name, where);
    return { name, version: checkVersion(p.version, name, where), hashes: p.files.map((f) => checkHash(f.sha256, name, where, "sha256")) };
  });
  return requirementList(pins, "the built image (r2d freeze)");
}
