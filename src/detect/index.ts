import path from "node:path";
import { CONFIG_FILE_TABLE, type FileSpec } from "../buildpacks/index.js";
import { ConfigError } from "../errors.js";
import { existsAsFile, openRepoRoot, type RepoRoot } from "../source/repo-root.js";
import { findCredentials } from "./credentials.js";
import type { Found } from "./found.js";
import type { ScriptFile } from "./script.js";
import type { ConfigFiles, ConfigKey, IgnoredFile, RepoFacts } from "./types.js";

export type * from "./types.js";
export { use } from "./found.js";
export { parseAptTxt } from "./apt-txt.js";
export { parseDescription } from "./description.js";
export { parseRepoDockerfile } from "./dockerfile.js";
export { parseEnvironmentYml } from "./environment-yml.js";
export { parseJuliaProject } from "./julia-project.js";
export { parsePipfile, parsePipfileLock } from "./pipfile.js";
export { parsePyprojectToml } from "./pyproject-toml.js";
export { parseRequirementsR } from "./requirements-r.js";
export { parseRequirementsTxt } from "./requirements-txt.js";
export { parseRuntimeTxt } from "./runtime-txt.js";
export { parseScript } from "./script.js";

/** Names people write by mistake, and what they meant (so r2d can say so instead of ignoring them). */
const MISSPELLINGS: Record<string, string> = {
  "requirement.txt": "requirements.txt",
  "Requirements.txt": "requirements.txt",
  "requirements.text": "requirements.txt",
  "environment.yml.txt": "environment.yml",
  "enviroment.yml": "environment.yml",
  "Environment.yml": "environment.yml",
  "runtime.text": "runtime.txt",
  "Runtime.txt": "runtime.txt",
  "Apt.txt": "apt.txt",
  "apt-packages.txt": "apt.txt",
  "postbuild": "postBuild",
  "PostBuild": "postBuild",
  "postBuild.sh": "postBuild",
  "dockerfile": "Dockerfile",
  "requirements.r": "requirements.R",
  "install.r": "install.R",
  "run.bash": "run.sh",
};

export interface DetectOptions {
  /** Build from this subdirectory of the repository (repo2docker's --subdir). */
  subdir?: string;
  /** Read the config files from this folder of the repository instead of binder/ or .binder/. */
  configDir?: string;
}

/**
 * Reads the repository's config files (never writes anything) into RepoFacts. Every path is
 * resolved beneath the repository (and the --subdir) through RepoRoot: a config file or folder
 * that leads outside, dangles, or is not a regular file is a ConfigError naming it.
 */
export async function detectRepo(repo: string, opts: DetectOptions = {}): Promise<RepoFacts> {
  const repoRoot = await openRepoRoot(repo);
  const root = opts.subdir ? await repoRoot.subRoot(opts.subdir, "--subdir") : repoRoot;
  const configDir = opts.configDir !== undefined ? await givenConfigDir(root, opts.configDir) : await findConfigDir(root);
  const files: ConfigFiles = {};
  const ignored: IgnoredFile[] = [];
  const credentials: RepoFacts["credentials"] = [];

  // Read concurrently, but fill `files` (and pick the error to throw) in table order, so results
  // do not depend on I/O timing.
  const settled = await Promise.allSettled(CONFIG_FILE_TABLE.map((spec) => detectOne(root, configDir, spec, ignored, credentials)));
  for (const s of settled) if (s.status === "rejected") throw s.reason;
  for (const s of settled) {
    const entry = (s as PromiseFulfilledResult<[ConfigKey, Found<unknown>] | null>).value;
    if (entry) (files as Record<string, Found<unknown>>)[entry[0]] = entry[1];
  }
  // environment.yaml beside environment.yml: the .yml wins, as in repo2docker.
  const envDir = configDir ? `${configDir}/` : "";
  if (files.environment?.path.endsWith(".yml") && (await probeFile(root, `${envDir}environment.yaml`))) {
    ignored.push({ path: `${envDir}environment.yaml`, reason: "environment.yml is used when both exist" });
  }

  const suspicious: IgnoredFile[] = [];
  for (const dir of new Set(["", configDir])) {
    for (const [wrong, right] of Object.entries(MISSPELLINGS)) {
      const rel = dir ? `${dir}/${wrong}` : wrong;
      // Case-insensitive file systems report the right name for the wrong one; compare exact names.
      if ((await probeFile(root, rel)) && !(await probeFile(root, dir ? `${dir}/${right}` : right))) {
        suspicious.push({ path: rel, reason: `not a config file r2d reads; did you mean ${right}?` });
      }
    }
  }
  ignored.sort((a, b) => a.path.localeCompare(b.path));
  credentials.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
  return { root: root.path, configDir, files, ignored, suspicious, credentials };
}

