/**
 * The grader registry: the profiles `--grader` offers, in the order --help lists them.
 * Adding a grader: one profile module (see profile.ts) and one line below.
 */
import { crowdai } from "./crowdai.js";
import { modzy } from "./modzy.js";
import type { GraderProfile } from "./profile.js";
import { synapse } from "./synapse.js";

export const GRADER_REGISTRY = [synapse, crowdai, modzy] as const;

export type GraderProfileName = (typeof GRADER_REGISTRY)[number]["name"];

/** The profile names: `--grader`'s choices. */
export const GRADER_PROFILES: readonly GraderProfileName[] = GRADER_REGISTRY.map((p) => p.name);

export function isGraderProfile(name: string): name is GraderProfileName {
  return (GRADER_PROFILES as readonly string[]).includes(name);
}

export function profileOf(name: GraderProfileName): GraderProfile<GraderProfileName> {
  const profile = GRADER_REGISTRY.find((p) => p.name === name);
  if (!profile) throw new TypeError(`unknown grader ${String(name)}`);
  return profile;
}

/** Variables of the caller's environment a plain run passes to the container: the run-time contracts of every grader. */
export const PASSED_RUN_ENV: readonly string[] = [...new Set(GRADER_REGISTRY.flatMap((p) => p.passEnv))];

/** Those variables as the caller's environment has them (unset ones are not passed). */
export function passedRunEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  return Object.fromEntries(PASSED_RUN_ENV.map((k) => [k, env[k]]));
}
