import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { contextTar, describeSelection, materializeContext, selectContext, type ContextSelection } from "./context/index.js";
import { looksSecret } from "./detect/credentials.js";
import { detectRepo } from "./detect/index.js";
import {
  AbortError,
  hasBridgeNetwork,
  inspectImage,
  probeEngine,
  runBuild,
  runContainer,
  type BuildResult,
  type Engine,
  type EngineKind,
  type ProgressEvent,
  type RunResult,
} from "./engine/index.js";
import { clipForMessage, ConfigError } from "./errors.js";
import { gradeImage, graderBuildDefaults, type GradeResult, type GraderOptions } from "./grader/index.js";
import { checkImageName, defaultImageName } from "./image-name.js";
import { makePlan, type PlanOptions } from "./plan/index.js";
import type { BuildPlan } from "./plan/types.js";
import { generatedFiles, renderDockerfile } from "./render/index.js";
import { lazyRunDir, type RunDir } from "./run-dir.js";
import { runRequest } from "./run-request.js";
import { isGitUrl, openSource } from "./source/index.js";
import { CRAN_SECRET, PIP_SECRET } from "./buildpacks/shared.js";

export interface BuildRepoOptions extends PlanOptions {
  /** Build from this subdirectory of the repository. */
  subdir?: string;
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
}

export type R2dEvent =
  | { type: "phase"; phase: "fetching" | "planning" | "context" | "building" | "pushing" | "running" }
  | { type: "message"; level: "info" | "warn" | "debug"; text: string }
  | { type: "context"; fileCount: number; bytes: number; excluded: ContextSelection["excluded"]; summary: string }
  | { type: "engine"; kind: EngineKind; client: string; reason: string }
  | { type: "progress"; event: ProgressEvent };

export interface BuildRepoResult {
  plan: BuildPlan;
  dockerfile: string;
  imageName: string;
  imageId?: string;
  digest?: string;
  metadata?: Record<string, unknown>;
  /** Image size in bytes, as the engine reports it. */
  imageSize?: number;
  context?: { fileCount: number; bytes: number; excluded: ContextSelection["excluded"]; summary: string };
  build?: Pick<BuildResult, "durationMs" | "steps">;
  engine?: Pick<Engine, "kind" | "client" | "reason">;
  run?: RunResult;
  /** With `grader`: the per-check report (src/grader). */
  grade?: GradeResult;
}