/**
 * --config-dir: a folder beneath the root (the jail refuses one that is missing or leads out,
 * naming the flag), used with binder/'s rules; named by its path from the root ("" for the root itself).
 */
async function givenConfigDir(root: RepoRoot, dir: string): Promise<string> {
  const sub = await root.subRoot(dir, "--config-dir");
  return path.relative(root.path, sub.path).split(path.sep).join("/");
}

/**
 * binder/ or .binder/ (a symlink to a folder inside the repository counts; one leading outside, or
 * dangling, is an error).
 */
async function findConfigDir(root: RepoRoot): Promise<string> {
  const isDir = async (name: string) => {
    const r = await root.resolve(name);
    if (r.dangling) existsAsFile(r);
    return r.stats?.isDirectory() ?? false;
  };
  const [binder, dotBinder] = await Promise.all([isDir("binder"), isDir(".binder")]);
  if (binder && dotBinder) {
    throw new ConfigError("both binder/ and .binder/ exist; repo2docker's rules allow only one config directory", {
      location: { file: "binder/" },
      hint: "move the files into one of them and delete the other",
    });
  }
  return binder ? "binder" : dotBinder ? ".binder" : "";
}

/** Looks up one config file of the registry's table: the first candidate name present is read and parsed. */
async function detectOne(
  root: RepoRoot,
  configDir: string,
  spec: FileSpec,
  ignored: IgnoredFile[],
  credentials: RepoFacts["credentials"],
): Promise<[ConfigKey, Found<unknown>] | null> {
  const { names, where } = spec;
  if (where === "root-only" && configDir) {
    for (const name of names) {
      if (await probeFile(root, name)) ignored.push({ path: name, reason: `${configDir}/ exists, and repo2docker reads ${name} from the root only when there is no config directory` });
    }
    return null;
  }
  let result: [ConfigKey, Found<unknown>] | null = null;
  const dir = where === "config" ? configDir : "";
  for (const name of names) {
    const rel = dir ? `${dir}/${name}` : name;
    if (!existsAsFile(await root.resolve(rel))) continue;
    const found: Found<unknown> = { path: rel };
    if (spec.parse) await readAndParse(root, spec, rel, found, credentials);
    result = [spec.key as ConfigKey, found];
    break;
  }
  if (where === "config" && configDir) {
    for (const name of names) {
      if (await probeFile(root, name)) ignored.push({ path: name, reason: `${configDir}/ exists, so config files at the root are ignored` });
    }
  }
  return result;
}

/** Reads and parses a config file; problems with its content are kept on `found.error`, not thrown. */
async function readAndParse(root: RepoRoot, spec: FileSpec, rel: string, found: Found<unknown>, credentials: RepoFacts["credentials"]): Promise<void> {
  try {
    const { text, stats, viaLink } = await root.readConfigFile(rel, { lenient: spec.skimmed ?? false });
    for (const hit of findCredentials(text)) credentials.push({ path: rel, ...hit });
    found.data = spec.parse!(text, rel);
    // Only a file that is itself executable (not through a link) keeps its mode in the context.
    if (spec.recordsExecutable && !viaLink && (stats.mode & 0o111) === 0o111) (found.data as ScriptFile).executable = true;
    await spec.followUp?.(root, rel, found.data, credentials);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    delete found.data;
    found.error = err;
  }
}

/** For names r2d only reports (ignored or misspelt files): a regular file inside, or false. */
async function probeFile(root: RepoRoot, rel: string): Promise<boolean> {
  return root.resolve(rel).then((r) => r.stats?.isFile() ?? false, () => false);
}
