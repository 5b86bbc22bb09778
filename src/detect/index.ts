import { ConfigError } from "../errors.js";
import { existsAsFile, openRepoRoot, type RepoRoot } from "../source/repo-root.js";
import { parseAptTxt } from "./apt-txt.js";
import { parseDescription } from "./description.js";
import { parseRepoDockerfile } from "./dockerfile.js";
import { parseEnvironmentYml } from "./environment-yml.js";
import { parseJuliaProject } from "./julia-project.js";
import { parsePipfile, parsePipfileLock } from "./pipfile.js";
import { parsePyprojectToml } from "./pyproject-toml.js";
import { parseRequirementsR } from "./requirements-r.js";
import { checkRequirementIncludes } from "./requirements-includes.js";
import { parseRequirementsTxt, type RequirementsTxt } from "./requirements-txt.js";
import { parseRuntimeTxt } from "./runtime-txt.js";
import { findCredentials } from "./credentials.js";
import { parseScript, type ScriptFile } from "./script.js";
import type { ConfigFiles, ConfigKey, Found, IgnoredFile, RepoFacts } from "./types.js";

export type * from "./types.js";
export { parseAptTxt, parseDescription, parseEnvironmentYml, parseJuliaProject, parsePipfile, parsePipfileLock };
export { parsePyprojectToml, parseRepoDockerfile, parseRequirementsR, parseRequirementsTxt, parseRuntimeTxt, parseScript };

type Parser = (text: string, file: string) => unknown;
type Where = "config" | "root-only" | "root";

/**
 * Every file r2d reads, in one table: key, candidate names (first wins), where it is looked for,
 * and its parser. "root-only" files are read from the root only when there is no binder dir
 * (repo2docker's rule for setup.py, pyproject.toml and DESCRIPTION); `run.sh` always lives at the root.
 */
const CONFIG_FILES: [ConfigKey, string[], Where, Parser | null][] = [
  ["dockerfile", ["Dockerfile"], "config", parseRepoDockerfile],
  ["juliaProject", ["Project.toml", "JuliaProject.toml"], "config", parseJuliaProject],
  ["juliaRequire", ["REQUIRE"], "config", null],
  ["defaultNix", ["default.nix"], "config", null],
  ["runtime", ["runtime.txt"], "config", parseRuntimeTxt],
  ["description", ["DESCRIPTION"], "root-only", parseDescription],
  ["installR", ["install.R"], "config", null],
  ["requirementsR", ["requirements.R"], "config", parseRequirementsR],
  ["environment", ["environment.yml", "environment.yaml"], "config", parseEnvironmentYml],
  ["pipfile", ["Pipfile"], "config", parsePipfile],
  ["pipfileLock", ["Pipfile.lock"], "config", parsePipfileLock],
  ["requirements", ["requirements.txt"], "config", parseRequirementsTxt],
  ["setupPy", ["setup.py"], "root-only", null],
  ["pyproject", ["pyproject.toml"], "root-only", parsePyprojectToml],
  ["apt", ["apt.txt"], "config", parseAptTxt],
  ["postBuild", ["postBuild"], "config", parseScript],
  ["start", ["start"], "config", parseScript],
  ["runSh", ["run.sh"], "root", parseScript],
];

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

/** Files r2d only skims (scripts, the Dockerfile, DESCRIPTION, which may declare Latin-1): undecodable bytes are replaced, not refused. */
const SKIMMED = new Set<ConfigKey>(["dockerfile", "description", "postBuild", "start", "runSh"]);

export interface DetectOptions {
  /** Build from this subdirectory of the repository (repo2docker's --subdir). */
  subdir?: string;
}

/**
 * Reads the repository's config files (never writes anything) into RepoFacts. Every path is
 * resolved beneath the repository (and the --subdir) through RepoRoot: a config file or folder
 * that leads outside, dangles, or is not a regular file is a ConfigError naming it.
 */
export async function detectRepo(repo: string, opts: DetectOptions = {}): Promise<RepoFacts> {
  const repoRoot = await openRepoRoot(repo);
  const root = opts.subdir ? await repoRoot.subRoot(opts.subdir, "--subdir") : repoRoot;
  const configDir = await findConfigDir(root);
  const files: ConfigFiles = {};
  const ignored: IgnoredFile[] = [];
  const credentials: RepoFacts["credentials"] = [];

  // Read concurrently, but fill `files` (and pick the error to throw) in table order, so results
  // do not depend on I/O timing.
  const settled = await Promise.allSettled(CONFIG_FILES.map((entry) => detectOne(root, configDir, entry, ignored, credentials)));
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
 * binder/ or .binder/ (a symlink to a folder inside the repository counts; one leading outside, or
 * dangling, is an error). A future --config-dir is checked the same way in one line:
 * `await root.subRoot(opts.configDir, "--config-dir")` refuses a folder that is missing or leads out.
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

/** Looks up one row of CONFIG_FILES: the first candidate present is read and parsed. */
async function detectOne(
  root: RepoRoot,
  configDir: string,
  [key, names, where, parser]: (typeof CONFIG_FILES)[number],
  ignored: IgnoredFile[],
  credentials: RepoFacts["credentials"],
): Promise<[ConfigKey, Found<unknown>] | null> {
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
    if (parser) await readAndParse(root, key, rel, parser, found, credentials);
    result = [key, found];
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
async function readAndParse(root: RepoRoot, key: ConfigKey, rel: string, parser: Parser, found: Found<unknown>, credentials: RepoFacts["credentials"]): Promise<void> {
  try {
    const { text, stats, viaLink } = await root.readConfigFile(rel, { lenient: SKIMMED.has(key) });
    for (const hit of findCredentials(text)) credentials.push({ path: rel, ...hit });
    found.data = parser(text, rel);
    // Only a file that is itself executable (not through a link) keeps its mode in the context.
    if (parser === parseScript && !viaLink && (stats.mode & 0o111) === 0o111) (found.data as ScriptFile).executable = true;
    if (key === "requirements") await checkRequirementIncludes(root, rel, found.data as RequirementsTxt, credentials);
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

/** The parsed content of a config file the plan depends on; rethrows its parse error. */
export function use<T>(found: Found<T>): T {
  if (found.error) throw found.error;
  return found.data as T;
}
