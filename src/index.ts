/**
 * r2d's public API. Data flows one way: detect → buildpacks → plan → render / context → engine.
 */
import { buildRepo, type BuildRepoOptions } from "./build-repo.js";
import type { RepoFacts } from "./detect/types.js";
import type { BuildPlan } from "./plan/types.js";

export { BuildError, ConfigError, EngineError, UnsupportedError, exitCodeFor } from "./errors.js";
export { detectRepo } from "./detect/index.js";
export type { RepoFacts } from "./detect/types.js";
export { makePlan, DEFAULT_EXCLUDES, R2D_VERSION } from "./plan/index.js";
export type { BuildPlan, BuildpackName, PlanOptions } from "./plan/index.js";
export { renderDockerfile } from "./render/index.js";
export { BUILDPACKS, selectBuildpack } from "./buildpacks/index.js";
export { buildRepo } from "./build-repo.js";
export { freezeRepo } from "./freeze/index.js";
export type { FreezeOptions, FreezeResult } from "./freeze/index.js";
export type { BuildRepoOptions, BuildRepoResult, R2dEvent } from "./build-repo.js";
export { selectContext, describeSelection } from "./context/index.js";
export type { ContextSelection } from "./context/index.js";
export { probeEngine, inspectImage, removeImage, runContainer } from "./engine/index.js";
export type { Engine, EngineKind, ProgressEvent, RunResult } from "./engine/index.js";
export { checkImageName, defaultImageName } from "./image-name.js";
export { gradeImage, formatGradeReport, gradeJson, GRADER_PROFILES } from "./grader/index.js";
export type { GradeCheck, GradeResult, GraderOptions, GraderProfileName } from "./grader/index.js";

export type PlanRepoOptions = Omit<BuildRepoOptions, "build">;

export interface PlannedRepo {
  facts: RepoFacts;
  plan: BuildPlan;
  dockerfile: string;
}

/** Reads a repository (a local path or a git URL) and returns its plan and Dockerfile: `buildRepo` with `build: false`. */
export async function planRepo(repo: string, options: PlanRepoOptions = {}): Promise<PlannedRepo> {
  const { facts, plan, dockerfile } = await buildRepo(repo, { ...options, build: false });
  return { facts, plan, dockerfile };
}
