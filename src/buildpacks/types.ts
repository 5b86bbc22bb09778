import type { ConfigKey, RepoFacts } from "../detect/types.js";
import type { BuildPlan, BuildpackName, PlanMessage, PlanUser, Step } from "../plan/types.js";

/** What a buildpack sees when it contributes to the plan. */
export interface PackContext {
  facts: RepoFacts;
  user: PlanUser;
  home: string;
  repoDir: string;
  /** --base-image, when given. */
  baseImage?: string;
}

/** The parts of the plan a buildpack fills in; the planner adds the cross-cutting rest. */
export type Contribution = Partial<
  Pick<
    BuildPlan,
    | "python"
    | "r"
    | "env"
    | "path"
    | "aptPackages"
    | "systemSteps"
    | "environmentSteps"
    | "dependencyFiles"
    | "preAssembleSteps"
    | "assembleSteps"
    | "dockerfilePath"
    | "dockerfileText"
    | "helperFiles"
  >
> & {
  baseImage: string;
  /** Config files this pack used, with what for (shown as "detected"). */
  used: { key: ConfigKey; use: string }[];
  messages?: PlanMessage[];
};

/**
 * A buildpack: data that says when it applies and what it adds to the plan. No inheritance:
 * packs that share behaviour (R and Pipfile reuse Python's virtual environment) call the same helpers.
 */
export interface Buildpack {
  name: BuildpackName;
  /** True when this pack should build the repository (the registry takes the first). */
  detect(facts: RepoFacts): boolean;
  /** Config files this pack honours; any other present file is reported as ignored. */
  honours: ConfigKey[];
  /** Throws UnsupportedError for packs r2d detects but cannot build yet. */
  contribute(ctx: PackContext): Contribution;
  /** The ejs template under buildpacks/ that renders its Dockerfile (null: the repository brings one). */
  template: string | null;
}

export type { Step };
