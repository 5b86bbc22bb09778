/**
 * Parser for BuildKit's `--progress=rawjson` output (buildx, buildctl): one JSON
 * SolveStatus per line, `{vertexes, statuses, logs, warnings}`, where a vertex is
 * re-sent whenever it changes (merge by digest), log data and warning texts are
 * base64, and times are RFC 3339. Non-JSON lines (the client's final `ERROR: ...`)
 * are passed on as builder output.
 */
import type { ProgressReader } from "./adapters/types.js";
import { createLineSplitter, createPlainProgressParser, stepPosition } from "./progress-plain.js";
import type { ProgressEvent, ProgressParser, StepStatus } from "./types.js";

interface RawVertex {
  digest?: string;
  name?: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
}

interface RawLog {
  vertex?: string;
  stream?: number;
  data?: string;
}

interface RawWarning {
  vertex?: string;
  short?: string;
  detail?: string[];
  url?: string;
}

interface VertexState {
  name: string;
  started?: string;
  announced: boolean;
  finished: boolean;
  logPartial: string;
}

function decodeBase64(data: unknown): string {
  if (typeof data !== "string") return "";
  return Buffer.from(data, "base64").toString("utf8");
}

function durationBetween(started?: string, completed?: string): number | undefined {
  if (!started || !completed) return undefined;
  const ms = Date.parse(completed) - Date.parse(started);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stepEvent(id: string, st: VertexState, status: StepStatus, extra: { durationMs?: number; error?: string } = {}): ProgressEvent {
  return { type: "step", id, name: st.name, ...stepPosition(st.name), status, ...extra };
}

/** A vertex (re-)sent: merged by digest into what is known of it, and the step events its change means. */
function vertexEvents(vertexes: Map<string, VertexState>, v: RawVertex): ProgressEvent[] {
  if (typeof v.digest !== "string" || v.digest === "") return [];
  let st = vertexes.get(v.digest);
  if (!st) {
    st = { name: "", announced: false, finished: false, logPartial: "" };
    vertexes.set(v.digest, st);
  }
  if (typeof v.name === "string" && v.name !== "") st.name = v.name;
  if (typeof v.started === "string") st.started = v.started;
  const out: ProgressEvent[] = [];
  if (st.finished && !v.completed && v.started) {
    // The vertex runs again (BuildKit re-uses vertexes across solves).
    st.finished = false;
    st.announced = false;
  }
  if (!st.announced && (v.started || v.completed || v.cached)) {
    st.announced = true;
    out.push(stepEvent(v.digest, st, "started"));
  }
  if (v.completed && !st.finished) {
    st.finished = true;
    if (v.error) {
      const canceled = /context canceled$/.test(v.error);
      out.push(stepEvent(v.digest, st, canceled ? "canceled" : "error", canceled ? {} : { error: v.error }));
    } else if (v.cached) {
      out.push(stepEvent(v.digest, st, "cached"));
    } else {
      const durationMs = durationBetween(st.started, v.completed);
      out.push(stepEvent(v.digest, st, "done", durationMs === undefined ? {} : { durationMs }));
    }
  }
  return out;
}

/** A vertex's log text as whole lines; a partial last line waits for the rest (or `flush`). */
function logLines(vertexes: Map<string, VertexState>, id: string, text: string, flush: boolean): ProgressEvent[] {
  const st = vertexes.get(id);
  const buffered = (st?.logPartial ?? "") + text;
  const parts = buffered.split("\n");
  let rest = parts.pop() ?? "";
  if (flush && rest !== "") {
    parts.push(rest);
    rest = "";
  }
  if (st) st.logPartial = rest;
  else if (rest !== "") parts.push(rest); // a log for an unknown vertex: do not hold it back
  return parts.map((l) => ({ type: "log" as const, id, text: l.replace(/\r$/, "") }));
}

export function createRawJsonProgressParser(): ProgressParser {
  const lines = createLineSplitter();
  const vertexes = new Map<string, VertexState>();
  const warningsSeen = new Set<string>();

  const onLog = (l: RawLog): ProgressEvent[] => {
    if (typeof l.vertex !== "string") return [];
    return logLines(vertexes, l.vertex, decodeBase64(l.data), false);
  };

  const onWarning = (w: RawWarning): ProgressEvent[] => {
    const text = decodeBase64(w.short).trim();
    if (text === "") return [];
    const key = `${w.vertex ?? ""}\u0000${text}`;
    if (warningsSeen.has(key)) return [];
    warningsSeen.add(key);
    return [{ type: "warning", text }];
  };

  const parseLine = (line: string): ProgressEvent[] => {
    const text = line.trim();
    if (text === "") return [];
    let obj: unknown;
    if (text.startsWith("{")) {
      try {
        obj = JSON.parse(text);
      } catch {
        obj = undefined;
      }
    }
    if (!isObject(obj)) {
      const w = /^(?:WARNING|WARN)(?:\[\d+\])?:\s*(.*)$/.exec(text);
      if (w) return [{ type: "warning", text: w[1] ?? "" }];
      return [{ type: "log", id: "", text: line.trimEnd() }];
    }
    const out: ProgressEvent[] = [];
    const list = (key: string): Record<string, unknown>[] => {
      const v = obj[key];
      return Array.isArray(v) ? v.filter(isObject) : [];
    };
    for (const v of list("vertexes")) out.push(...vertexEvents(vertexes, v));
    for (const l of list("logs")) out.push(...onLog(l));
    for (const w of list("warnings")) out.push(...onWarning(w));
    return out;
  };

  return {
    push(chunk) {
      return lines.push(chunk).flatMap(parseLine);
    },
    end() {
      const out = lines.end().flatMap(parseLine);
      for (const [id, st] of vertexes) {
        if (st.logPartial !== "") out.push(...logLines(vertexes, id, "", true));
      }
      return out;
    },
  };
}

/**
 * Render events as plain-progress-like text, so a rawjson build still leaves a
 * log a person can read (and BuildError a tail worth showing).
 */
export function createEventRenderer(): (e: ProgressEvent) => string {
  const numbers = new Map<string, number>();
  const num = (id: string): number => {
    let n = numbers.get(id);
    if (n === undefined) {
      n = numbers.size + 1;
      numbers.set(id, n);
    }
    return n;
  };
  return (e) => {
    if (e.type === "warning") return `WARNING: ${e.text}\n`;
    if (e.type === "log") return e.id === "" ? `${e.text}\n` : `#${num(e.id)} ${e.text}\n`;
    const n = num(e.id);
    switch (e.status) {
      case "started":
        return `#${n} ${e.name}\n`;
      case "cached":
        return `#${n} CACHED\n\n`;
      case "canceled":
        return `#${n} CANCELED\n\n`;
      case "error":
        return `#${n} ERROR: ${e.error ?? ""}\n\n`;
      case "done":
        return `#${n} DONE${e.durationMs === undefined ? "" : ` ${(e.durationMs / 1000).toFixed(1)}s`}\n\n`;
    }
  };
}

/** BuildKit's progress as buildx, docker and buildctl print it: plain text, or rawjson lines rendered back to text for the log. */
export function buildkitProgressReader(format: "plain" | "rawjson"): ProgressReader {
  return format === "rawjson" ? { parser: createRawJsonProgressParser(), render: createEventRenderer() } : { parser: createPlainProgressParser() };
}
