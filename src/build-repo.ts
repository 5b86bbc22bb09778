// A little long (just over 300 lines): the option checks every front door shares sit beside the chain.
/**
 * buildRepo: the r2d pipeline as a chain of stages — open the source, detect, plan, select the
 * context, prepare, build (and push), then run or grade. Each stage is a function of its own folder;
 * this file only passes their results along, reports progress and cleans up.
 */
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ContextSelection } from "./context/index.js";
import { looksSecret } from "./detect/credentials.js";
import { detectRepo } from "./detect/index.js";
import type { RepoFacts } from "./detect/types.js";
import { AbortError } from "./engine/exec.js";
import type { BuildResult, Engine, EngineKind, ProgressEvent, RunResult } from "./engine/index.js";
import { clipForMessage, ConfigError } from "./errors.js";
import type { GradeResult, GraderOptions } from "./grader/index.js";
import { imageFacts, type ImageFacts } from "./image-facts.js";
import { checkImageName, defaultImageName } from "./image-name.js";
import { checkBuildRepoOptions } from "./options/rules.js";
import { makePlan, type PlanOptions } from "./plan/index.js";
import type { BuildPlan, BuildpackName } from "./plan/types.js";
import { checkBuildSecrets, checkPublish, prepareBuild, type BuildSecret, type PreparedBuild } from "./prepare/index.js";
import { createMountSources } from "./prepare/mounts.js";
import { renderDockerfile } from "./render/index.js";
import { withRunGpus } from "./run-gpus.js";
import { lazyRunDir, type RunDir } from "./run-dir.js";
import { isGitUrl, openSource, type Source } from "./source/index.js";

// The build side (engine, context selection, grader) is loaded once planning is done:
// `--no-build` and planRepo() never load it.
const engineModule = () => import("./engine/index.js");
const contextModule = () => import("./context/index.js");
const graderModule = () => import("./grader/index.js");

export interface BuildRepoOptions extends PlanOptions {
  /** Build from this subdirectory of the repository. */
  subdir?: string;
  /** Read the config files from this folder of the repository instead of binder/ or .binder/. */
  configDir?: string;
  /** Branch, tag or commit of a git URL. */
  ref?: string;
  imageName?: string;
  /** false: plan and render only (no engine needed). */
  build?: boolean;
  /** false: do not run the image after building. */
  run?: boolean;
  push?: boolean;
  engine?: EngineKind;
  /** Path or name of the docker client (also R2D_DOCKER). */
  docker?: string;
  buildctl?: string;
  platform?: string;
  buildArgs?: Record<string, string>;
  /** Network for RUN steps: "host" lets a build reach a package index on this machine. */
  buildNetwork?: string;
  cacheFrom?: string[];
  cacheTo?: string[];
  noCache?: boolean;
  pull?: boolean;
  /** The image stage to build (runtime or dev); accepted here, built by the stages work. */
  target?: "runtime" | "dev";
  /** A named buildx builder instance (buildx engine only). */
  builder?: string;
  /** Attestations as buildx takes them (`true`, `false`, `mode=max`...): buildx 0.10+ and buildctl; other engines refuse all but false. */
  provenance?: string;
  sbom?: string;
  /** Keep the image in the local image store when pushing too (without push it always is). */
  load?: boolean;
  /** The caller's build secrets (`RUN --mount=type=secret,id=ID`); r2d-pip-conf and r2d-cran replace r2d's own. */
  secrets?: BuildSecret[];
  /** Package index settings: passed as build secrets, never stored in the image. */
  pipIndexUrl?: string;
  pipExtraIndexUrls?: string[];
  cranMirror?: string;
  /** Run-time settings (docker run semantics). */
  command?: string[];
  env?: string[];
  publish?: string[];
  volumes?: string[];
  /** Mount the excluded data directories read-only where the code expects them. */
  mountData?: boolean;
  /** Publish every exposed port (docker run -P). */
  publishAll?: boolean;
  /** Bind-mount the local repository over the image's copy (repo2docker's -E): edits need no rebuild. */
  editable?: boolean;
  /** Extra run settings (memory, cpus, network...), used by grader profiles. */
  runOptions?: { network?: string; memory?: string; cpus?: string; shmSize?: string; gpus?: string; user?: string; tty?: boolean; interactive?: boolean };
  /** Grade the built image as Synapse, crowdAI or a Modzy-style marketplace will (instead of the plain run). */
  grader?: Omit<GraderOptions, "signal" | "onMessage">;
  /** Output of `docker run`: the terminal (CLI) or captured (API default). */
  runStdio?: "inherit" | "pipe";
  onEvent?: (event: R2dEvent) => void;
  signal?: AbortSignal;
  /** Keep the engine probe's answer in this private folder between runs (the CLI: `$XDG_CACHE_HOME/r2d`); unset: probe every time. */
  engineProbeCacheDir?: string;
}

