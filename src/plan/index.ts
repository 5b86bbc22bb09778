import { gpuVariant } from "../buildpacks/gpu.js";
import { buildpackKind, DEFAULT_BUILDPACK, fileSpec, SECRET_SPECS, selectBuildpack, type Buildpack, type Contribution } from "../buildpacks/index.js";
import type { ConfigKey, RepoFacts } from "../detect/types.js";
import { ConfigError, UnsupportedError } from "../errors.js";
import { checkImageName } from "../image-name.js";
import { appendixMessages, checkRepoDir } from "./checks.js";
import { commonFiles, startMessages, type CommonFiles } from "./common-files.js";
import { ENTRYPOINT } from "./layout.js";
import { fileMessages } from "./messages.js";
import { planStages, type StagesOptions, type StagesPart } from "./stages.js";
import type { BuildPlan, PlanMessage, PlanUser, Step } from "./types.js";
import { resolveUser, type UserOptions } from "./user.js";
import { R2D_VERSION } from "./version.js";

export type * from "./types.js";
export { resolveUser } from "./user.js";
export { R2D_VERSION } from "./version.js";

export interface PlanOptions extends UserOptions, StagesOptions {
  /** Where the repository lands in the image (default: the user's home). */
  targetRepoDir?: string;
  /** Replaces the buildpack's base image. */
  baseImage?: string;
  /** A CUDA base for the buildpack (src/buildpacks/gpu.ts); runs then get `--gpus all`. */
  gpu?: boolean;
  /** Raw Dockerfile text appended at the end (repo2docker's --appendix). */
  appendix?: string;
  /** The image's default command (CMD) instead of run.sh or bash; run from the repository folder. */
  defaultCommand?: string[];
  labels?: Record<string, string>;
  /** Extra context exclusions (Docker pattern syntax), on top of the default `data`. */
  excludes?: string[];
  /** Paths kept in the context even though an exclusion (including the default `data`) matches. */
  includes?: string[];
  /** Where the repository came from, for labels. */
  source?: { repo: string; url?: string; ref?: string | null; revision?: string | null };
  /** Package index settings given to r2d (checked against the requirements file's own). */
  pipIndexUrl?: string;
  pipExtraIndexUrls?: string[];
  /** --platform: lock files' markers are evaluated for it. */
  platform?: string;
}

/** Data directories left out of the context unless --include brings them back. */
export const DEFAULT_EXCLUDES = ["data"];

/** The pieces every section of the plan is made from. */
interface Parts {
  facts: RepoFacts;
  options: PlanOptions;
  pack: Buildpack;
  c: Contribution;
  user: PlanUser;
  home: string;
  repoDir: string;
  /** null when the repository's own Dockerfile is built: none of r2d's files apply. */
  common: CommonFiles | null;
  stages: StagesPart | null;
}

