/**
 * prepare: plan + context selection + options → everything the engine is asked to do, as data.
 * Pure (no engine, no files written): the build request, the secret files' contents, the layout of
 * the generated files beside the repository, and the run that follows the build.
 */
import type { BuildRepoOptions } from "../build-repo.js";
import { ConfigError } from "../errors.js";
import { buildpackKind, type SecretOptions } from "../buildpacks/index.js";
import type { ContextSelection, ExtraFile } from "../context/types.js";
import type { BuildRequest, RunRequest } from "../engine/types.js";
import { GENERATED_DOCKERFILE, REPO_PREFIX } from "../plan/layout.js";
import type { BuildPlan } from "../plan/types.js";
import { generatedFiles } from "../render/index.js";
import { secretFiles, unusedSecretNotes, type SecretFile } from "./secrets.js";

export { checkBuildSecrets, type BuildSecret, type SecretFile } from "./secrets.js";

/** The options the build and the run are made from: buildRepo's own, by name. */
export type PrepareOptions = SecretOptions &
  Pick<
    BuildRepoOptions,
    | "platform" | "buildArgs" | "buildNetwork" | "cacheFrom" | "cacheTo" | "noCache" | "pull" | "push" | "run" | "targetRepoDir"
    | "command" | "env" | "publish" | "volumes" | "mountData" | "publishAll" | "editable" | "runOptions"
    | "builder" | "provenance" | "sbom" | "load" | "secrets"
  > & {
    imageName: string;
    /** Variables passed from the caller's environment into the run when set there (graders' contracts). */
    passEnv?: Record<string, string | undefined>;
  };

/** What the engine can do, as far as preparing the build is concerned. */
export interface EngineTraits {
  /** The daemon has a bridge network (`dockerd --bridge=none` has none: RUN steps need the host's). */
  bridgeNetwork: boolean;
}

/** Where the build context puts the repository and r2d's generated files. */
export interface ContextLayout {
  /** The repository's place in the context: "src/" for a generated Dockerfile, "" for the repository's own. */
  prefix: string;
  /** The Dockerfile's path inside the context. */
  dockerfile: string;
  /** r2d's files beside the repository (the Dockerfile, the entrypoint, helper scripts). */
  files: ExtraFile[];
}

export interface PreparedBuild {
  layout: ContextLayout;
  /** The build request, but for the files of the run folder (iid, metadata, secrets) that the build stage adds. */
  request: Omit<BuildRequest, "iidFile" | "metadataFile" | "secrets" | "progress" | "contextDir">;
  secrets: SecretFile[];
  /** The plain `docker run` that follows the build (unless there is no run, or a grader runs it). */
  run: RunRequest;
  /** Notes for the user about choices made here. */
  messages: string[];
}

export function prepareBuild(plan: BuildPlan, dockerfile: string, selection: ContextSelection, options: PrepareOptions, engine: EngineTraits): PreparedBuild {
  const ownDockerfile = buildpackKind(plan.buildpack) === "own-dockerfile";
  const messages: string[] = unusedSecretNotes(plan, options.secrets ?? [], ownDockerfile);
  let network = options.buildNetwork;
  if (network === undefined && !engine.bridgeNetwork) {
    // dockerd --bridge=none (locked-down CI and grader hosts): RUN steps could not start otherwise.
    network = "host";
    messages.push("the Docker daemon has no bridge network, so build steps use the host network (--build-network to choose)");
  }
  return {
    // A repository's own Dockerfile sees the repository as its context root; ours see it under src/.
    layout: {
      prefix: ownDockerfile ? "" : REPO_PREFIX,
      dockerfile: plan.dockerfilePath ?? GENERATED_DOCKERFILE,
      files: generatedFiles(plan, dockerfile),
    },
    request: {
      dockerfile: plan.dockerfilePath ?? GENERATED_DOCKERFILE,
      tags: [options.imageName],
      labels: plan.labels,
      buildArgs: { ...(ownDockerfile ? repo2dockerArgs(plan, options) : {}), ...options.buildArgs },
      platform: options.platform,
      network,
      cacheFrom: options.cacheFrom ?? [],
      cacheTo: options.cacheTo ?? [],
      noCache: options.noCache ?? false,
      pull: options.pull,
      push: Boolean(options.push),
      // Without a push the image has nowhere else to go; with one, it is loaded to run it or when asked.
      load: !options.push || options.run !== false || options.load === true,
      builder: options.builder,
      provenance: options.provenance,
      sbom: options.sbom,
    },
    secrets: secretFiles(plan, options, options.secrets),
    run: runRequest(plan, selection, options),
    messages,
  };
}

/**
 * `-p`/`-P` need the daemon's bridge network: without one (`dockerd --bridge=none`) docker accepts
 * them and publishes nothing. Refused before the build, with the way out.
 */
export function checkPublish(options: Pick<BuildRepoOptions, "publish" | "publishAll" | "run" | "grader">, engine: EngineTraits): void {
  if (engine.bridgeNetwork || options.run === false || options.grader) return;
  if (!options.publish?.length && !options.publishAll) return;
  throw new ConfigError("the Docker daemon has no bridge network (dockerd --bridge=none), so the container's ports cannot be published", {
    location: { file: options.publish?.length ? "--publish" : "--publish-all" },
    hint: "start dockerd with its default bridge network (without --bridge=none), or drop -p/-P (add --no-run to only build)",
  });
}

/** repo2docker passes these to a repository's own Dockerfile. */
function repo2dockerArgs(plan: BuildPlan, options: PrepareOptions): Record<string, string> {
  return {
    NB_USER: plan.user.name,
    NB_UID: String(plan.user.uid),
    ...(options.targetRepoDir ? { REPO_DIR: plan.repoDir } : {}),
  };
}

/** The plain run after the build (docker run semantics). */
function runRequest(plan: BuildPlan, selection: ContextSelection, options: PrepareOptions): RunRequest {
  const root = selection.root;
  const run = options.runOptions ?? {};
  return {
    image: options.imageName,
    command: options.command ?? [],
    env: runEnv(options.env ?? [], options.passEnv ?? {}),
    publish: options.publish ?? [],
    volumes: [...(options.editable ? [`${root}:${plan.repoDir}`] : []), ...(options.volumes ?? []), ...(options.mountData ? dataMounts(plan, selection) : [])],
    extra: options.publishAll ? ["--publish-all"] : undefined,
    remove: true,
    interactive: run.interactive ?? false,
    tty: run.tty ?? false,
    platform: options.platform,
    network: run.network,
    memory: run.memory,
    cpus: run.cpus,
    shmSize: run.shmSize,
    gpus: run.gpus,
    user: run.user,
  };
}

/** The run's variables: those given, then those a grader's contract passes on when the caller has them set. */
function runEnv(env: string[], passEnv: Record<string, string | undefined>): string[] {
  const named = new Set(env.map((e) => e.split("=")[0]));
  const passed = Object.keys(passEnv).filter((k) => passEnv[k] !== undefined && !named.has(k));
  return [...env, ...passed];
}

/** Excluded data directories that exist, mounted read-only at the same place under the repository. */
function dataMounts(plan: BuildPlan, selection: ContextSelection): string[] {
  const literal = new Set(plan.context.excludes.filter((p) => !/[*?[\]!]/.test(p)).map((p) => p.replace(/^\/+|\/+$/g, "")));
  return selection.excluded
    .filter((e) => e.kind === "dir" && literal.has(e.path))
    .map((e) => `${selection.root}/${e.path}:${plan.repoDir}/${e.path}:ro`);
}