export type R2dEvent =
  | { type: "phase"; phase: "fetching" | "planning" | "context" | "building" | "pushing" | "running" }
  | { type: "message"; level: "info" | "warn" | "debug"; text: string }
  | { type: "context"; fileCount: number; bytes: number; excluded: ContextSelection["excluded"]; summary: string }
  | { type: "engine"; kind: EngineKind; client: string; reason: string }
  /** The Dockerfile the build steps come from (displays name the steps by its comments). */
  | { type: "plan"; buildpack: BuildpackName; dockerfile: string }
  | { type: "progress"; event: ProgressEvent }
  /** The image exists (and is pushed, with push): sent before any run. */
  | ({ type: "built"; plan: Pick<BuildPlan, "buildpack" | "python" | "r" | "baseImageOverridden" | "user"> } & Pick<BuildRepoResult, "imageName" | "imageId" | "imageSize" | "digest" | "image"> & { durationMs: number });

export interface BuildRepoResult {
  /** What detection found (the plan says what of it is used). */
  facts: RepoFacts;
  plan: BuildPlan;
  dockerfile: string;
  imageName: string;
  imageId?: string;
  digest?: string;
  metadata?: Record<string, unknown>;
  /** Image size in bytes, as the engine reports it. */
  imageSize?: number;
  /** What the built image declares: Python and R versions, its user (when the image is local). */
  image?: ImageFacts;
  context?: { fileCount: number; bytes: number; excluded: ContextSelection["excluded"]; summary: string };
  build?: Pick<BuildResult, "durationMs" | "steps">;
  engine?: Pick<Engine, "kind" | "client" | "reason">;
  run?: RunResult;
  /** With `grader`: the per-check report (src/grader). */
  grade?: GradeResult;
}

/** The r2d pipeline: source → detect → plan → context → prepare → build (and push) → run or grade. */
export async function buildRepo(repo: string, options: BuildRepoOptions = {}): Promise<BuildRepoResult> {
  const opts = await checkOptions(repo, options);
  const emit = opts.onEvent ?? (() => {});
  const run = lazyRunDir();
  const onDebug = (text: string): void => emit({ type: "message", level: "debug", text });
  try {
    emit({ type: "phase", phase: "fetching" });
    const source = await openSource(repo, { ref: opts.ref, signal: opts.signal, onDebug, cloneDir: async () => (await run.get()).subdir("clone") });
    throwIfAborted(opts.signal);
    emit({ type: "phase", phase: "planning" });
    const planned = await planSource(repo, source, opts, emit);
    if (opts.build === false) return planned;

    const { probeEngine, runContainer } = await engineModule();
    const { passedRunEnv } = await graderModule();
    const engine = await probeEngine({ engine: opts.engine, docker: opts.docker, buildctl: opts.buildctl, onDebug, cacheDir: opts.engineProbeCacheDir });
    emit({ type: "engine", kind: engine.kind, client: engine.client, reason: engine.reason });
    const selection = await selectStage(planned, opts, emit);
    // The bridge question went with the probe; it was answered while the context was selected.
    const traits = { bridgeNetwork: await engine.capabilities.bridgeNetwork.catch(() => true) };
    checkPublish(opts, traits);
    const prepared = prepareBuild(planned.plan, planned.dockerfile, selection.selection, { ...opts, imageName: planned.imageName, passEnv: passedRunEnv() }, traits);
    for (const text of prepared.messages) emit({ type: "message", level: "info", text });
    const built = await buildStage(engine, prepared, selection.selection, await run.get(), opts, emit);
    const out: BuildRepoResult = { ...planned, ...built, context: selection.summary };
    const { buildpack, python, r, baseImageOverridden, user } = planned.plan;
    emit({ type: "built", plan: { buildpack, python, r, baseImageOverridden, user }, imageName: out.imageName, imageId: out.imageId, imageSize: out.imageSize, digest: out.digest, image: out.image, durationMs: built.build.durationMs });
    if (opts.run === false) return out;
    throwIfAborted(opts.signal);
    emit({ type: "phase", phase: "running" });
    if (opts.grader) out.grade = await gradeStage(engine, out, opts, emit, await run.get());
    else {
      // Output folders the run mounts exist before Docker would make them root's.
      if (out.plan.buildpack !== "dockerfile") {
        for (const text of await createMountSources(prepared.run.volumes, out.plan.user)) emit({ type: "message", level: "warn", text });
      }
      out.run = await runContainer(engine, prepared.run, { signal: opts.signal, stdio: opts.runStdio ?? "pipe", onDebug });
    }
    return out;
  } finally {
    await run.dispose();
  }
}

