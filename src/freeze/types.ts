/** What `r2d freeze` shares with its per-ecosystem modules (one per kind of environment). */
import type { BuildRepoOptions, BuildRepoResult } from "../build-repo.js";
import type { Engine } from "../engine/index.js";

export type FreezeOptions = Omit<BuildRepoOptions, "build" | "run" | "push" | "grader">;

export interface FreezeResult {
  /** The written file, relative to the repository. */
  path: string;
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
  /** The lock file's current text (null: none yet). */
  previous: string | null;
}

/** The solved environment as a lock file's text, and what it pins. */
export interface Frozen {
  text: string;
  packages: { name: string; version: string }[];
  skipped: string[];
}

/** One kind of environment r2d can freeze: the packs whose images have it, the lock file it writes. */
export interface Freezer {
  /** Buildpacks whose images it reads. */
  packs: readonly string[];
  /** The lock file's name, written into the config folder (its pack installs it). */
  file: string;
  /** What it reads, for the message that refuses other packs. */
  reads: string;
  freeze(input: FreezeInput): Promise<Frozen>;
  /** The versions a lock file of this kind pins (empty when unreadable: everything is new). */
  pins(text: string | null): Map<string, string>;
}
