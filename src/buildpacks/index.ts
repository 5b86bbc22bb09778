import type { RepoFacts } from "../detect/types.js";
import { conda } from "./conda.js";
import { dockerfile } from "./dockerfile.js";
import { pipfile } from "./pipfile.js";
import { python } from "./python.js";
import { r } from "./r.js";
import type { Buildpack } from "./types.js";
import { julia, nix } from "./unsupported.js";

export type { Buildpack, Contribution, PackContext } from "./types.js";

/** repo2docker's order: the first pack whose detect() is true builds the repository. */
export const BUILDPACKS: readonly Buildpack[] = [dockerfile, julia, nix, r, conda, pipfile, python];

/** The pack that builds a repository with no config file at all. */
export const DEFAULT_BUILDPACK: Buildpack = python;

export function selectBuildpack(facts: RepoFacts): Buildpack {
  return BUILDPACKS.find((pack) => pack.detect(facts)) ?? DEFAULT_BUILDPACK;
}
