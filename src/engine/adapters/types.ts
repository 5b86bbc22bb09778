/**
 * What an engine adapter is: everything r2d knows about one kind of BuildKit client, in one
 * module — how to find and check it, what it can do, the command line of a build, how to read its
 * progress, and the daemon behind it (for failure messages). The registry (index.ts) orders them.
 */
import type { EngineError } from "../../errors.js";
import type { DebugLog } from "../exec.js";
import type { BuildRequest, Command, Engine, EngineCapabilities, EngineFields, ProbeOptions, ProgressEvent, ProgressParser } from "../types.js";
import type { DockerCandidate } from "./docker-client.js";

/**
 * What runBuild does for a request: the build command, then the steps some clients need after it.
 *
 * The local image is built by ID (no `-t`) and tagged only after the build succeeded, so an
 * interrupted or failed build never sets or moves a tag. A push from the builder itself
 * (buildx `--push`, buildctl `push=true`) needs the registry name at build time: there the
 * tags stay in the build command (an interrupted push may have updated the registry).
 */
export interface BuildInvocation {
  build: Command;
  progress: "plain" | "rawjson";
  /** `docker load -i` this tarball after the build (buildctl with load). */
  loadTarball?: string;
  /** `docker tag IMAGE_ID TAG` for these after a successful build. */
  tagAfter: string[];
  /** `docker push` these tags after the build (clients that cannot push while building). */
  pushAfter: string[];
  /** The client writes no iidfile: take the image ID from the metadata file (buildctl). */
  iidFromMetadata: boolean;
  /**
   * The same build as a `POST /build` to the Docker daemon's API (its local socket and the
   * parameters), which runBuild sends itself instead of starting the client, where it can
   * (daemon-build.ts). Only for clients that relay the context tar to the daemon unchanged.
   */
  daemon?: { socket: string; query: Record<string, string> };
}

/** One probe's shared state: what every adapter may look at, each thing asked at most once. */
export interface ProbeContext {
  options: ProbeOptions;
  /** The environment the probe searches PATH in and runs its commands with. */
  env: NodeJS.ProcessEnv;
  onDebug?: DebugLog;
  /** The engine variables (DOCKER_HOST, ...) every later command gets. */
  engineEnv?: Record<string, string>;
  /** The docker clients to look at (the one named by --docker or R2D_DOCKER, else PATH, then well-known places), each asked once. */
  dockers(): Promise<DockerCandidate[]>;
  /** ` (skipped PATH: Docker 28.2.2, no buildx plugin)` for docker clients no engine can use, other than `chosen`. */
  skippedNote(dockers: DockerCandidate[], chosen: string | undefined): string;
  /** The hint of a "not found" error: how to name a docker client or pick another engine. */
  nameHint: string;
  /** Runs `fn` once per probe for this key (an adapter's own client probe). */
  once<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** The daemon behind an engine, for failure messages. */
export interface EngineDaemon {
  /** "the Docker daemon", "buildkitd". */
  name: string;
  address(engine: Engine): string;
  /** How the user checks that it runs: "`docker info`". */
  check: string;
  /** How to free the disk space it builds in. */
  pruneHint: string;
  /** Does it still answer (within ENGINE_ANSWER_TIMEOUT_MS)? */
  answers(engine: Engine): Promise<boolean>;
}

/** How a client's progress output is read: the parser, and for JSON formats how events read as text (the log). */
export interface ProgressReader {
  parser: ProgressParser;
  render?: (event: ProgressEvent) => string;
}

export interface EngineAdapter<K extends string = string> {
  readonly kind: K;
  /** What follows the kind in `--engine`'s help, in parentheses (none: the kind says it): `docker (a Docker < 23 client ...)`. */
  readonly note?: string;
  /** One line of the "install one of" advice when no engine is found. */
  readonly installAdvice: string;
  /** The build client is a docker client: it builds into its own image store and runs, loads, pushes and inspects images itself. */
  readonly clientIsDocker: boolean;
  /**
   * Finds this engine, or undefined when it is not there (auto-selection goes on to the next).
   * `forced`: `--engine` names it. Throws an EngineError when it is there but broken (its daemon does not answer).
   */
  find(ctx: ProbeContext, forced: boolean): Promise<Engine | undefined>;
  /** The error for `--engine KIND` when find() found nothing. */
  notFound(ctx: ProbeContext): Promise<EngineError>;
  /** Why a docker client cannot serve this engine (undefined: it can); for adapters whose client is docker. */
  rejectDocker?(c: DockerCandidate): string | undefined;
  /** Lines on its own clients for the "nothing found" message (the docker clients are listed once, by the probe). */
  candidateLines(ctx: ProbeContext): Promise<string[]>;
  /** Its capabilities, from what the probe found. */
  capabilities(fields: EngineFields, probed: { bridgeNetwork: Promise<boolean> }): EngineCapabilities;
  /** Everything runBuild runs for this request (pure). `contextDir`: where the context was written, for engines that read a folder. */
  invocation(engine: Engine, req: BuildRequest, contextDir?: string): BuildInvocation;
  progressReader(format: "plain" | "rawjson"): ProgressReader;
  readonly daemon: EngineDaemon;
}
