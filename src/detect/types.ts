import type { ConfigFiles } from "../buildpacks/index.js";

export type { Found } from "./found.js";
/** The files r2d looks for are declared by the buildpacks; their registry derives these types. */
export type { ConfigFiles, ConfigKey } from "../buildpacks/index.js";

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
