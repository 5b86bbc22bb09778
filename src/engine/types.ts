/**
 * Types of the engine stage: which BuildKit client r2d drives, the requests it
 * turns into command lines, and what comes back.
 */

export type { EngineKind } from "./adapters/index.js";
import type { ContextSource } from "../context/source.js";
import type { EngineKind } from "./adapters/index.js";

export type { ContextSource };

/** What an engine can do: probed once (with the engine) and kept on it. */
export interface EngineCapabilities {
  /** The progress formats the client prints (rawjson from buildx and BuildKit 0.13 on). */
  progress: readonly ("plain" | "rawjson")[];
  /** Several exports in one build (buildx `--load --push`, several buildctl `--output`s). */
  multipleExports: boolean;
  /**
   * The daemon has its default bridge network (`dockerd --bridge=none` has none: RUN steps on the
   * default network cannot start). Asked with the probe and answered in the background (one more
   * docker call), so it overlaps the work that follows: await it where it matters.
   */
  bridgeNetwork: Promise<boolean>;
  /** How the build context reaches the client: a tar on its stdin, or a folder it reads. */
  context: "tar" | "directory";
}

export interface Engine {
  kind: EngineKind;
  /** Absolute path of the binary used to build (docker or buildctl). */
  client: string;
  /** A docker client usable for run/push/load/inspect (for buildctl, if one exists). */
  dockerClient?: string;
  /** Client version (docker client version for `docker`/`buildx`, buildctl's for `buildctl`). */
  version: string;
  /** Version of the buildx plugin (kind `buildx` only). */
  buildxVersion?: string;
  /** Docker daemon version, when it answered. */
  serverVersion?: string;
  /** The Docker daemon's local socket, where the client reaches it directly: inspect and tag ask its API (no process). */
  apiSocket?: string;
  /** buildkitd address (kind `buildctl`), passed as `--addr`. */
  buildkitHost?: string;
  /** Docker-related variables from the probe's environment (DOCKER_HOST, DOCKER_CONTEXT, ...), passed to every command. */
  env?: Record<string, string>;
  /** One line: why this engine was chosen. */
  reason: string;
  capabilities: EngineCapabilities;
}

/** What a probe found about a client, before its capabilities are worked out (tests make engines from these). */
export type EngineFields = Omit<Engine, "kind" | "capabilities">;

export interface ProbeOptions {
  /** Force an engine kind; an error says why it is not available. */
  engine?: EngineKind;
  /** Path or name of the docker binary (also env R2D_DOCKER). When given, only that client is considered. */
  docker?: string;
  /** Path or name of the buildctl binary (default: `buildctl` on PATH). */
  buildctl?: string;
  /** Environment used to search PATH and to run the probes (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Docker clients looked at after those on PATH (default: ["/usr/bin/docker"]). For tests. */
  wellKnownDockers?: string[];
  /** Debug log of each probe command. */
  onDebug?: (message: string) => void;
  /**
   * Keep the answer in this private folder and use it again while nothing it depended on changed
   * (probe-cache.ts): the CLI passes `$XDG_CACHE_HOME/r2d`. Unset: probe every time (the API default).
   */
  cacheDir?: string;
}

export interface BuildRequest {
  /** Path of the Dockerfile inside the context, e.g. "r2d/Dockerfile". */
  dockerfile: string;
  tags: string[];
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
  secrets: { id: string; src: string }[];
  platform?: string;
  /** "host" | "none" | "default" ("default" adds no flag). */
  network?: string;
  /** Cache sources: an image reference or a `type=...,key=value` spec. */
  cacheFrom: string[];
  /** Cache exports: `type=...,key=value` specs (not with the classic docker client). */
  cacheTo: string[];
  noCache: boolean;
  pull?: boolean;
  /** Push the tags to their registry (instead of or as well as load). */
  push: boolean;
  /** Load the image into the local image store (the default for run). */
  load: boolean;
  /** A named buildx builder instance (`docker buildx build --builder NAME`); other clients refuse it. */
  builder?: string;
  /** Attestations as buildx takes them (`true`, `false`, `mode=max`, `generator=...`); "false" or none asks for nothing. */
  provenance?: string;
  sbom?: string;
  iidFile: string;
  metadataFile: string;
  /** Wanted progress format; falls back to plain where the client cannot print it. */
  progress: "plain" | "rawjson";
}

export interface Command {
  file: string;
  args: string[];
  /** Variables added to the inherited environment. */
  env: Record<string, string>;
  stdin: "context-tar" | "none";
}

export type StepStatus = "started" | "cached" | "done" | "error" | "canceled";

export type ProgressEvent =
  | {
      type: "step";
      id: string;
      name: string;
      index?: number;
      total?: number;
      status: StepStatus;
      durationMs?: number;
      error?: string;
    }
  /** Output of a step, one line (no trailing newline). `id` "" is builder output outside any step. */
  | { type: "log"; id: string; text: string }
  | { type: "warning"; text: string };

export interface ProgressParser {
  push(chunk: string): ProgressEvent[];
  end(): ProgressEvent[];
}

export interface BuildStep {
  name: string;
  status: StepStatus;
  durationMs?: number;
}

export interface BuildResult {
  imageId: string;
  digest?: string;
  metadata: Record<string, unknown>;
  durationMs: number;
  steps: BuildStep[];
  /** Human-readable builder output (plain progress text). */
  log: string;
  /** With `inspect`: the built image as the engine describes it (null: no local image, e.g. pushed only). */
  image?: ImageInfo | null;
}

export interface RunBuildOptions {
  /** The build context: runBuild sends it as a tar or writes it into a folder, as the engine reads it. */
  context: ContextSource;
  /** A private folder for what the build needs on disk (the context folder of engines that read one). */
  workDir?: string;
  onEvent?: (e: ProgressEvent) => void;
  onDebug?: (message: string) => void;
  signal?: AbortSignal;
  /** Time between SIGINT and SIGKILL on abort (default 3000 ms). */
  killGraceMs?: number;
  /** Called right before the build client starts (after the context folder is written, for engines that read one): e.g. write the secret files. */
  beforeClient?: () => Promise<void> | void;
  /** Called as soon as the build client has exited (before load, tag and push): e.g. remove the secret files. */
  onClientExit?: () => Promise<void> | void;
  /** Inspect the built image (one `docker image inspect`, run while it is tagged): BuildResult.image. */
  inspect?: boolean;
}

export interface RunRequest {
  image: string;
  command: string[];
  /** `K=V`, or bare `K` to pass the variable from r2d's environment (docker semantics). */
  env: string[];
  publish: string[];
  volumes: string[];
  user?: string;
  workdir?: string;
  network?: string;
  memory?: string;
  cpus?: string;
  shmSize?: string;
  platform?: string;
  gpus?: string;
  name?: string;
  remove: boolean;
  interactive: boolean;
  tty: boolean;
  readOnly?: boolean;
  /** Extra `docker run` arguments, placed before the image. */
  extra?: string[];
}

export interface RunContainerOptions {
  signal?: AbortSignal;
  stdio?: "inherit" | "pipe";
  onDebug?: (message: string) => void;
  killGraceMs?: number;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ImageHistoryEntry {
  createdBy: string;
  size: number;
  comment: string;
  created?: string;
}

export interface ImageInfo {
  id: string;
  size: number;
  labels: Record<string, string>;
  user: string;
  env: string[];
  workdir: string;
  cmd: string[] | null;
  entrypoint: string[] | null;
  repoTags: string[];
  repoDigests: string[];
  created?: string;
  history?: ImageHistoryEntry[];
}
