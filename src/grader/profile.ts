/**
 * What a grader profile is: its data (name, summary, defaults, the build settings it implies, the
 * run-time environment it passes on) and one function that runs the image the grader's way and
 * returns its checks. Common checks (platform, user) and the temp folder are handled by gradeImage.
 * Adding a grader: one module exporting a GraderProfile, one line in profiles.ts.
 */
import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import type { ContainerOutcome } from "../engine/container.js";
import { formatCommand } from "../engine/exec.js";
import { runCommand } from "../engine/run.js";
import type { Engine, ImageInfo, RunRequest } from "../engine/types.js";
import type { BuildPlan } from "../plan/types.js";
import { expectedCheck, memoryCheck, timeoutCheck } from "./checks.js";
import { compareOutputs } from "./compare.js";
import type { GradeCheck, GradeLimits, GradeResult, GraderOptions } from "./types.js";

/** The platform all the graders run. */
export const GRADER_PLATFORM = "linux/amd64";

export interface GradeContext {
  engine: Engine;
  image: string;
  info: ImageInfo;
  plan: BuildPlan;
  repoRoot: string;
  options: GraderOptions;
  platform: string;
  /** A temp folder for mounts, removed after grading. */
  tmp: string;
  debug: (text: string) => void;
  /** An info message for the user (progress). */
  say: (text: string) => void;
}

export interface ProfileRun {
  checks: GradeCheck[];
  /** null when no container ran. */
  outcome: ContainerOutcome | null;
  limits: GradeLimits;
  data: GradeResult["data"];
  /** The `docker run` line, for running it by hand. */
  command: string;
}

/** The build settings a grader may imply (see buildDefaults). */
export interface GraderBuildSettings {
  userName?: string;
  userId?: number | string;
  platform?: string;
}

export interface GraderProfile<N extends string = string> {
  name: N;
  /** One line, for --help and the report. */
  summary: string;
  /** Wall-clock limit when --timeout is not given. */
  defaultTimeoutMs: number;
  /** The platform the grader runs (what the image is built for when --platform is not given). */
  platform: string;
  /** Build settings the grader implies when the user did not choose them (e.g. crowdAI's user). */
  buildDefaults(given: GraderBuildSettings): Omit<GraderBuildSettings, "platform">;
  /** Variables of the caller's environment a plain run (no --grader) passes to the container: the grader's run-time contract. */
  passEnv: readonly string[];
  run(ctx: GradeContext): Promise<ProfileRun>;
}

/** A folder the container's user can write whatever its uid (the host folder is temporary). */
export async function writableDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o777);
  return dir;
}

/** A readable empty folder, mounted when there is no input. */
export async function emptyDir(tmp: string, name: string): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  return dir;
}

/** The image's command as one string: ENTRYPOINT + CMD, for messages. */
export function imageCommand(info: ImageInfo): string {
  const parts = [...(info.entrypoint ?? []).filter((p) => !p.endsWith("/r2d-entrypoint")), ...(info.cmd ?? [])];
  return parts.join(" ") || "(none)";
}

/** The `docker run` line to repeat the graded run by hand: temp folders become folders under the current directory. */
export function byHand(engine: Engine, req: RunRequest, tmp: string): string {
  return formatCommand(runCommand(engine, { ...req, remove: true })).split(tmp).join('"$PWD"');
}

/**
 * The checks every batch profile ends with: the expected outputs (when there are any) compared with
 * what the run wrote to `output`, then memory and the timeout.
 */
export async function closingChecks(
  o: ContainerOutcome,
  output: string,
  expected: { dir: string; files: string[] } | null,
  limits: { memory?: string; timeoutMs: number },
): Promise<GradeCheck[]> {
  const checks: GradeCheck[] = [];
  if (expected) {
    const pairs = new Map(expected.files.map((f) => [f, path.join(expected.dir, f)] as const));
    checks.push(expectedCheck(await compareOutputs(pairs, output), pairs.size, expected.dir));
  }
  checks.push(memoryCheck(o, { memory: limits.memory }), timeoutCheck(o, limits.timeoutMs));
  return checks;
}

/** The limits a batch profile ran under, for the report. */
export function runLimits(options: GraderOptions, timeoutMs: number, network: string, platform: string): GradeLimits {
  return { memory: options.memory, cpus: options.cpus, shmSize: options.shmSize, gpus: options.gpus, timeoutMs, network, platform };
}
