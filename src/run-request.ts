/**
 * The plain run after a build (docker run semantics): the options of buildRepo turned into a
 * RunRequest, with the crowdAI environment contract and the data directories mounted back.
 */
import { realpathSync, statSync } from "node:fs";
import path from "node:path";
import type { BuildRepoOptions } from "./build-repo.js";
import type { RunRequest } from "./engine/index.js";
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

/** The crowdAI contract: TEST_DIRECTORY and OUTPUT_PATH from the caller's environment reach run.sh. */
function runEnv(env: string[]): string[] {
  const named = new Set(env.map((e) => e.split("=")[0]));
  const passed = ["TEST_DIRECTORY", "OUTPUT_PATH"].filter((k) => process.env[k] !== undefined && !named.has(k));
  return [...env, ...passed];
}

/**
 * Excluded data directories that exist inside the repository, mounted read-only at the same place
 * under it. Through a link a folder could be anywhere (`data -> /etc`): only one whose real path is
 * inside the repository is mounted, and by that real path.
 */
function dataMounts(plan: BuildPlan, root: string): string[] {
  const realRoot = realpathSync(root);
  return plan.context.excludes
    .filter((p) => !/[*?[\]!]/.test(p))
    .map((p) => p.replace(/^\/+|\/+$/g, ""))
    .flatMap((p) => {
      let real: string;
      try {
        real = realpathSync(path.join(root, p));
      } catch {
        return []; // missing, dangling or a loop
      }
      const rel = path.relative(realRoot, real);
      const inside = rel !== "" && rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
      return inside && statSync(real).isDirectory() ? [`${real}:${plan.repoDir}/${p}:ro`] : [];
    });
}
