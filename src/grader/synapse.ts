/**
 * Synapse's Docker challenge queues: the image's default command, `--network none`,
 * the input folder at /input (read-only), an empty /output, linux/amd64, GPUs only when asked.
 * Passes when the container exits 0 and wrote at least one file (or the expected ones) to /output.
 */
import type { ContainerOutcome } from "../engine/index.js";
import { runBatch } from "./batch.js";
import { findNetworkError, exitCheck, listSome, strayFiles, clip } from "./checks.js";
import { INPUT_CONVENTIONS, findDataFolders, listFiles } from "./data.js";
import { GRADER_PLATFORM, imageCommand, type GradeContext, type GraderProfile, type ProfileRun } from "./profile.js";
import type { GradeCheck } from "./types.js";

export const SYNAPSE_INPUT = "/input";
export const SYNAPSE_OUTPUT = "/output";

export function networkCheck(o: ContainerOutcome): GradeCheck {
  const line = findNetworkError(`${o.stderr}\n${o.stdout}`);
  if (o.exitCode === 0 && !o.startError) {
    return { name: "network", passed: true, reason: line ? `ran without the network (it printed a network error but carried on: ${line})` : "ran without the network" };
  }
  if (line && !o.timedOut && !o.oomKilled) {
    return {
      name: "network",
      passed: false,
      reason: `needs the network: ${line}`,
      hint: "Synapse runs submissions with --network none: download models, weights and data at build time (postBuild, or files in the repository) and load them from disk at run time",
    };
  }
  return { name: "network", passed: true, reason: "no sign that it needed the network" };
}

/** The /output rule: at least one file, and where the files went when there are none. */
export function outputsCheck(written: string[], o: ContainerOutcome, defaultCommand: string, mounts: string[]): GradeCheck {
  const stray = strayFiles(o.changes, mounts);
  if (written.length > 0) {
    const also = stray.length ? ` (it also wrote ${listSome(stray)} outside ${SYNAPSE_OUTPUT}, which Synapse discards)` : "";
    return { name: "outputs", passed: true, reason: `wrote ${written.length} file(s) to ${SYNAPSE_OUTPUT}: ${listSome(written)}${also}` };
  }
  let hint: string;
  if (stray.length) {
    hint = `it wrote ${listSome(stray)} instead; only files in ${SYNAPSE_OUTPUT} are kept: write results to the --output-dir folder (default ${SYNAPSE_OUTPUT})`;
  } else if (o.exitCode !== 0 || o.startError) {
    hint = "it failed before writing anything (see exit-code)";
  } else if (/^\/bin\/(ba)?sh$/.test(defaultCommand)) {
    hint = `the image's default command is ${defaultCommand}, which does nothing without a terminal: add a run.sh that runs the model, e.g. python run_model.py --input-dir ${SYNAPSE_INPUT} --output-dir ${SYNAPSE_OUTPUT}`;
  } else {
    hint = `the default command (${defaultCommand}) must write its results to ${SYNAPSE_OUTPUT}`;
  }
  return { name: "outputs", passed: false, reason: `wrote nothing to ${SYNAPSE_OUTPUT}`, hint };
}

export function inputCheck(input: string | undefined, source: string, flag = "--grader-input"): GradeCheck {
  if (input) return { name: "input-data", passed: true, reason: source };
  return {
    name: "input-data",
    passed: false,
    reason: `no input folder: looked for ${INPUT_CONVENTIONS.map((c) => `${c.input}/`).join(", ")}; ran with an empty one`,
    hint: `add example inputs as sample_data/ (what the Synapse templates use) or pass ${flag} DIR`,
  };
}

async function run(ctx: GradeContext): Promise<ProfileRun> {
  const data = await findDataFolders(ctx.repoRoot, ctx.options);
  const defaultCommand = imageCommand(ctx.info);
  return runBatch(ctx, {
    inputMount: SYNAPSE_INPUT,
    outputMount: SYNAPSE_OUTPUT,
    command: [],
    env: [],
    network: "none",
    networkLabel: "none",
    defaultTimeoutMs: synapse.defaultTimeoutMs,
    announce: `running ${ctx.image} as Synapse does (--network none, /input read-only, /output)`,
    data,
    expected: data.expected ? { dir: data.expected, files: await listFiles(data.expected) } : null,
    judge: (o, output) => [
      inputCheck(data.input, data.source),
      exitCheck(o, `the default command (${clip(defaultCommand, 80)})`),
      networkCheck(o),
      outputsCheck(output.files, o, defaultCommand, [SYNAPSE_INPUT, SYNAPSE_OUTPUT]),
    ],
  });
}

export const synapse: GraderProfile<"synapse"> = {
  name: "synapse",
  summary: "Synapse challenge queues: default command, --network none, /input read-only, /output, linux/amd64",
  defaultTimeoutMs: 60 * 60_000,
  platform: GRADER_PLATFORM,
  buildDefaults: () => ({}),
  passEnv: [],
  run,
};