/** facts + options → the build plan. Pure: reads nothing, writes nothing. */
export function makePlan(facts: RepoFacts, options: PlanOptions = {}): BuildPlan {
  const { user, notice } = resolveUser(options);
  const home = `/home/${user.name}`;
  const repoDir = options.targetRepoDir ? checkRepoDir(options.targetRepoDir) : home;
  const pack = selectBuildpack(facts);
  const own = contribute(pack, { facts, user, home, repoDir, baseImage: options.baseImage, platform: options.platform });
  const gpu = options.gpu ? gpuVariant(pack, own, options.baseImage) : null;
  const c = gpu ? { ...gpu.contribution, messages: [...(gpu.contribution.messages ?? []), ...gpu.messages] } : own;
  const common = pack.kind === "generated" ? commonFiles(facts, user, c) : null;
  const stages = common ? planStages(facts, pack, c, common.aptPackages, user, options) : ownDockerfileTarget(options);
  const parts: Parts = { facts, options, pack, c, user, home, repoDir, common, stages };
  const detected = [...c.used.map(({ key, use }) => ({ path: facts.files[key]!.path, use })), ...(common?.detected ?? []), ...(stages?.detected ?? [])];
  const usedPaths = new Set(detected.map((d) => d.path));
  const baseImage = chooseBaseImage(parts);
  const messages: PlanMessage[] = [
    ...(notice ? [{ level: "info" as const, text: notice }] : []),
    ...(c.messages ?? []),
    ...packMessages(parts),
    ...(common?.messages ?? []),
    ...(stages?.messages ?? []),
    ...fileMessages(facts, options, usedPaths),
    ...(common ? startMessages(facts) : []),
  ];
  if (options.defaultCommand?.length) messages.push(defaultCommandMessage(options.defaultCommand, common));
  const appendix = common && options.appendix ? options.appendix : null;
  if (appendix) messages.push(...appendixMessages(appendix, user.name));
  if (!common && !options.excludes?.length) {
    messages.push({ level: "info", text: "Dockerfile repositories keep data/ in the context (the Dockerfile may COPY it); use --exclude to leave directories out" });
  }
  return {
    schemaVersion: 1,
    r2dVersion: R2D_VERSION,
    buildpack: pack.name as BuildPlan["buildpack"],
    python: c.python ?? null,
    r: c.r ?? null,
    baseImage,
    baseImageOverridden: Boolean(options.baseImage),
    ...(gpu ? { gpu: gpu.gpu } : {}),
    user,
    home,
    repoDir,
    configDir: facts.configDir,
    env: imageEnv(parts),
    path: common ? [...(c.path ?? []), `${home}/.local/bin`, ...(repoDir === home ? [] : [`${repoDir}/.local/bin`])] : [],
    aptPackages: stages?.aptPackages ?? [],
    target: stages?.target ?? "runtime",
    stages: stages?.stages ?? null,
    dev: stages?.dev ?? null,
    systemSteps: [...(c.systemSteps ?? []), ...(common?.systemSteps ?? [])],
    environmentSteps: c.environmentSteps ?? [],
    helperFiles: c.helperFiles ?? [],
    dependencyFiles: c.dependencyFiles ?? [],
    ...(c.pinnedFiles?.length ? { pinnedFiles: c.pinnedFiles } : {}),
    preAssembleSteps: c.preAssembleSteps ?? [],
    assembleSteps: c.assembleSteps ?? [],
    scripts: common?.scripts ?? [],
    postBuild: common?.postBuild ?? null,
    start: common?.start ?? null,
    // A pack's wrapper (nix-shell) goes first, so `start` and the command both run inside it.
    entrypoint: common ? [...(c.wrapCommand ?? []), ENTRYPOINT] : [],
    command: common ? (options.defaultCommand ?? (common.runSh ? [`${repoDir}/${common.runSh}`] : ["/bin/bash"])) : [],
    labels: imageLabels(parts),
    secrets: planSecrets(c, stages),
    appendix,
    dockerfilePath: c.dockerfilePath ?? null,
    dockerfileText: c.dockerfileText ?? null,
    context: {
      excludes: common ? [...DEFAULT_EXCLUDES, ...(options.excludes ?? [])] : (options.excludes ?? []),
      includes: options.includes ?? [],
      // Docker reads a Dockerfile's ignore file from the context root, wherever the Dockerfile is.
      ignoreFileDir: common ? facts.configDir : "",
    },
    detected,
    ignored: ignoredFiles(facts, pack, usedPaths),
    messages,
  };
}

/** A repository's own Dockerfile has its own stages: r2d builds it as it is, so --target dev is refused. */
function ownDockerfileTarget(options: PlanOptions): null {
  if (options.target && options.target !== "runtime") {
    throw new ConfigError("--target dev needs an image r2d writes the Dockerfile for; this repository brings its own Dockerfile", {
      location: { file: "--target" },
      hint: "leave out --target, or add the dev tools to a stage of your Dockerfile",
    });
  }
  return null;
}

/** --default-command replaces run.sh; a repository's own Dockerfile keeps its CMD. */
function defaultCommandMessage(command: string[], common: CommonFiles | null): PlanMessage {
  if (!common) throw new ConfigError("a repository's own Dockerfile sets its default command", { location: { file: "--default-command" }, hint: "set CMD (or ENTRYPOINT) in the Dockerfile" });
  return { level: "info", text: `the image's default command is ${command.join(" ")}${common.runSh ? ` (instead of ${common.runSh})` : ""}` };
}

/** The pack's contribution; an UnsupportedError learns which pack refused. */
function contribute(pack: Buildpack, ctx: Parameters<Buildpack["contribute"]>[0]): Contribution {
  try {
    return pack.contribute(ctx);
  } catch (err) {
    if (err instanceof UnsupportedError) Object.assign(err, { buildpack: pack.name });
    throw err;
  }
}

