/**
 * The GPUs of runs and graders (`docker run --gpus`): the value given with --gpus, else `all` when
 * the image was built with --gpu; `none` gives none (a --gpu image run where there is no GPU).
 */
import type { BuildRepoOptions } from "./build-repo.js";

export function runGpus(gpu: boolean | undefined, gpus: string | undefined): string | undefined {
  const value = gpus ?? (gpu ? "all" : undefined);
  return value === "none" ? undefined : value;
}

/** The options with the plain run's and the grader's GPUs settled (one rule for the CLI, the action and the API). */
export function withRunGpus(options: BuildRepoOptions): BuildRepoOptions {
  const { gpu, runOptions, grader } = options;
  if (!gpu && !runOptions?.gpus && !grader?.gpus) return options;
  return {
    ...options,
    runOptions: { ...runOptions, gpus: runGpus(gpu, runOptions?.gpus) },
    ...(grader ? { grader: { ...grader, gpus: runGpus(gpu, grader.gpus) } } : {}),
  };
}
