/**
 * The engine stage: find a BuildKit client, build, run, push. Command lines are
 * built by pure functions (`buildCommand`, `runCommand`, `pushCommand`) and run by
 * thin executors (`runBuild`, `runContainer`, `pushImage`).
 */
export type {
  BuildRequest,
  BuildResult,
  BuildStep,
  Command,
  Engine,
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
export { probeEngine, clearProbeCache, whichAll } from "./probe.js";
export { buildCommand, planBuild, progressMode, dockerTarPath, versionAtLeast, type BuildPlan } from "./build-command.js";
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
  hasBridgeNetwork,
  dockerClientOf,
  parsePushDigest,
  parseLoadOutput,
  parseInspect,
  parseHistory,
} from "./image.js";
export { AbortError, isAbortError, formatCommand, shellQuote, isDaemonFailure } from "./exec.js";
export { buildFailure, engineAddress, engineAnswers, ENGINE_ANSWER_TIMEOUT_MS } from "./build-failure.js";
export { guardCommand, guardDir, guardProcessGroup } from "./watchdog.js";
