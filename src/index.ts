/**
 * r2d's public API. Data flows one way: detect → buildpacks → plan → render / context → engine.
 */
import { detectRepo, type DetectOptions } from "./detect/index.js";
import type { RepoFacts } from "./detect/types.js";
import { makePlan, type PlanOptions } from "./plan/index.js";
import type { BuildPlan } from "./plan/types.js";
import { renderDockerfile } from "./render/index.js";

export { BuildError, ConfigError, EngineError, UnsupportedError, exitCodeFor } from "./errors.js";
export { detectRepo } from "./detect/index.js";
export type { RepoFacts } from "./detect/types.js";
export { makePlan, DEFAULT_EXCLUDES, R2D_VERSION } from "./plan/index.js";
export type { BuildPlan, BuildpackName, PlanOptions } from "./plan/index.js";
export { renderDockerfile } from "./render/index.js";
export { BUILDPACKS, selectBuildpack } from "./buildpacks/index.js";
export { buildRepo } from "./build-repo.js";
export type { BuildRepoOptions, BuildRepoResult, R2dEvent } from "./build-repo.js";
export { selectContext, describeSelection } from "./context/index.js";
export type { ContextSelection } from "./context/index.js";
export { probeEngine, inspectImage, removeImage, runContainer } from "./engine/index.js";
export type { Engine, EngineKind, ProgressEvent, RunResult } from "./engine/index.js";
export { checkImageName, defaultImageName } from "./image-name.js";
export { gradeImage, formatGradeReport, gradeJson, GRADER_PROFILES } from "./grader/index.js";
export type { GradeCheck, GradeResult, GraderOptions, GraderProfileName } from "./grader/index.js";

export interface PlanRepoOptions extends PlanOptions, DetectOptions {}

export interface PlannedRepo {
  facts: RepoFacts;
  plan: BuildPlan;
  dockerfile: string;
}

/** Reads a local repository and returns its plan and Dockerfile. No engine, no writes. */
export async function planRepo(repo: string, options: PlanRepoOptions = {}): Promise<PlannedRepo> {
  const facts = await detectRepo(repo, { subdir: options.subdir });
  const plan = makePlan(facts, options);
  return { facts, plan, dockerfile: renderDockerfile(plan) };
}
