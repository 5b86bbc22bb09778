/**
 * Parser for BuildKit's `--progress=plain` output (docker build with
 * DOCKER_BUILDKIT=1, docker buildx build, buildctl build).
 *
 * The printer writes, per vertex `#N`:
 *   `#N name`                       first time the vertex is shown (and again when the printer comes back to it)
 *   `#N sha256:<digest>`            the vertex digest (older BuildKit, e.g. Docker 20.10)
 *   `#N 0.123 text`                 a line of the step's output, with seconds since the step started
 *   `#N transferring context: 2B done`, `#N sha256:ab.. 1.2MB / 3.4MB 0.5s`   status lines
 *   `#N WARN: text`                 a warning
 *   `#N ...`                        the printer switches to another vertex
 *   `#N DONE 1.2s` | `#N CACHED` | `#N ERROR: msg` | `#N CANCELED`
 * and outside any vertex, the error summary (`------`, ` > [3/4] RUN ...:`,
 * `ERROR: failed to solve: ...`, or Docker 20.10's bare `executor failed running ...`).
 * Anything else is tolerated.
 */
import type { ProgressEvent, ProgressParser, StepStatus } from "./types.js";

/** `[3/7] RUN ...` or `[stage-2 3/7] COPY ...` → index 3, total 7. */
export function stepPosition(name: string): { index?: number; total?: number } {
  const m = /^\[(?:[^\]]*?\s)?(\d+)\/(\d+)\]/.exec(name);
  if (!m) return {};
  return { index: Number(m[1]), total: Number(m[2]) };
}

interface PlainStep {
  name: string;
  status: StepStatus;
}

/** Split a stream of chunks into complete lines (without `\n` or a trailing `\r`). */
export function createLineSplitter(): { push(chunk: string): string[]; end(): string[] } {
  let partial = "";
  return {
    push(chunk) {
      partial += chunk;
      const parts = partial.split("\n");
      partial = parts.pop() ?? "";
      return parts.map((l) => l.replace(/\r$/, ""));
    },
    end() {
      const rest = partial.replace(/\r$/, "");
      partial = "";
      return rest === "" ? [] : [rest];
    },
  };
}

export function createPlainProgressParser(): ProgressParser {
  const lines = createLineSplitter();
  const steps = new Map<string, PlainStep>();
  /** Inside buildx's closing "N warnings found:" list (` - Rule: text (line N)`). */
  let inWarningList = false;

  const stepEvent = (id: string, status: StepStatus, extra: { durationMs?: number; error?: string } = {}): ProgressEvent => {
    const st = steps.get(id);
    const name = st?.name ?? "";
    if (st) st.status = status;
    return { type: "step", id, name, ...stepPosition(name), status, ...extra };
  };

  const parseLine = (line: string): ProgressEvent[] => {
    const m = /^#(\d+)(?: (.*))?$/.exec(line);
    // `#0 building with "default" instance using docker driver` (buildx) is not a step.
    if (!m || m[1] === "0") {
      const text = line.trimEnd();
      if (text === "") {
        inWarningList = false;
        return [];
      }
      if (/^\s*\d+ warnings? found\b/.test(text)) {
        inWarningList = true;
        return [{ type: "log", id: "", text: text.trim() }];
      }
      const listed = inWarningList ? /^\s*- (.+)$/.exec(text) : null;
      if (listed) return [{ type: "warning", text: listed[1] ?? "" }];
      inWarningList = false;
      const w = /^(?:WARNING|WARN)(?:\[\d+\])?:\s*(.*)$/.exec(text);
      if (w) return [{ type: "warning", text: w[1] ?? "" }];
      return [{ type: "log", id: "", text }];
    }
    inWarningList = false;
    const id = m[1] ?? "";
    const rest = m[2] ?? "";
    const known = steps.get(id);
    if (!known) {
      steps.set(id, { name: rest, status: "started" });
      return [stepEvent(id, "started")];
    }
    if (rest === known.name || rest === "...") return [];
    if (/^sha256:[0-9a-f]{64}$/.test(rest)) return [];
    const done = /^DONE(?: (\d+(?:\.\d+)?)s)?$/.exec(rest);
    if (done) {
      return [stepEvent(id, "done", done[1] !== undefined ? { durationMs: Math.round(Number(done[1]) * 1000) } : {})];
    }
    if (rest === "CACHED") return [stepEvent(id, "cached")];
    if (rest === "CANCELED") return [stepEvent(id, "canceled")];
    const err = /^ERROR(?::\s?(.*))?$/.exec(rest);
    if (err) return [stepEvent(id, "error", { error: err[1] ?? "" })];
    const warn = /^WARN:\s?(.*)$/.exec(rest);
    if (warn) return [{ type: "warning", text: warn[1] ?? "" }];
    const log = /^\d+\.\d+(?: (.*))?$/.exec(rest);
    if (log) return [{ type: "log", id, text: log[1] ?? "" }];
    // A status line (transfer counters, "naming to ...", "writing image ..."): not step output.
    return [];
  };

  return {
    push(chunk) {
      return lines.push(chunk).flatMap(parseLine);
    },
    end() {
      return lines.end().flatMap(parseLine);
    },
  };
}
