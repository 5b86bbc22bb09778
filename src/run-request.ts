/**
 * The plain run after a build (docker run semantics): the options of buildRepo turned into a
 * RunRequest, with the graders' environment contracts and the data directories mounted back.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { BuildRepoOptions } from "./build-repo.js";
import type { RunRequest } from "./engine/index.js";
import { PASSED_RUN_ENV } from "./grader/index.js";
import type { BuildPlan } from "./plan/types.js";

/** The plain run after the build (docker run semantics). */
export function runRequest(options: BuildRepoOptions, plan: BuildPlan, image: string, root: string): RunRequest {
  return {
    image,
    command: options.command ?? [],
    env: runEnv(options.env ?? []),
    publish: options.publish ?? [],
    volumes: [...(options.editable ? [`${root}:${plan.repoDir}`] : []), ...(options.volumes ?? []), ...(options.mountData ? dataMounts(plan, root) : [])],
    extra: options.publishAll ? ["--publish-all"] : undefined,
    remove: true,
    interactive: options.runOptions?.interactive ?? false,
    tty: options.runOptions?.tty ?? false,
    platform: options.platform,
    network: options.runOptions?.network,
    memory: options.runOptions?.memory,
    cpus: options.runOptions?.cpus,
    shmSize: options.runOptions?.shmSize,
    gpus: options.runOptions?.gpus,
    user: options.runOptions?.user,
  };
}

/** The graders' run-time contracts (crowdAI's TEST_DIRECTORY and OUTPUT_PATH): set in the caller's environment, they reach the container. */
function runEnv(env: string[]): string[] {
  const named = new Set(env.map((e) => e.split("=")[0]));
  const passed = PASSED_RUN_ENV.filter((k) => process.env[k] !== undefined && !named.has(k));
  return [...env, ...passed];
}

/** Excluded data directories that exist, mounted read-only at the same place under the repository. */
function dataMounts(plan: BuildPlan, root: string): string[] {
  return plan.context.excludes
    .filter((p) => !/[*?[\]!]/.test(p))
    .map((p) => p.replace(/^\/+|\/+$/g, ""))
    .filter((p) => {
      const abs = path.join(root, p);
      return existsSync(abs) && statSync(abs).isDirectory();
    })
    .map((p) => `${path.join(root, p)}:${plan.repoDir}/${p}:ro`);
}
