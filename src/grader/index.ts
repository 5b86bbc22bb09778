/**
 * The grader stage: run an already-built image exactly as a grader will (Synapse, crowdAI,
 * a Modzy-style marketplace) and report, per rule, whether it passes. One module per profile
 * (registered in profiles.ts); shared checks in checks.ts; the batch run in batch.ts; the
 * containers themselves are the engine's (src/engine/container.ts); the report in report.ts.
 */
import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { onCleanup } from "../cleanup.js";
import { imagePlatform, imageUser, inspectImage, releaseFiles, type Engine } from "../engine/index.js";
import { ConfigError } from "../errors.js";
import type { BuildPlan } from "../plan/types.js";
import { createRunDir } from "../run-dir.js";
import { platformCheck, tailLines, userCheck } from "./checks.js";
import { parseMemorySize } from "./model-yaml.js";
import type { GraderBuildSettings } from "./profile.js";
import { GRADER_PROFILES, isGraderProfile, profileOf } from "./profiles.js";
import type { GradeResult, GraderOptions, GraderProfileName } from "./types.js";

export type * from "./types.js";
export { GRADER_PROFILES, GRADER_REGISTRY, PASSED_RUN_ENV, isGraderProfile, passedRunEnv, profileOf } from "./profiles.js";
export { GRADER_PLATFORM, type GraderProfile, type GraderBuildSettings } from "./profile.js";
export { formatGradeReport, gradeJson } from "./report.js";
export { parseModelYaml, parseDuration, parseMemorySize, type ModelYaml } from "./model-yaml.js";
export { INPUT_CONVENTIONS, MODZY_EXAMPLE_DIRS, MODZY_ERROR_DIRS } from "./data.js";

const LOG_TAIL_LINES = 40;

function checkOptions(options: GraderOptions): void {
  if (!isGraderProfile(options.profile)) {
    throw new ConfigError(`unknown grader "${String(options.profile)}"`, { location: { file: "--grader" }, hint: `one of ${GRADER_PROFILES.join(", ")}` });
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw new ConfigError(`the timeout must be positive, got ${options.timeoutMs} ms`, { location: { file: "--timeout" }, hint: "for example --timeout 10m" });
  }
}

/**
 * Runs `image` the way `options.profile` will and returns the checks. The container and the
 * temp folders are removed whatever happens (also on Ctrl-C, through the cleanup registry).
 * `workDir`: an empty private folder to work in (buildRepo passes one inside its run folder);
 * without it the grader makes its own run folder.
 */
export async function gradeImage(engine: Engine, image: string, plan: BuildPlan, repoRoot: string, options: GraderOptions, workDir?: string): Promise<GradeResult> {
  checkOptions(options);
  const profile = profileOf(options.profile);
  const debug = (text: string): void => options.onMessage?.("debug", text);
  const info = await inspectImage(engine, image, { onDebug: debug });
  if (!info) throw new ConfigError(`the image ${image} does not exist`, { location: { file: "--grader" }, hint: "build it first (r2d builds it when --grader is given with a repository)" });
  const platform = options.platform ?? profile.platform;
  const own = workDir ? undefined : await createRunDir();
  const tmp = { path: await mkdtemp(path.join(workDir ?? own!.path, "grade-")) };
  const disposeTmp = onCleanup(async () => {
    await removeTmp(engine, image, tmp.path);
    await own?.dispose();
  });
  try {
    const actualPlatform = await imagePlatform(engine, image, { onDebug: debug });
    const user = await imageUser(engine, image, info.user, { platform, onDebug: debug });
    const say = (text: string): void => options.onMessage?.("info", text);
    const run = await profile.run({ engine, image, info, plan, repoRoot, options, platform, tmp: tmp.path, debug, say });
    const checks = [platformCheck(actualPlatform, platform), userCheck(user), ...run.checks];
    const o = run.outcome;
    // An OOM kill means usage reached the limit, even when it rose between two samples.
    const limitBytes = run.limits.memory ? parseMemorySize(run.limits.memory) : undefined;
    const peakMemoryBytes = o?.oomKilled && limitBytes ? Math.max(o.peakMemoryBytes ?? 0, limitBytes) : (o?.peakMemoryBytes ?? null);
    return {
      profile: profile.name,
      image,
      passed: checks.every((c) => c.passed),
      checks,
      durationMs: o?.durationMs ?? 0,
      peakMemoryBytes,
      peakMemorySource: o?.peakMemorySource ?? null,
      user,
      exitCode: o?.exitCode ?? null,
      limits: run.limits,
      data: run.data,
      logs: { stdout: tailLines(o?.stdout ?? "", LOG_TAIL_LINES), stderr: tailLines(o?.stderr ?? "", LOG_TAIL_LINES) },
      command: run.command,
    };
  } finally {
    await disposeTmp();
  }
}

/**
 * Removes the temp folder. Files a container wrote there belong to its uid; when r2d runs as
 * another non-root user it may not delete them, so a throw-away container makes them writable first.
 */
async function removeTmp(engine: Engine, image: string, dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
    return;
  } catch {
    // Fall through: hand the files back.
  }
  await releaseFiles(engine, image, dir);
  await rm(dir, { recursive: true, force: true });
}

/**
 * Build settings a grader implies when the user did not choose them: the grader's platform, and
 * what its profile declares (crowdAI's user, so run.sh lands in /home/crowdai).
 */
export function graderBuildDefaults(profile: GraderProfileName, given: GraderBuildSettings): GraderBuildSettings & { platform: string } {
  const p = profileOf(profile);
  return { ...p.buildDefaults(given), platform: given.platform ?? p.platform };
}