/** Option checks that need no repository, and the grader's build defaults. */
async function checkOptions(repo: string, options: BuildRepoOptions): Promise<BuildRepoOptions> {
  const emit = options.onEvent ?? (() => {});
  // The option table's rules (--grader with --no-run, --push without it), for API callers too.
  checkBuildRepoOptions(options);
  if (options.grader) options = { ...options, ...(await graderModule()).graderBuildDefaults(options.grader.profile, options) };
  options = withRunGpus(options);
  if (options.imageName) checkImageName(options.imageName);
  checkBuildSecrets(options.secrets ?? [], options);
  if (options.editable && isGitUrl(repo)) {
    throw new ConfigError("--editable needs a local directory: a git URL is cloned into a temporary copy", { location: { file: "--editable" }, hint: "clone the repository yourself and pass its path" });
  }
  for (const name of Object.keys(options.buildArgs ?? {}).filter(looksSecret)) {
    emit({ type: "message", level: "warn", text: `build argument ${name} looks like a credential: build arguments can end up in the image's history. Give package index credentials with --pip-index-url or --cran-mirror, which reach the build as secrets` });
  }
  for (const name of Object.keys(options.labels ?? {}).filter(looksSecret)) {
    emit({ type: "message", level: "warn", text: `label ${clipForMessage(name, 60)} looks like a credential: labels are stored in the image, where anyone who has it can read them. Give credentials to the container at run time (-e), never as a label` });
  }
  return options;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError("aborted", { cause: signal.reason });
}

/** detect → plan → render: all `--no-build` needs, and what `planRepo` returns. */
async function planSource(repo: string, source: Source, options: BuildRepoOptions, emit: (e: R2dEvent) => void): Promise<BuildRepoResult> {
  const facts = await detectRepo(source.dir, { subdir: options.subdir, configDir: options.configDir });
  const plan = makePlan(facts, { ...options, source: { repo, url: source.url, ref: source.ref, revision: source.revision } });
  for (const m of plan.messages) emit({ type: "message", level: m.level, text: m.text });
  const dockerfile = renderDockerfile(plan);
  emit({ type: "plan", buildpack: plan.buildpack, dockerfile });
  const imageName = options.imageName ?? defaultImageName(repo, options.subdir, source.revision);
  return { facts, plan, dockerfile, imageName };
}

const MAX_CONTEXT_WARNINGS = 20;

interface SelectedContext {
  selection: ContextSelection;
  summary: NonNullable<BuildRepoResult["context"]>;
}