/** The r2d pipeline: source → detect → plan → render + context → build → push → run. */
export async function buildRepo(repo: string, options: BuildRepoOptions = {}): Promise<BuildRepoResult> {
  const emit = options.onEvent ?? (() => {});
  if (options.grader) {
    if (options.run === false || options.build === false) {
      throw new ConfigError("--grader runs the built image: it cannot go with --no-run or --no-build", { location: { file: "--grader" }, hint: "drop --no-run (and --push), or drop --grader" });
    }
    options = { ...options, ...graderBuildDefaults(options.grader.profile, options) };
  }
  if (options.imageName) checkImageName(options.imageName);
  if (options.push && options.run !== false && options.build !== false) {
    throw new ConfigError("--push needs --no-run (the engine cannot load and push one build)", { location: { file: "--push" }, hint: "add --no-run, then run the pushed image where you need it" });
  }
  if (options.editable && isGitUrl(repo)) {
    throw new ConfigError("--editable needs a local directory: a git URL is cloned into a temporary copy", { location: { file: "--editable" }, hint: "clone the repository yourself and pass its path" });
  }
  for (const name of Object.keys(options.buildArgs ?? {}).filter(looksSecret)) {
    emit({ type: "message", level: "warn", text: `build argument ${name} looks like a credential: build arguments can end up in the image's history. Give package index credentials with --pip-index-url or --cran-mirror, which reach the build as secrets` });
  }
  for (const name of Object.keys(options.labels ?? {}).filter(looksSecret)) {
    emit({ type: "message", level: "warn", text: `label ${clipForMessage(name, 60)} looks like a credential: labels are stored in the image, where anyone who has it can read them. Give credentials to the container at run time (-e), never as a label` });
  }
  const run = lazyRunDir();
  try {
    emit({ type: "phase", phase: "fetching" });
    const source = await openSource(repo, { ref: options.ref, signal: options.signal, cloneDir: async () => (await run.get()).subdir("clone") });
    throwIfAborted(options.signal);
    emit({ type: "phase", phase: "planning" });
    const facts = await detectRepo(source.dir, { subdir: options.subdir });
    const plan = makePlan(facts, { ...options, source: { repo, url: source.url, ref: source.ref, revision: source.revision } });
    for (const m of plan.messages) emit({ type: "message", level: m.level, text: m.text });
    const dockerfile = renderDockerfile(plan);
    const imageName = options.imageName ?? defaultImageName(repo, options.subdir, source.revision);
    if (options.build === false) return { plan, dockerfile, imageName };

    const engine = await probeEngine({ engine: options.engine, docker: options.docker, buildctl: options.buildctl });
    emit({ type: "engine", kind: engine.kind, client: engine.client, reason: engine.reason });
    const built = await buildImage({ options, emit, engine, plan, dockerfile, imageName, root: facts.root, workDir: await run.get() });
    const out: BuildRepoResult = { plan, dockerfile, imageName, ...built };
    if (options.run === false) return out;

    throwIfAborted(options.signal);
    emit({ type: "phase", phase: "running" });
    if (options.grader) {
      if (options.command?.length) emit({ type: "message", level: "warn", text: `the ${options.grader.profile} grader runs the image its own way; the command ${options.command.join(" ")} is not used` });
      out.grade = await gradeImage(
        engine,
        imageName,
        plan,
        facts.root,
        { platform: options.platform, ...options.grader, signal: options.signal, onMessage: (level, text) => emit({ type: "message", level, text }) },
        (await run.get()).path,
      );
      return out;
    }
    out.run = await runContainer(engine, runRequest(options, plan, imageName, facts.root), { signal: options.signal, stdio: options.runStdio ?? "pipe" });
    return out;
  } finally {
    await run.dispose();
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError("aborted", { cause: signal.reason });
}

interface BuildInput {
  options: BuildRepoOptions;
  emit: (event: R2dEvent) => void;
  engine: Engine;
  plan: BuildPlan;
  dockerfile: string;
  imageName: string;
  root: string;
  workDir: RunDir;
}

/** Context, secrets and the build itself; the image is tagged only once the build succeeded. */
async function buildImage(input: BuildInput): Promise<Omit<BuildRepoResult, "plan" | "dockerfile" | "imageName">> {
  const { options, emit, engine, plan, dockerfile, imageName, workDir } = input;
  // Asked now, answered while the context is selected.
  const bridge = options.buildNetwork === undefined ? hasBridgeNetwork(engine).catch(() => true) : Promise.resolve(true);

  throwIfAborted(options.signal);
  emit({ type: "phase", phase: "context" });
  const selection = await selectContext({
    root: input.root,
    ignoreFileDir: plan.context.ignoreFileDir,
    excludes: plan.context.excludes,
    includes: plan.context.includes,
    // The config files r2d's own Dockerfile copies and runs are sent even when an ignore file lists
    // them (as Docker does for a Dockerfile); otherwise the build would fail on a missing COPY source.
    keep: plan.dockerfilePath ? [plan.dockerfilePath] : plan.detected.map((d) => d.path),
  });
  const context = { fileCount: selection.fileCount, bytes: selection.bytes, excluded: selection.excluded, summary: describeSelection(selection) };
  // Thousands of links out must not flood the output: the first 20, then a count.
  for (const w of selection.warnings.slice(0, 20)) emit({ type: "message", level: "warn", text: w });
  if (selection.warnings.length > 20) emit({ type: "message", level: "warn", text: `… and ${selection.warnings.length - 20} more warnings about the build context` });
  emit({ type: "context", ...context });
  let buildNetwork = options.buildNetwork;
  if (!(await bridge)) {
    // dockerd --bridge=none (locked-down CI and grader hosts): RUN steps could not start otherwise.
    buildNetwork = "host";
    emit({ type: "message", level: "info", text: "the Docker daemon has no bridge network, so build steps use the host network (--build-network to choose)" });
  }

  // A repository's own Dockerfile sees the repository as its context root; ours see it under src/.
  const ownDockerfile = plan.buildpack === "dockerfile";
  const prefix = ownDockerfile ? "" : "src/";
  const extra = generatedFiles(plan, dockerfile);
  let contextDir: string | undefined;
  if (engine.kind === "buildctl") {
    contextDir = path.join(workDir.path, "context");
    await materializeContext(selection, { prefix, extra, dir: contextDir });
  }
  throwIfAborted(options.signal);
  // The secret files exist only while the build client runs (the client reads them for BuildKit).
  const secretsDir = await workDir.subdir("secrets");
  const removeSecrets = () => rm(secretsDir, { recursive: true, force: true });
  try {
    const secrets = await writeSecrets(plan, options, secretsDir);
    emit({ type: "phase", phase: "building" });
    const result = await runBuild(
      engine,
      {
        contextDir,
        dockerfile: plan.dockerfilePath ?? "r2d/Dockerfile",
        tags: [imageName],
        labels: plan.labels,
        buildArgs: { ...(ownDockerfile ? repo2dockerArgs(plan, options) : {}), ...options.buildArgs },
        secrets,
        platform: options.platform,
        network: buildNetwork,
        cacheFrom: options.cacheFrom ?? [],
        cacheTo: options.cacheTo ?? [],
        noCache: options.noCache ?? false,
        pull: options.pull,
        push: Boolean(options.push),
        load: !options.push || options.run !== false,
        iidFile: path.join(workDir.path, "iid"),
        metadataFile: path.join(workDir.path, "metadata.json"),
        progress: "rawjson",
      },
      {
        context: () => contextTar(selection, { prefix, extra }),
        onEvent: (event) => emit({ type: "progress", event }),
        onDebug: (text) => emit({ type: "message", level: "debug", text }),
        onClientExit: removeSecrets,
        signal: options.signal,
      },
    );
    // A pushed-only build (buildx/buildctl without --load) has no local image to inspect.
    const info = await inspectImage(engine, result.imageId || imageName).catch(() => null);
    return {
      imageId: result.imageId,
      digest: result.digest,
      metadata: result.metadata,
      imageSize: info?.size,
      context,
      build: { durationMs: result.durationMs, steps: result.steps },
      engine: { kind: engine.kind, client: engine.client, reason: engine.reason },
    };
  } finally {
    await removeSecrets();
  }
}

/** repo2docker passes these to a repository's own Dockerfile. */
function repo2dockerArgs(plan: BuildPlan, options: BuildRepoOptions): Record<string, string> {
  return {
    NB_USER: plan.user.name,
    NB_UID: String(plan.user.uid),
    ...(options.targetRepoDir ? { REPO_DIR: plan.repoDir } : {}),
  };
}

/** Index settings as files for `--secret`: mounted only while a RUN step needs them. */
async function writeSecrets(plan: BuildPlan, options: BuildRepoOptions, dir: string): Promise<{ id: string; src: string }[]> {
  const secrets: { id: string; src: string }[] = [];
  const ids = new Set(plan.secrets.map((s) => s.id));
  const pipLines = [
    ...(options.pipIndexUrl ? [`index-url = ${options.pipIndexUrl}`] : []),
    ...(options.pipExtraIndexUrls?.length ? [`extra-index-url = ${options.pipExtraIndexUrls.join("\n    ")}`] : []),
  ];
  if (ids.has(PIP_SECRET) && pipLines.length) {
    const src = path.join(dir, "pip.conf");
    await writeFile(src, `[global]\n${pipLines.join("\n")}\n`, { mode: 0o600, flag: "wx" });
    secrets.push({ id: PIP_SECRET, src });
  }
  if (ids.has(CRAN_SECRET) && options.cranMirror) {
    const src = path.join(dir, "cran");
    await writeFile(src, options.cranMirror, { mode: 0o600, flag: "wx" });
    secrets.push({ id: CRAN_SECRET, src });
  }
  return secrets;
}
