/**
 * Types of the grader stage: run a built image the way a challenge or marketplace grader
 * will, and say per rule whether it passes.
 */

import type { GraderProfileName } from "./profiles.js";

export type { GraderProfileName };

/** How the Modzy profile reaches the model server: a port published on 127.0.0.1, or the host network. */
export type ModzyNetworkMode = "auto" | "publish" | "host";

export interface GraderOptions {
  profile: GraderProfileName;
  /** Host folder with the inputs (default: the repository's sample_data/, test_data/, tests/input/, ...). */
  inputDir?: string;
  /** Host folder with the expected outputs (default: the one paired with the input convention). */
  expectedDir?: string;
  /** Docker syntax: `512m`, `2g`. Modzy: model.yaml's resources.memory.size when not given. */
  memory?: string;
  /** `1`, `0.5`. Modzy: model.yaml's resources.cpu.count when not given. */
  cpus?: string;
  /** `64m`, `0m` (Docker treats 0 as its default). */
  shmSize?: string;
  /** Passed as `--gpus` only when given (`all`, `1`, `device=0`). */
  gpus?: string;
  /** Wall-clock limit of the container in ms; it is killed when it runs longer. */
  timeoutMs?: number;
  /** Default linux/amd64, what all three graders run. */
  platform?: string;
  /** Modzy only (default auto: publish when the engine has a bridge network, else host). */
  modzyNetwork?: ModzyNetworkMode;
  /** Modzy only: how long the container may take to exit after POST /shutdown (default 10 s). */
  shutdownGraceMs?: number;
  onMessage?: (level: "info" | "warn" | "debug", text: string) => void;
  signal?: AbortSignal;
}

/** One rule of the grader, with why it passed or failed. */
export interface GradeCheck {
  /** Stable identifier: `exit-code`, `network`, `outputs`, `run:0001`, ... */
  name: string;
  passed: boolean;
  /** What was seen. */
  reason: string;
  /** What to change, on failures. */
  hint?: string;
}

export interface GradeUser {
  uid: number | null;
  name: string | null;
}

export interface GradeLimits {
  memory?: string;
  cpus?: string;
  shmSize?: string;
  gpus?: string;
  timeoutMs: number;
  network: string;
  platform: string;
}

export interface GradeResult {
  profile: GraderProfileName;
  image: string;
  passed: boolean;
  checks: GradeCheck[];
  /** Time the container ran (start to exit), in ms. */
  durationMs: number;
  /** Highest memory use of the container's cgroup, when it could be read. */
  peakMemoryBytes: number | null;
  /** Where the peak came from: the host's cgroup files, `docker exec` inside the container, or nowhere. */
  peakMemorySource: "cgroup" | "exec" | null;
  /** The user the container ran as. */
  user: GradeUser | null;
  exitCode: number | null;
  limits: GradeLimits;
  /** Where the input and expected outputs came from (host paths), and why. */
  data: { input?: string; expected?: string; source: string };
  /** The last lines of the container's output. */
  logs: { stdout: string; stderr: string };
  /** The `docker run` line of the graded run, to repeat it by hand. */
  command?: string;
}