/** Notes about the choice of pack and base image. */
function packMessages({ facts, options, pack, c }: Parts): PlanMessage[] {
  const messages: PlanMessage[] = [];
  const runtime = facts.files.runtime?.data;
  if (runtime?.name === "r" && !runtime.date && !c.r) {
    messages.push({ level: "warn", text: `${facts.files.runtime!.path} says r-${runtime.version} without a date, so R is not selected (repo2docker's rule); write r-${runtime.version}-YYYY-MM-DD` });
  }
  if (pack === DEFAULT_BUILDPACK && !pack.detect(facts)) {
    messages.push({ level: "info", text: "no config file found: a plain Python image (add requirements.txt or environment.yml to install packages)" });
  }
  if (options.baseImage) {
    messages.push({ level: "info", text: `base image ${options.baseImage} replaces ${c.baseImage}${c.python ? `; the image has whatever Python it ships, not necessarily ${c.python}` : ""}` });
  }
  return messages;
}

/**
 * What FROM will say: --base-image, else the pack's choice, checked against the file it was made
 * from. (The repository's own Dockerfile names its base itself, maybe through an ARG: r2d writes no FROM then.)
 */
function chooseBaseImage({ facts, options, pack, c, common }: Parts): string {
  if (options.baseImage) return checkImageName(options.baseImage, "--base-image");
  if (!common) return c.baseImage;
  return checkImageName(c.baseImage, c.used[0] ? facts.files[c.used[0].key]!.path : pack.name);
}

/** Present config files the plan does not use, each with the reason the user will read. */
function ignoredFiles(facts: RepoFacts, pack: Buildpack, used: Set<string>): BuildPlan["ignored"] {
  const ignored = [...facts.ignored];
  for (const [key, found] of Object.entries(facts.files) as [ConfigKey, { path: string }][]) {
    if (!used.has(found.path)) ignored.push({ path: found.path, reason: ignoreReason(pack, key, facts) });
  }
  return ignored;
}

/** The pack's reason, else the file's own, else a generic one. */
function ignoreReason(pack: Buildpack, key: ConfigKey, facts: RepoFacts): string {
  const own = typeof pack.ignores === "function" ? pack.ignores(key, facts) : pack.ignores?.[key];
  return own ?? fileSpec(key)?.whenIgnored?.(facts) ?? `the ${pack.name} buildpack does not read it`;
}

function imageEnv({ c, user, home, repoDir, common }: Parts): Record<string, string> {
  if (!common) return {};
  return {
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    PYTHONUNBUFFERED: "1",
    USER: user.name,
    HOME: home,
    NB_USER: user.name,
    NB_UID: String(user.uid),
    REPO_DIR: repoDir,
    ...c.env,
    ...(common.start ? { R2D_ENTRYPOINT: `${repoDir}/${common.start}` } : {}),
  };
}

function imageLabels({ options, pack }: Parts): Record<string, string> {
  const source = options.source;
  return {
    "r2d.version": R2D_VERSION,
    "r2d.buildpack": pack.name,
    "repo2docker.repo": source?.url ?? "local",
    ...(source?.ref ? { "repo2docker.ref": source.ref } : {}),
    ...(source?.url ? { "org.opencontainers.image.source": source.url } : {}),
    ...(source?.revision ? { "org.opencontainers.image.revision": source.revision } : {}),
    ...options.labels,
  };
}

/** The secrets the steps mount, described by the packs that declare them. */
function planSecrets(c: Contribution, stages: StagesPart | null): BuildPlan["secrets"] {
  const steps: Step[] = [...(c.systemSteps ?? []), ...(c.environmentSteps ?? []), ...(c.preAssembleSteps ?? []), ...(c.assembleSteps ?? []), ...(stages?.dev?.steps ?? [])];
  const mounted = new Set(steps.flatMap((s) => s.secrets ?? []));
  return SECRET_SPECS.filter((s) => mounted.has(s.id)).map(({ id, purpose }) => ({ id, purpose }));
}

/** Whether the plan renders a Dockerfile (else the repository's own is built as is). */
export function rendersDockerfile(plan: Pick<BuildPlan, "buildpack">): boolean {
  return buildpackKind(plan.buildpack) === "generated";
}
