/**
 * conda-lock's unified lock file (`conda-lock.yml`, version 1): a `metadata` mapping (platforms,
 * channels, content hash) and a `package` list, one entry per package and platform, each installed
 * by conda (a package file URL with its md5) or pip (a wheel or sdist with its sha256). r2d checks
 * every entry it may install (nothing else reaches the generated lists) and keeps the line of each.
 */
import { checkHash, checkName, checkUrl, checkVersion, describe, isTable, lockError, type LockedPackage, type Where } from "./lock-common.js";
import { parseYamlFile } from "./yaml.js";

export interface CondaLockPackage {
  name: string;
  version: string;
  manager: "conda" | "pip";
  /** The conda subdir it is for (linux-64, linux-aarch64, osx-arm64, …). */
  platform: string;
  url: string;
  /** conda packages: the md5 of the package file. */
  md5: string | null;
  /** pip packages: `sha256:<hex>`; conda packages: the sha256 when given. */
  sha256: string | null;
  category: string;
  optional: boolean;
  line?: number;
}

export interface CondaLock {
  platforms: string[];
  packages: CondaLockPackage[];
}

const HINT = "regenerate it with `conda-lock lock`, or render an explicit list with `conda-lock render --kind explicit`";
const SUBDIR = /^[a-z0-9]+-[a-z0-9_]+$/;
// conda's package names and versions (match specs and build strings are not allowed here).
const CONDA_NAME = /^[a-z0-9_][a-z0-9_.+-]{0,199}$/i;
const CONDA_VERSION = /^[A-Za-z0-9_.+!]{1,100}$/;

function checkSubdir(value: unknown, what: string, where: Where): string {
  if (typeof value !== "string" || !SUBDIR.test(value)) throw lockError(`${what} has the platform ${describe(value)}, which is not a conda platform (such as linux-64)`, where, HINT);
  return value;
}

export function parseCondaLock(text: string, file = "conda-lock.yml"): CondaLock {
  const yaml = parseYamlFile(text, file, HINT);
  const top: unknown = yaml.doc.toJS();
  if (!isTable(top)) throw lockError("is not a conda-lock file: its top level is not a mapping", { file }, HINT);
  if (top.version !== 1) throw lockError(`has version ${typeof top.version === "number" ? top.version : describe(top.version)}; r2d reads conda-lock's version 1 format`, { file }, HINT);
  const metadata = top.metadata;
  if (!isTable(metadata) || !Array.isArray(metadata.platforms)) throw lockError("has no `metadata.platforms` list: it is not a conda-lock file", { file }, HINT);
  const platforms = metadata.platforms.map((p) => checkSubdir(p, "metadata", { file }));
  if (!Array.isArray(top.package)) throw lockError("has no `package:` list", { file }, HINT);
  const seq = yaml.doc.get("package", true) as { items?: unknown[] } | undefined;
  const packages = top.package.map((entry, i) => readPackage(entry, { file, line: yaml.lineOf(seq?.items?.[i]) }));
  return { platforms, packages };
}

function readPackage(entry: unknown, where: Where): CondaLockPackage {
  if (!isTable(entry)) throw lockError("has a `package:` entry that is not a mapping", where, HINT);
  const manager = entry.manager;
  if (manager !== "conda" && manager !== "pip") throw lockError(`has a package whose manager is ${describe(manager)}, not conda or pip`, where, HINT);
  const name = manager === "pip" ? checkName(entry.name, where) : condaName(entry.name, where);
  const version = manager === "pip" ? checkVersion(entry.version, name, where) : condaVersion(entry.version, name, where);
  const platform = checkSubdir(entry.platform, `package ${name}`, where);
  const url = checkUrl(entry.url, name, where);
  const hash = isTable(entry.hash) ? entry.hash : {};
  let md5: string | null = null;
  if (manager === "conda") {
    if (!/\.(conda|tar\.bz2)$/.test(url)) throw lockError(`package ${name} has a URL that is not a conda package file (.conda or .tar.bz2)`, where, HINT);
    if (typeof hash.md5 !== "string" || !/^[0-9a-f]{32}$/.test(hash.md5)) throw lockError(`package ${name} has the md5 ${describe(hash.md5)}, which is not 32 hex digits`, where, HINT);
    md5 = hash.md5;
  }
  const sha256 = hash.sha256 === undefined && manager === "conda" ? null : checkHash(hash.sha256, name, where, "sha256");
  const category = entry.category ?? "main";
  if (typeof category !== "string" || !/^[A-Za-z0-9_.-]{1,100}$/.test(category)) throw lockError(`package ${name} has the category ${describe(category)}`, where, HINT);
  const optional = entry.optional ?? false;
  if (typeof optional !== "boolean") throw lockError(`package ${name} has \`optional: ${describe(optional)}\`, not true or false`, where, HINT);
  return { name, version, manager, platform, url, md5, sha256, category, optional, line: where.line };
}

function condaName(value: unknown, where: Where): string {
  if (typeof value !== "string" || !CONDA_NAME.test(value)) throw lockError(`a package has the name ${describe(value)}, which is not a conda package name`, where, HINT);
  return value;
}

function condaVersion(value: unknown, name: string, where: Where): string {
  if (typeof value !== "string" || !CONDA_VERSION.test(value)) throw lockError(`package ${name} has the version ${describe(value)}, which is not a conda version`, where, HINT);
  return value;
}

/** A platform's packages: the main category's (the image's), and the others (dev, extras). */
export function condaLockSelection(lock: CondaLock, subdir: string, file: string): { conda: CondaLockPackage[]; pip: CondaLockPackage[]; other: CondaLockPackage[] } {
  const forPlatform = lock.packages.filter((p) => p.platform === subdir);
  if (!lock.platforms.includes(subdir) || !forPlatform.length) {
    throw lockError(`has no packages for ${subdir}, the image's platform (it has ${lock.platforms.join(", ") || "none"})`, { file }, `add the platform with \`conda-lock lock -p ${subdir}\`, or build with a --platform it has`);
  }
  const main = forPlatform.filter((p) => p.category === "main" && !p.optional);
  return { conda: main.filter((p) => p.manager === "conda"), pip: main.filter((p) => p.manager === "pip"), other: forPlatform.filter((p) => !main.includes(p)) };
}

/** An explicit list micromamba creates the environment from: `URL#md5`, validated values only. */
export function explicitList(packages: readonly CondaLockPackage[], subdir: string, source: string): string {
  const header = `# Generated by r2d from ${source.replace(/[^\x20-\x7e]/g, "?")}: micromamba create --file (no solve).\n# platform: ${subdir}\n@EXPLICIT\n`;
  return header + packages.map((p) => `${p.url}#${p.md5}\n`).join("");
}

/** The pip entries as pinned, hashed requirements. */
export function pipPins(packages: readonly CondaLockPackage[]): LockedPackage[] {
  return packages.map((p) => ({ name: p.name, version: p.version, hashes: [p.sha256!], line: p.line }));
}
