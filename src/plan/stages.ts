/**
 * Build and runtime stages, and the dev target (issue 12): which apt files go where, which
 * environment folders the runtime image receives from the builder, and what the dev image adds.
 */
import type { Buildpack, Contribution } from "../buildpacks/index.js";
import { PIP_CONF } from "../buildpacks/secrets.js";
import { pip, pipCache } from "../buildpacks/shared.js";
import type { Found } from "../detect/found.js";
import type { RepoFacts } from "../detect/types.js";
import { ConfigError } from "../errors.js";
import type { BuildPlan, BuildTarget, Compilers, PlanDev, PlanMessage, PlanStages, PlanUser } from "./types.js";

export const TARGETS: readonly BuildTarget[] = ["runtime", "dev"];

export interface StagesOptions {
  /** runtime (default) or dev. */
  target?: string;
}

export interface StagesPart {
  target: BuildTarget;
  /** apt.txt's packages, plus apt-build.txt's and apt-runtime.txt's when there is one stage. */
  aptPackages: string[];
  stages: PlanStages | null;
  dev: PlanDev | null;
  detected: BuildPlan["detected"];
  messages: PlanMessage[];
}

function packages(found: Found<string[]> | undefined): string[] {
  if (!found) return [];
  if (found.error) throw found.error;
  return found.data ?? [];
}

export function checkTarget(target: string | undefined): BuildTarget {
  if (target === undefined || target === "") return "runtime";
  if ((TARGETS as readonly string[]).includes(target)) return target as BuildTarget;
  throw new ConfigError(`--target ${JSON.stringify(target)} is not a target r2d builds`, { location: { file: "--target" }, hint: "use --target runtime (the default) or --target dev" });
}

/**
 * The pack's environment folders this plan builds: those its variables, PATH or steps name (an R
 * image without Python has no /srv/venv to copy).
 */
export function builtDirs(pack: Buildpack, c: Contribution): string[] {
  const text = [
    ...Object.values(c.env ?? {}),
    ...(c.path ?? []),
    ...[...(c.environmentSteps ?? []), ...(c.preAssembleSteps ?? []), ...(c.assembleSteps ?? [])].flatMap((s) => s.commands),
  ].join("\n");
  return (pack.envDirs ?? []).filter((dir) => text.split(dir).slice(1).some((after) => after === "" || /^[/\s:'"]/.test(after)));
}

/** The apt files, the stages and the dev image of a plan that renders a Dockerfile. */
export function planStages(facts: RepoFacts, pack: Buildpack, c: Contribution, apt: string[], user: PlanUser, options: StagesOptions): StagesPart {
  const target = checkTarget(options.target);
  const files = facts.files;
  const build = packages(files.aptBuild);
  const runtime = packages(files.aptRuntime);
  // Creating an empty environment needs no compiler: a builder pays off only when something is installed.
  const installs = (c.preAssembleSteps?.length ?? 0) + (c.assembleSteps?.length ?? 0) > 0;
  const copies = pack.builderStage && installs ? builtDirs(pack, c) : [];
  const staged = copies.length > 0;
  const detected: BuildPlan["detected"] = [];
  const messages: PlanMessage[] = [];
  if (files.aptBuild) detected.push({ path: files.aptBuild.path, use: staged ? `apt-get install in the builder stage only: ${build.join(" ")}` : `apt-get install ${build.join(" ")} (one stage: the ${pack.name} buildpack builds in the image itself)` });
  if (files.aptRuntime) detected.push({ path: files.aptRuntime.path, use: `apt-get install ${runtime.join(" ")}${staged ? " in the runtime image" : ""}` });
  const dev = target === "dev" ? devImage(facts, user, c, detected, messages) : null;
  if (target === "runtime") {
    for (const key of ["aptDev", "requirementsDev"] as const) {
      const found = files[key];
      if (found) messages.push({ level: "info", text: `${found.path} is for the dev image: build it with --target dev` });
    }
    for (const u of c.dev?.used ?? []) messages.push({ level: "info", text: `${files[u.key]?.path ?? u.key}: ${u.use} — for the dev image: build it with --target dev` });
  }
  return {
    target,
    aptPackages: staged ? apt : [...new Set([...apt, ...build, ...runtime])].sort(),
    // apt-build.txt is for compiling: with it, the compilers come at the builder's start as before.
    stages: staged ? { buildPackages: build, runtimePackages: runtime, copies, compilers: build.length ? { when: "always" } : (c.compilers ?? { when: "always" }) } : null,
    dev,
    detected,
    messages,
  };
}

/** apt-dev.txt, requirements-dev.txt and the environment's dev extras (with its pip) on top of the runtime image. */
function devImage(facts: RepoFacts, user: PlanUser, c: Contribution, detected: BuildPlan["detected"], messages: PlanMessage[]): PlanDev {
  const aptDev = packages(facts.files.aptDev);
  if (facts.files.aptDev) detected.push({ path: facts.files.aptDev.path, use: `apt-get install ${aptDev.join(" ")} in the dev image` });
  const req = facts.files.requirementsDev;
  const steps: PlanDev["steps"] = [];
  if (req) {
    if (req.error) throw req.error;
    if (c.python) {
      steps.push({
        title: `pip packages from ${req.path} (dev image)`,
        user: "user",
        commands: [pip(["-r", req.path])],
        caches: [pipCache(user.uid)],
        secrets: [PIP_CONF.id],
      });
      detected.push({ path: req.path, use: "pip install -r in the dev image" });
    } else {
      messages.push({ level: "warn", text: `${req.path} is not used: this image has no Python environment to install it into` });
    }
  }
  // The environment's own dev extras (a lock's dev group, pyproject's dev group or extra), after requirements-dev.txt.
  steps.push(...(c.dev?.steps ?? []));
  for (const u of c.dev?.used ?? []) detected.push({ path: facts.files[u.key]?.path ?? u.key, use: `${u.use} in the dev image` });
  // The environment's python (first on PATH), as the install's `pip` is.
  const compilers: Compilers | undefined = steps.length && req ? { when: "if-not-wheels", python: "python", pipArgs: ["-r", req.path] } : undefined;
  if (!aptDev.length && !steps.length) messages.push({ level: "info", text: "--target dev: no apt-dev.txt, requirements-dev.txt or dev extras, so the dev image is the runtime image" });
  return { aptPackages: aptDev, steps, ...(c.dev?.files?.length ? { files: c.dev.files } : {}), ...(compilers ? { compilers } : {}) };
}
