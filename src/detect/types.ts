import type { ConfigError } from "../errors.js";
import type { Description } from "./description.js";
import type { RepoDockerfile } from "./dockerfile.js";
import type { EnvironmentYml } from "./environment-yml.js";
import type { JuliaProject } from "./julia-project.js";
import type { Pipfile } from "./pipfile.js";
import type { PyprojectToml } from "./pyproject-toml.js";
import type { RequirementsR } from "./requirements-r.js";
import type { RequirementsTxt } from "./requirements-txt.js";
import type { RuntimeTxt } from "./runtime-txt.js";
import type { ScriptFile } from "./script.js";

/**
 * A config file that exists. Parse errors are kept, not thrown: a malformed file that the chosen
 * buildpack ignores (a Pipfile beside environment.yml) must not stop the build.
 */
export interface Found<T> {
  /** Path relative to the build root, posix separators. */
  path: string;
  data?: T;
  error?: ConfigError;
}

export interface ConfigFiles {
  dockerfile?: Found<RepoDockerfile>;
  juliaProject?: Found<JuliaProject>;
  juliaRequire?: Found<null>;
  defaultNix?: Found<null>;
  runtime?: Found<RuntimeTxt>;
  description?: Found<Description>;
  installR?: Found<null>;
  requirementsR?: Found<RequirementsR>;
  environment?: Found<EnvironmentYml>;
  pipfile?: Found<Pipfile>;
  pipfileLock?: Found<Pipfile>;
  requirements?: Found<RequirementsTxt>;
  setupPy?: Found<null>;
  pyproject?: Found<PyprojectToml>;
  apt?: Found<string[]>;
  postBuild?: Found<ScriptFile>;
  start?: Found<ScriptFile>;
  runSh?: Found<ScriptFile>;
}

export type ConfigKey = keyof ConfigFiles;

export interface IgnoredFile {
  path: string;
  reason: string;
}

/** Everything r2d learned from reading the repository; plain data, no file handles. */
export interface RepoFacts {
  /** Absolute path of the build root (the repository, or its --subdir). */
  root: string;
  /** "binder", ".binder" or "" (the root): where config files are read from. */
  configDir: string;
  files: ConfigFiles;
  /** Config files present but not used, with the reason (shown to the user). */
  ignored: IgnoredFile[];
  /** Passwords or tokens in URLs inside config files (they would be copied into the image). */
  credentials: { path: string; line: number; redacted: string }[];
  /** Files that look like a misspelt config file. */
  suspicious: IgnoredFile[];
}
