/** What `r2d freeze` shares with its per-ecosystem modules (one per kind of environment). */
import type { BuildRepoOptions, BuildRepoResult } from "../build-repo.js";
import type { Engine } from "../engine/index.js";

export type FreezeOptions = Omit<BuildRepoOptions, "build" | "run" | "push" | "grader">;

export interface FreezeResult {
  /** The written lock file, relative to the repository. */
  path: string;
  /** Further files written beside it (a conda environment's pip packages), relative to the repository. */
  alsoWritten: string[];
  imageName: string;
  packages: { name: string; version: string }[];
  /** `+ name version`, `- name version`, `~ name old -> new`: empty when nothing changed. */
  changes: string[];
  /** Installed packages that were not pinned, and why. */
  skipped: string[];
}

/** What a freezer reads from: the built image and what r2d knew when it built it. */
export interface FreezeInput {
  engine: Engine;
  built: BuildRepoResult;
  options: FreezeOptions;
  /** A file's current text in the config folder (null: none yet). */
  read(name: string): Promise<string | null>;
}

/** One file a freezer writes into the config folder. */
export interface FrozenFile {
  name: string;
  text: string;
  /** The versions a text of this file pins (empty when it is absent or unreadable: everything is new). */
  pins(text: string | null): Map<string, string>;
  /** Put after each of its change lines (` (pip)`), to tell them from the lock file's. */
  note?: string;
}

/** The solved environment as files (the lock file first), and what they pin. */
export interface Frozen {
  files: FrozenFile[];
  packages: { name: string; version: string }[];
  skipped: string[];
}

/** One kind of environment r2d can freeze: the packs whose images have it, and how it is read. */
export interface Freezer {
  /** Buildpacks whose images it reads. */
  packs: readonly string[];
  /** What it reads, for the message that refuses other packs. */
  reads: string;
  /** The files to write into the config folder (their packs install them at the next build). */
  freeze(input: FreezeInput): Promise<Frozen>;
}
