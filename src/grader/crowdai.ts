/**
 * crowdAI's repo2docker graders: `/home/crowdai/run.sh` with TEST_DIRECTORY set to a mounted
 * input folder and OUTPUT_PATH to a file in a mounted output folder. Passes when run.sh exits 0
 * and the output file exists (and matches the expected one, when the repository has it).
 */
import { existsSync } from "node:fs";
import { lstat } from "node:fs/promises";
import path from "node:path";
import type { ContainerOutcome } from "../engine/index.js";
import type { BuildPlan } from "../plan/types.js";
import { runBatch } from "./batch.js";
import { exitCheck, humanBytes, listSome, strayFiles } from "./checks.js";
import { findDataFolders, listFiles } from "./data.js";
import { GRADER_PLATFORM, type GradeContext, type GraderBuildSettings, type GraderProfile, type ProfileRun } from "./profile.js";
import { inputCheck } from "./synapse.js";
import type { GradeCheck } from "./types.js";

export const CROWDAI_HOME = "/home/crowdai";
export const CROWDAI_ENTRY = `${CROWDAI_HOME}/run.sh`;
export const CROWDAI_INPUT = "/crowdai-payload";
export const CROWDAI_OUTPUT_DIR = "/crowdai-output";
export const DEFAULT_OUTPUT_NAME = "output.csv";

/** Before running: is there a run.sh, and will it be at /home/crowdai/run.sh? */
export function entryPointCheck(plan: BuildPlan, repoRoot: string): GradeCheck | null {
  const name = "entry-point";
  if (!existsSync(path.join(repoRoot, "run.sh"))) {
    return {
      name,
      passed: false,
      reason: "the repository has no run.sh at its root",
      hint: `crowdAI runs ${CROWDAI_ENTRY}: add run.sh at the repository root; it reads the inputs from $TEST_DIRECTORY and writes the predictions to $OUTPUT_PATH`,
    };
  }
  if (plan.buildpack === "dockerfile") return null; // the Dockerfile decides where the repository lands: judged by the run
  if (plan.repoDir !== CROWDAI_HOME) {
    return {
      name,
      passed: false,
      reason: `the repository lands in ${plan.repoDir}, so ${CROWDAI_ENTRY} does not exist`,
      hint: "build as crowdAI does: --user-name crowdai --user-id 1001, without --target-repo-dir",
    };
  }
  return { name, passed: true, reason: `run.sh is at ${CROWDAI_ENTRY}` };
}

/** Where the output went when OUTPUT_PATH was not written: the likeliest stray file first. */
export function outputFileCheck(found: { bytes: number } | null, outputPath: string, o: ContainerOutcome, others: string[]): GradeCheck {
  const name = "output-file";
  if (found) return { name, passed: true, reason: `wrote OUTPUT_PATH ${outputPath} (${humanBytes(found.bytes)})` };
  const base = path.posix.basename(outputPath);
  const stray = strayFiles(o.changes, [CROWDAI_INPUT, CROWDAI_OUTPUT_DIR]);
  const candidates = [...stray, ...others.map((f) => `${CROWDAI_OUTPUT_DIR}/${f}`)].sort((a, b) => score(b) - score(a));
  function score(p: string): number {
    return (path.posix.basename(p) === base ? 4 : 0) + (path.posix.extname(p) === path.posix.extname(base) ? 2 : 0) + (p.startsWith(CROWDAI_OUTPUT_DIR) ? 1 : 0);
  }
  const reason = `OUTPUT_PATH ${outputPath} was not written`;
  if (candidates.length) {
    return { name, passed: false, reason, hint: `wrote to ${candidates[0]}, but OUTPUT_PATH was ${outputPath}: open the file named by $OUTPUT_PATH for the predictions${candidates.length > 1 ? ` (other files written: ${listSome(candidates.slice(1))})` : ""}` };
  }
  if (o.exitCode !== 0 || o.startError) return { name, passed: false, reason, hint: "run.sh failed before writing anything (see exit-code)" };
  return { name, passed: false, reason, hint: "run.sh must write its predictions to the file named by $OUTPUT_PATH (its folder exists and is writable)" };
}

/** Whether run.sh could run, when the repository's own Dockerfile decided where it landed (no check before the run). */
function ranCheck(o: ContainerOutcome): GradeCheck {
  if (o.exitCode === 126 || o.exitCode === 127) {
    return { name: "entry-point", passed: false, reason: `${CROWDAI_ENTRY} could not run (exit ${o.exitCode})`, hint: "the Dockerfile must put the repository, with an executable run.sh, in /home/crowdai" };
  }
  return { name: "entry-point", passed: true, reason: `${CROWDAI_ENTRY} ran` };
}

async function run(ctx: GradeContext): Promise<ProfileRun> {
  const data = await findDataFolders(ctx.repoRoot, ctx.options);
  const expectedFiles = data.expected ? await listFiles(data.expected) : [];
  // One expected file names the output; else crowdAI's own example name.
  const outputName = expectedFiles.length === 1 ? path.posix.basename(expectedFiles[0]!) : DEFAULT_OUTPUT_NAME;
  const outputPath = `${CROWDAI_OUTPUT_DIR}/${outputName}`;
  const entry = entryPointCheck(ctx.plan, ctx.repoRoot);
  return runBatch(ctx, {
    inputMount: CROWDAI_INPUT,
    outputMount: CROWDAI_OUTPUT_DIR,
    command: [CROWDAI_ENTRY],
    env: [`TEST_DIRECTORY=${CROWDAI_INPUT}`, `OUTPUT_PATH=${outputPath}`],
    networkLabel: "default",
    defaultTimeoutMs: crowdai.defaultTimeoutMs,
    announce: `running ${CROWDAI_ENTRY} in ${ctx.image} as crowdAI does (TEST_DIRECTORY=${CROWDAI_INPUT}, OUTPUT_PATH=${outputPath})`,
    data,
    expected: data.expected && expectedFiles.length ? { dir: data.expected, files: expectedFiles } : null,
    source: `${data.source}; OUTPUT_PATH ${outputPath}`,
    judge: async (o, output) => {
      // lstat: a link the container left in its output is not the output (nor is the file it points at).
      const found = await lstat(path.join(output.dir, outputName)).then((s) => (s.isFile() ? { bytes: s.size } : null), () => null);
      const others = output.files.filter((f) => f !== outputName);
      return [entry ?? ranCheck(o), inputCheck(data.input, data.source), exitCheck(o, CROWDAI_ENTRY), outputFileCheck(found, outputPath, o, others)];
    },
  });
}

/** crowdAI's repo2docker call builds as the user crowdai (uid 1001), so run.sh lands in /home/crowdai. */
function buildDefaults(given: GraderBuildSettings): GraderBuildSettings {
  return given.userName === undefined && given.userId === undefined ? { userName: "crowdai", userId: 1001 } : {};
}

export const crowdai: GraderProfile<"crowdai"> = {
  name: "crowdai",
  summary: "crowdAI: /home/crowdai/run.sh with TEST_DIRECTORY and OUTPUT_PATH on mounted folders",
  defaultTimeoutMs: 60 * 60_000,
  platform: GRADER_PLATFORM,
  buildDefaults,
  // The crowdAI contract also for a plain run: TEST_DIRECTORY and OUTPUT_PATH from the caller's environment reach run.sh.
  passEnv: ["TEST_DIRECTORY", "OUTPUT_PATH"],
  run,
};
