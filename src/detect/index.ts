import { lstat, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { parseAptTxt } from "./apt-txt.js";
import { parseDescription } from "./description.js";
import { parseRepoDockerfile } from "./dockerfile.js";
import { parseEnvironmentYml } from "./environment-yml.js";
import { parseJuliaProject } from "./julia-project.js";
import { parsePipfile, parsePipfileLock } from "./pipfile.js";
import { parsePyprojectToml } from "./pyproject-toml.js";
import { parseRequirementsR } from "./requirements-r.js";
import { parseRequirementsTxt } from "./requirements-txt.js";
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

async function isFile(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isFile(), () => false);
}
/** A regular file (not a symlink) with every execute bit set: what `chmod +x` would make it. */
async function isExecutableByAll(p: string): Promise<boolean> {
  return lstat(p).then((s) => s.isFile() && (s.mode & 0o111) === 0o111, () => false);
}
async function isDir(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

export interface DetectOptions {
  /** Build from this subdirectory of the repository (repo2docker's --subdir). */
  subdir?: string;
}

/** Reads the repository's config files (never writes anything) into RepoFacts. */
export async function detectRepo(repo: string, opts: DetectOptions = {}): Promise<RepoFacts> {
  const repoRoot = path.resolve(repo);
  const rootStat = await stat(repoRoot).catch(() => null);
  if (!rootStat) {
    throw new ConfigError(`repository ${repo} does not exist`, { location: { file: repo }, hint: "pass the path of a directory (or a git URL)" });
  }
  if (!rootStat.isDirectory()) {
    throw new ConfigError(`repository ${repo} is not a directory`, { location: { file: repo }, hint: "pass the directory that holds the code, not a file in it" });
  }
  let root = repoRoot;
  if (opts.subdir) {
    root = path.resolve(repoRoot, opts.subdir);
    if (!root.startsWith(repoRoot + path.sep) && root !== repoRoot) {
      throw new ConfigError(`--subdir ${opts.subdir} is outside the repository`, { location: { file: "--subdir" }, hint: "give a path inside the repository, relative to its root" });
    }
    if (!(await isDir(root))) {
      throw new ConfigError(`--subdir ${opts.subdir} is not a directory in ${repo}`, { location: { file: "--subdir" }, hint: "give a path relative to the repository root" });
    }
  }

  const [binder, dotBinder] = await Promise.all([isDir(path.join(root, "binder")), isDir(path.join(root, ".binder"))]);
  if (binder && dotBinder) {
    throw new ConfigError("both binder/ and .binder/ exist; repo2docker's rules allow only one config directory", {
      location: { file: "binder/" },
      hint: "move the files into one of them and delete the other",
    });
  }
  const configDir = binder ? "binder" : dotBinder ? ".binder" : "";
  const files: ConfigFiles = {};
  const ignored: IgnoredFile[] = [];
  const credentials: RepoFacts["credentials"] = [];

  // Read concurrently, but fill `files` in table order so plans do not depend on I/O timing.
  const results = await Promise.all(
    CONFIG_FILES.map(async ([key, names, where, parser]): Promise<[ConfigKey, Found<unknown>] | null> => {
      let result: [ConfigKey, Found<unknown>] | null = null;
      const dir = where === "config" ? configDir : "";
      if (where === "root-only" && configDir) {
        for (const name of names) {
          if (await isFile(path.join(root, name))) ignored.push({ path: name, reason: `${configDir}/ exists, and repo2docker reads ${name} from the root only when there is no config directory` });
        }
        return null;
      }
      for (const name of names) {
        const rel = dir ? `${dir}/${name}` : name;
        if (!(await isFile(path.join(root, rel)))) continue;
        const found: Found<unknown> = { path: rel };
        if (parser) {
          try {
            const text = await readFile(path.join(root, rel), "utf8");
            for (const hit of findCredentials(text)) credentials.push({ path: rel, ...hit });
            found.data = parser(text, rel);
            if (parser === parseScript && (await isExecutableByAll(path.join(root, rel)))) (found.data as ScriptFile).executable = true;
          } catch (err) {
            if (!(err instanceof ConfigError)) throw err;
            found.error = err;
          }
        }
        result = [key, found];
        break;
      }
      if (where === "config" && configDir) {
        for (const name of names) {
          if (await isFile(path.join(root, name))) ignored.push({ path: name, reason: `${configDir}/ exists, so config files at the root are ignored` });
        }
      }
      return result;
    }),
  );
  for (const entry of results) if (entry) (files as Record<string, Found<unknown>>)[entry[0]] = entry[1];
  // environment.yaml beside environment.yml: the .yml wins, as in repo2docker.
  const envDir = configDir ? `${configDir}/` : "";
  if (files.environment?.path.endsWith(".yml") && (await isFile(path.join(root, `${envDir}environment.yaml`)))) {
    ignored.push({ path: `${envDir}environment.yaml`, reason: "environment.yml is used when both exist" });
  }

  const suspicious: IgnoredFile[] = [];
  for (const dir of new Set(["", configDir])) {
    for (const [wrong, right] of Object.entries(MISSPELLINGS)) {
      const rel = dir ? `${dir}/${wrong}` : wrong;
      // Case-insensitive file systems report the right name for the wrong one; compare exact names.
      if ((await isFile(path.join(root, rel))) && !(await isFile(path.join(root, dir, right)))) {
        suspicious.push({ path: rel, reason: `not a config file r2d reads; did you mean ${right}?` });
      }
    }
  }
  ignored.sort((a, b) => a.path.localeCompare(b.path));
  credentials.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
  return { root, configDir, files, ignored, suspicious, credentials };
}

/** The parsed content of a config file the plan depends on; rethrows its parse error. */
export function use<T>(found: Found<T>): T {
  if (found.error) throw found.error;
  return found.data as T;
}
