/**
 * The engine stage: the one place r2d starts processes. Find a BuildKit client (one adapter per
 * kind, in adapters/), build, run, push; the grader's containers; git for sources. Command lines
 * are built by pure functions (`buildCommand`, `runCommand`, `pushCommand`) and run by thin
 * executors (`runBuild`, `runContainer`, `pushImage`) through exec.ts and process.ts.
 */
export type {
  BuildRequest,
  BuildResult,
  BuildStep,
  Command,
  ContextSource,
  Engine,
  EngineCapabilities,
  EngineFields,
  EngineKind,
  ImageHistoryEntry,
  ImageInfo,
  ProbeOptions,
  ProgressEvent,
  ProgressParser,
  RunBuildOptions,
  RunContainerOptions,
  RunRequest,
  RunResult,
  StepStatus,
} from "./types.js";
export { ENGINE_ADAPTERS, ENGINE_CHOICES_HELP, ENGINE_KINDS, adapterOf, engineOf, isEngineKind, type EngineAdapter } from "./adapters/index.js";
export { probeEngine, clearProbeCache, whichAll } from "./probe.js";
export { buildCommand, buildInvocation, progressMode, dockerTarPath, versionAtLeast, type BuildInvocation } from "./build-command.js";
export { runBuild, errorSummary } from "./build.js";
export { createPlainProgressParser, stepPosition } from "./progress-plain.js";
export { createRawJsonProgressParser, createEventRenderer } from "./progress-rawjson.js";
export { runCommand, runContainer, generateContainerName } from "./run.js";
export {
  pushCommand,
  pushImage,
  loadCommand,
  loadImage,
  inspectImage,
  removeImage,
  tagCommand,
  tagImage,
  discardUntaggedImage,
  dockerClientOf,
  parsePushDigest,
  parseLoadOutput,
  parseInspect,
  parseHistory,
} from "./image.js";
export {
  startContainer,
  gradedRunCommand,
  parseDiff,
  memoryFiles,
  imageUser,
  imagePlatform,
  publishedPort,
  releaseFiles,
  type ContainerChange,
  type ContainerOutcome,
  type RunningContainer,
} from "./container.js";
export { gitClone, gitCheckout, gitRevision, gitUpdateSubmodules } from "./git.js";
export { AbortError, isAbortError, formatCommand, shellQuote, isDaemonFailure } from "./exec.js";
export { buildFailure, engineAddress, engineAnswers, ENGINE_ANSWER_TIMEOUT_MS } from "./build-failure.js";
export { guardCommand, guardDir, guardProcessGroup } from "./watchdog.js";
