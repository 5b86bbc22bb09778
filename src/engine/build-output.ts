/**
 * The two streams of a running build: what the client prints (progress, parsed into events and
 * kept as the log) and the context tar going into its stdin.
 */
import type { ProgressReader } from "./adapters/index.js";
import type { FailedStep } from "./build-failure.js";
import type { RunningProcess } from "./process.js";
import type { BuildStep, ProgressEvent, RunBuildOptions } from "./types.js";

/** Lines kept per step, to tell why a step failed. */
const STEP_LINES = 30;

/** What the client printed: the log, the steps and those that failed, each step's last lines, the builder's own lines. */
export function collectOutput(reader: ProgressReader, onEvent: RunBuildOptions["onEvent"], stopClient: () => void, onImage: (id: string) => void) {
  const { parser, render } = reader;
  let stdout = "";
  let recent = "";
  const out = {
    log: "",
    steps: new Map<string, BuildStep>(),
    stepLines: new Map<string, string[]>(),
    failed: [] as FailedStep[],
    topLines: [] as string[],
    /** The image the engine wrote, as its progress said (before the client writes the iidfile). */
    madeImage: undefined as string | undefined,
    /** What onEvent threw (the build is stopped then). */
    callbackError: undefined as unknown,
  };
  const record = (e: ProgressEvent): void => {
    if (e.type === "step") {
      const prev = out.steps.get(e.id);
      out.steps.set(e.id, { name: e.name || prev?.name || "", status: e.status, durationMs: e.durationMs ?? prev?.durationMs });
      if (e.status === "error") out.failed.push({ id: e.id, name: e.name, error: e.error ?? "" });
    } else if (e.type === "log" && e.id === "") {
      out.topLines.push(e.text);
    } else if (e.type === "log") {
      const lines = out.stepLines.get(e.id) ?? [];
      lines.push(e.text);
      if (lines.length > STEP_LINES) lines.shift();
      out.stepLines.set(e.id, lines);
    }
  };
  const handle = (events: ProgressEvent[]): void => {
    for (const e of events) {
      if (render) out.log += render(e);
      record(e);
      if (onEvent && out.callbackError === undefined) {
        try {
          onEvent(e);
        } catch (err) {
          out.callbackError = err;
          stopClient();
        }
      }
    }
  };
  return Object.assign(out, {
    stderr: (chunk: string): void => {
      if (!render) out.log += chunk;
      // `writing image sha256:…` (plain and rawjson alike), kept across chunk boundaries.
      recent = (recent + chunk).slice(-512);
      const made = [...recent.matchAll(/writing image (sha256:[0-9a-f]{64})/g)].pop()?.[1];
      if (made && made !== out.madeImage) onImage(made);
      out.madeImage = made ?? out.madeImage;
      handle(parser.push(chunk));
    },
    stdout: (chunk: string): void => {
      stdout += chunk;
    },
    end: (): void => {
      handle(parser.end());
      if (stdout.trim() !== "") out.log += (out.log.endsWith("\n") || out.log === "" ? "" : "\n") + stdout;
    },
  });
}

function destroyStream(stream: NodeJS.ReadableStream): void {
  const s = stream as NodeJS.ReadableStream & { destroy?: () => void };
  if (typeof s.destroy === "function") s.destroy();
}

/**
 * Streams the context tar into the client's stdin; a broken stream stops the client. The client is
 * stopped first and its input closed only once it has exited: a context cut at an entry boundary is
 * still a valid tar, and a client that saw its end could build and tag it.
 */
export function pipeContext(context: () => NodeJS.ReadableStream, proc: RunningProcess, stopClient: () => void) {
  const stdin = proc.stdin!;
  let error: unknown;
  let stream: NodeJS.ReadableStream | undefined;
  stdin.on("error", () => {
    /* EPIPE: the client stopped reading (it failed or was killed); its exit tells why */
  });
  const fail = (err: unknown): void => {
    error ??= err;
    proc.onExit(() => stdin.destroy());
    stopClient();
  };
  try {
    stream = context();
    stream.on("error", fail);
    stream.pipe(stdin);
  } catch (err) {
    fail(err);
  }
  return { error: () => error, close: () => stream && destroyStream(stream) };
}
