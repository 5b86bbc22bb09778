/**
 * A batch grader's run (Synapse, crowdAI): the input folder mounted read-only and an empty output
 * folder writable, the container started under the grader's limits, waited for, its outputs
 * listed, the profile's own checks, the closing checks (expected outputs, memory, timeout), and
 * the container removed whatever happens.
 */
import path from "node:path";
import { startContainer, type ContainerOutcome } from "../engine/container.js";
import type { RunRequest } from "../engine/types.js";
import { listFiles, type DataFolders } from "./data.js";
import { byHand, closingChecks, emptyDir, runLimits, writableDir, type GradeContext, type ProfileRun } from "./profile.js";
import type { GradeCheck } from "./types.js";

export interface BatchRun {
  /** Where the folders are mounted in the container. */
  inputMount: string;
  outputMount: string;
  /** The container's command (empty: the image's default), environment and network (undefined: the engine's default). */
  command: string[];
  env: string[];
  network?: string;
  /** The network, for the report. */
  networkLabel: string;
  /** The wall-clock limit when --timeout is not given. */
  defaultTimeoutMs: number;
  /** Said before the container starts. */
  announce: string;
  /** The data folders, and the expected outputs to compare (null: none). */
  data: DataFolders;
  expected: { dir: string; files: string[] } | null;
  /** The data source, for the report (default: the data folders'). */
  source?: string;
  /** The profile's own checks of the finished run (before the closing checks). `output`: the host folder and the files written. */
  judge(o: ContainerOutcome, output: { dir: string; files: string[] }): Promise<GradeCheck[]> | GradeCheck[];
}

export async function runBatch(ctx: GradeContext, spec: BatchRun): Promise<ProfileRun> {
  const { options } = ctx;
  const input = spec.data.input ?? (await emptyDir(ctx.tmp, "input"));
  const output = await writableDir(path.join(ctx.tmp, "output"));
  const timeoutMs = options.timeoutMs ?? spec.defaultTimeoutMs;
  const req: RunRequest = {
    image: ctx.image,
    command: spec.command,
    env: spec.env,
    publish: [],
    volumes: [`${input}:${spec.inputMount}:ro`, `${output}:${spec.outputMount}:rw`],
    network: spec.network,
    memory: options.memory,
    cpus: options.cpus,
    shmSize: options.shmSize,
    gpus: options.gpus,
    platform: ctx.platform,
    remove: false,
    interactive: false,
    tty: false,
  };
  ctx.say(spec.announce);
  const c = startContainer(ctx.engine, req, { timeoutMs, signal: options.signal, onDebug: ctx.debug });
  try {
    const o = await c.done;
    const checks = [...(await spec.judge(o, { dir: output, files: await listFiles(output) }))];
    checks.push(...(await closingChecks(o, output, spec.expected, { memory: options.memory, timeoutMs })));
    return {
      checks,
      outcome: o,
      limits: runLimits(options, timeoutMs, spec.networkLabel, ctx.platform),
      data: { input: spec.data.input, expected: spec.data.expected, source: spec.source ?? spec.data.source },
      command: byHand(ctx.engine, req, ctx.tmp),
    };
  } finally {
    await c.remove();
  }
}
