/**
 * Types for the `context` stage: repository → the exact file set sent to the builder.
 */

export interface ContextOptions {
  /** Absolute path of the build root (the repository, or its `--subdir`). */
  root: string;
  /**
   * Directory (relative to `root`) whose `.dockerignore` and `.containerignore` are read, patterns
   * concatenated in that order. `""` or undefined = the root. repo2docker reads them from `binder/`
   * or `.binder/` when that directory exists; the caller decides. Patterns are always relative to
   * `root`, wherever the files live.
   */
  ignoreFileDir?: string;
  /**
   * Extra excluded paths/patterns, relative to `root`, in Docker pattern syntax (a leading `!` is an
   * exception). The caller passes `["data"]` by default, plus each `--exclude`. An entry whose
   * cleaned pattern is exactly `data` reports reason `"data"`; any other reports `"exclude"`.
   */
  excludes?: string[];
  /**
   * Paths (Docker pattern syntax) kept even though excluded by `excludes`: `data/small.csv`, `data`,
   * `data/*.csv`. They override the default data exclusion and `--exclude`, never `.dockerignore`.
   */
  includes?: string[];
  /** Default true: `.git` (directory, or the file of a worktree/submodule), at any depth, is never sent. */
  excludeGit?: boolean;
  /**
   * Paths (relative to `root`, literal, not patterns) always sent even when `.dockerignore` or
   * `excludes` would leave them out — the repository's own Dockerfile, as Docker does. The ignore
   * files that were read are always kept too. `.git` still wins.
   */
  keep?: string[];
}

export type ContextFileType = "file" | "dir" | "symlink";

export interface ContextFile {
  /** Posix path relative to the root, no leading `./`, no trailing `/`. */
  rel: string;
  /** Absolute path on this machine. */
  abs: string;
  type: ContextFileType;
  /** Bytes for regular files; 0 for directories and symlinks. */
  size: number;
  /** Permission bits (`st_mode & 0o7777`). */
  mode: number;
  mtimeMs: number;
  /** The link text, verbatim, for symlinks. */
  linkTarget?: string;
  /**
   * The walk's lstat identity (`st_dev`, `st_ino`): when the entry is sent, what is opened must
   * be this very inode, of the same type and (for files) size, or the build fails.
   */
  dev: number;
  ino: number;
}

export type ExcludedReason = "git" | "data" | "exclude" | "dockerignore" | "symlink-outside" | "special";

export interface ExcludedEntry {
  /** Posix path relative to the root. */
  path: string;
  reason: ExcludedReason;
  /**
   * For pattern reasons: the pattern that excluded it (and where it came from); for
   * `symlink-outside`: the link text; for `special`: `socket`, `fifo`, `block device`, `character device`.
   */
  detail?: string;
  /** What was left out (directories are shown as `name/`). */
  kind?: "file" | "dir" | "symlink" | "other";
  /**
   * For an excluded directory that was still walked because an exception (`!` pattern, `includes`,
   * `keep`) could match inside it: how many files/symlinks beneath it were sent anyway.
   */
  keptInside?: number;
}

export interface ContextSelection {
  /** The root, as given. */
  root: string;
  /** Everything sent, sorted by `rel` (code-unit order); directories included, the root itself not. */
  files: ContextFile[];
  /** Number of non-directory entries (regular files and symlinks) in `files`. */
  fileCount: number;
  /** Sum of regular-file sizes. */
  bytes: number;
  /**
   * What was left out, top-most first: an excluded directory that was not walked appears once,
   * its contents not listed. Sorted by path.
   */
  excluded: ExcludedEntry[];
  /** Human-readable notes (symlinks skipped or dangling in the image, `--include` that matched nothing…). */
  warnings: string[];
}

/** A file r2d generates (Dockerfile, entrypoint) and adds next to the context. */
export interface ExtraFile {
  /** Posix path inside the tar / directory (not under `prefix`). */
  path: string;
  content: string | Buffer;
  /** Default 0o644. */
  mode?: number;
}

export interface ContextTarOptions {
  /** Directory inside the tar under which the selection is placed, e.g. `"src/"`; `""` = top level. */
  prefix: string;
  extra: ExtraFile[];
  /** Owner written into every tar header; default 0. */
  uid?: number;
  /** Group written into every tar header; default 0. */
  gid?: number;
}

export interface MaterializeOptions {
  prefix: string;
  extra: ExtraFile[];
  /** Target directory: must not exist, or be empty; must not be inside the root. */
  dir: string;
}