/** The exact file set the builder gets, reported before it is sent. */
async function selectStage(planned: BuildRepoResult, options: BuildRepoOptions, emit: (e: R2dEvent) => void): Promise<SelectedContext> {
  throwIfAborted(options.signal);
  emit({ type: "phase", phase: "context" });
  const { plan, facts } = planned;
  const { describeSelection, selectContext } = await contextModule();
  const selection = await selectContext({
    root: facts.root,
    ignoreFileDir: plan.context.ignoreFileDir,
    excludes: plan.context.excludes,
    includes: plan.context.includes,
    // The config files r2d's own Dockerfile copies and runs are sent even when an ignore file lists
    // them (as Docker does for a Dockerfile); otherwise the build would fail on a missing COPY source.
    keep: plan.dockerfilePath ? [plan.dockerfilePath] : plan.detected.map((d) => d.path),
  });
  const summary = { fileCount: selection.fileCount, bytes: selection.bytes, excluded: selection.excluded, summary: describeSelection(selection) };
  // Thousands of links out must not flood the output: the first 20, then a count.
  for (const w of selection.warnings.slice(0, MAX_CONTEXT_WARNINGS)) emit({ type: "message", level: "warn", text: w });
  if (selection.warnings.length > MAX_CONTEXT_WARNINGS) {
    emit({ type: "message", level: "warn", text: `… and ${selection.warnings.length - MAX_CONTEXT_WARNINGS} more warnings about the build context` });
  }
  emit({ type: "context", ...summary });
  return { selection, summary };
}

/** The build (and push): secrets exist only while the build client runs; the image is tagged once the build succeeded. */
async function buildStage(
  engine: Engine,
  prepared: PreparedBuild,
  selection: ContextSelection,
  workDir: RunDir,
  options: BuildRepoOptions,
  emit: (e: R2dEvent) => void,
): Promise<Pick<BuildRepoResult, "imageId" | "digest" | "metadata" | "imageSize" | "image" | "engine"> & Required<Pick<BuildRepoResult, "build">>> {
  const onDebug = (text: string): void => emit({ type: "message", level: "debug", text });
  throwIfAborted(options.signal);
  const secretsDir = path.join(workDir.path, "secrets");
  const secrets = prepared.secrets.map((s) => ({ id: s.id, src: "src" in s ? s.src : path.join(secretsDir, s.fileName) }));
  const removeSecrets = () => rm(secretsDir, { recursive: true, force: true });
  // Written just before the client starts (after a materialised context), removed as soon as it exits.
  const writeSecrets = async (): Promise<void> => {
    await workDir.subdir("secrets");
    for (const [i, s] of prepared.secrets.entries()) if ("content" in s) await writeFile(secrets[i]!.src, s.content, { mode: 0o600, flag: "wx" });
  };
  const [{ runBuild }, { contextSource }] = await Promise.all([engineModule(), contextModule()]);
  try {
    emit({ type: "phase", phase: "building" });
    const result = await runBuild(
      engine,
      { ...prepared.request, secrets, iidFile: path.join(workDir.path, "iid"), metadataFile: path.join(workDir.path, "metadata.json"), progress: "rawjson" },
      {
        context: contextSource(selection, { prefix: prepared.layout.prefix, extra: prepared.layout.files }),
        workDir: workDir.path,
        onEvent: (event) => emit({ type: "progress", event }),
        onDebug,
        beforeClient: writeSecrets,
        onClientExit: removeSecrets,
        signal: options.signal,
        inspect: true,
      },
    );
    return {
      imageId: result.imageId,
      digest: result.digest,
      metadata: result.metadata,
      imageSize: result.image?.size,
      image: result.image ? imageFacts(result.image) : undefined,
      build: { durationMs: result.durationMs, steps: result.steps },
      engine: { kind: engine.kind, client: engine.client, reason: engine.reason },
    };
  } finally {
    await removeSecrets();
  }
}

/** Runs the image the way the chosen grader will and returns its checks. */
async function gradeStage(engine: Engine, out: BuildRepoResult, options: BuildRepoOptions, emit: (e: R2dEvent) => void, workDir: RunDir): Promise<GradeResult> {
  const grader = options.grader!;
  const { gradeImage } = await graderModule();
  if (options.command?.length) emit({ type: "message", level: "warn", text: `the ${grader.profile} grader runs the image its own way; the command ${options.command.join(" ")} is not used` });
  return gradeImage(
    engine,
    out.imageName,
    out.plan,
    out.facts.root,
    { platform: options.platform, ...grader, signal: options.signal, onMessage: (level, text) => emit({ type: "message", level, text }) },
    workDir.path,
  );
}
