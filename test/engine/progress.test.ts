import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { errorSummary } from "../../src/engine/build.js";
import { createPlainProgressParser, stepPosition } from "../../src/engine/progress-plain.js";
import { createEventRenderer, createRawJsonProgressParser } from "../../src/engine/progress-rawjson.js";
import type { ProgressEvent, ProgressParser } from "../../src/engine/types.js";
import { fixture } from "./helpers.js";

const sample = (name: string): string => readFileSync(fixture(name), "utf8");

/** Feed the text in chunks of the given sizes (cycled), then end. */
function parse(make: () => ProgressParser, text: string, sizes: number[] = [text.length]): ProgressEvent[] {
  const p = make();
  const out: ProgressEvent[] = [];
  let i = 0;
  let k = 0;
  while (i < text.length) {
    const n = Math.max(1, sizes[k++ % sizes.length] ?? 1);
    out.push(...p.push(text.slice(i, i + n)));
    i += n;
  }
  out.push(...p.end());
  return out;
}

type Step = Extract<ProgressEvent, { type: "step" }>;
const stepsOf = (events: ProgressEvent[]): Step[] => events.filter((e): e is Step => e.type === "step");
const logsOf = (events: ProgressEvent[], id?: string): string[] =>
  events.filter((e) => e.type === "log" && (id === undefined || e.id === id)).map((e) => (e as { text: string }).text);
const warningsOf = (events: ProgressEvent[]): string[] => events.filter((e) => e.type === "warning").map((e) => (e as { text: string }).text);
/** Final status of each step, by name, in order of first appearance. */
const finalStatus = (events: ProgressEvent[]): [string, string][] => {
  const m = new Map<string, string>();
  for (const s of stepsOf(events)) m.set(s.name, s.status);
  return [...m.entries()];
};

describe("stepPosition", () => {
  it.each([
    ["[3/7] RUN ./postBuild", { index: 3, total: 7 }],
    ["[stage-2 2/3] COPY --from=a /bin/sh /a-sh", { index: 2, total: 3 }],
    ["[a 1/2] FROM docker.io/library/debian:bookworm-slim", { index: 1, total: 2 }],
    ["[internal] load build definition from Dockerfile", {}],
    ["exporting to image", {}],
  ])("%s", (name, want) => {
    expect(stepPosition(name)).toEqual(want);
  });
});

describe("plain progress parser (recorded from Docker 20.10 with DOCKER_BUILDKIT=1)", () => {
  it("follows a successful build: steps, durations, logs", () => {
    const events = parse(createPlainProgressParser, sample("plain-success.txt"));
    expect(finalStatus(events)).toEqual([
      ["[internal] load remote build context", "cached"],
      ["copy /context /", "cached"],
      ["[internal] load metadata for docker.io/r2d-engine-probe/mini:1", "done"],
      ["[1/4] FROM docker.io/r2d-engine-probe/mini:1", "done"],
      ["[2/4] COPY data.txt /data.txt", "cached"],
      ['[3/4] RUN echo "line one" && echo "line two" >&2 && for i in 1 2 3; do echo "tick $i"; done', "done"],
      ['[4/4] RUN echo "greeting: hello"', "done"],
      ["exporting to image", "done"],
    ]);
    const run = stepsOf(events).find((s) => s.name.startsWith("[3/4] RUN") && s.status === "started");
    expect(run).toMatchObject({ id: "5", index: 3, total: 4 });
    expect(stepsOf(events).find((s) => s.id === "6" && s.status === "done")).toMatchObject({ durationMs: 0, index: 4, total: 4 });
    expect(logsOf(events, "5")).toEqual(["line one", "tick 1", "tick 2", "tick 3", "line two"]);
    expect(logsOf(events, "6")).toEqual(["greeting: hello"]);
    expect(logsOf(events, "8")).toEqual([]); // "writing image sha256:..." is a status line, not output
    expect(logsOf(events, "")).toEqual([]);
    expect(warningsOf(events)).toEqual([]);
  });

  it("gives the same events however the output is split into chunks", () => {
    const text = sample("plain-buildx.txt");
    const whole = parse(createPlainProgressParser, text);
    expect(parse(createPlainProgressParser, text, [1])).toEqual(whole);
    expect(parse(createPlainProgressParser, text, [7, 61, 13, 120, 3])).toEqual(whole);
  });

  it("sees a fully cached rebuild", () => {
    const events = parse(createPlainProgressParser, sample("plain-cached.txt"));
    const byStatus = finalStatus(events).filter(([, s]) => s === "cached").map(([n]) => n);
    expect(byStatus).toContain('[4/4] RUN echo "greeting: hello"');
    expect(logsOf(events)).toEqual([]);
  });

  it("names the failing step and keeps its output", () => {
    const events = parse(createPlainProgressParser, sample("plain-failure.txt"));
    const failed = stepsOf(events).filter((s) => s.status === "error");
    expect(failed).toEqual([
      {
        type: "step",
        id: "6",
        name: '[3/4] RUN echo "installing things"; echo "oops: something broke" >&2; exit 3',
        index: 3,
        total: 4,
        status: "error",
        error: 'executor failed running [/bin/sh -c echo "installing things"; echo "oops: something broke" >&2; exit 3]: exit code: 3',
      },
    ]);
    expect(logsOf(events, "6")).toEqual(["installing things", "oops: something broke"]);
    const top = logsOf(events, "");
    expect(top[0]).toBe("------");
    expect(errorSummary(top)).toMatch(/^executor failed running .*exit code: 3$/);
  });

  it("reports a Dockerfile error outside any step", () => {
    const events = parse(createPlainProgressParser, sample("plain-parse-error.txt"));
    expect(stepsOf(events).filter((s) => s.status === "error")).toEqual([]);
    expect(errorSummary(logsOf(events, ""))).toBe(
      "failed to solve with frontend dockerfile.v0: failed to create LLB definition: dockerfile parse error line 2: unknown instruction: FOO",
    );
  });

  it("reports a missing base image as a failed metadata step", () => {
    const events = parse(createPlainProgressParser, sample("plain-missing-base.txt"));
    const failed = stepsOf(events).find((s) => s.status === "error");
    expect(failed?.name).toBe("[internal] load metadata for docker.io/r2d-engine-probe/does-not-exist:1");
    expect(failed?.error).toMatch(/no such host/);
  });

  it("reads stage names in multi-stage builds", () => {
    const events = parse(createPlainProgressParser, sample("plain-multistage.txt"));
    const started = stepsOf(events).filter((s) => s.status === "started");
    expect(started.find((s) => s.name.startsWith("[a 2/2]"))).toMatchObject({ index: 2, total: 2 });
    expect(started.find((s) => s.name.startsWith("[stage-2 3/3]"))).toMatchObject({ index: 3, total: 3 });
    expect(logsOf(events, "7")).toEqual(["b line 0", "b line 1", "b line 2", "b line 3"]);
  });

  it("handles newer BuildKit output: #0, interleaving, WARN, CANCELED, warning list, source excerpt", () => {
    const events = parse(createPlainProgressParser, sample("plain-buildx.txt"));
    expect(stepsOf(events).some((s) => s.id === "0")).toBe(false);
    // The vertex printed again after "#6 ..." is not a new step.
    expect(stepsOf(events).filter((s) => s.id === "6").map((s) => s.status)).toEqual(["started", "done"]);
    expect(logsOf(events, "6")).toEqual([
      "Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]",
      "Reading package lists...",
      "Setting up git (1:2.39.5-0+deb12u1) ...",
      "",
    ]);
    // A step's own "ERROR:" output is a log line, not the step's failure.
    expect(logsOf(events, "8")).toEqual(["Collecting numpy", "ERROR: No matching distribution found for numpy"]);
    expect(finalStatus(events).slice(-4)).toEqual([
      ["[2/5] RUN apt-get update && apt-get install -y --no-install-recommends git", "done"],
      ["[3/5] COPY requirements.txt /tmp/requirements.txt", "done"],
      ["[4/5] RUN pip install -r /tmp/requirements.txt", "error"],
      ["[5/5] COPY . /home/jovyan", "canceled"],
    ]);
    expect(stepsOf(events).find((s) => s.id === "4" && s.status === "done")?.durationMs).toBe(2100);
    expect(logsOf(events, "4")).toEqual([]); // resolve / extract status lines
    expect(warningsOf(events)).toEqual([
      'InvalidBaseImagePlatform: Base image was pulled with platform "linux/arm64", expected "linux/amd64" for current build',
      "JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 12)",
    ]);
    expect(errorSummary(logsOf(events, ""))).toBe(
      'failed to solve: process "/bin/sh -c pip install -r /tmp/requirements.txt" did not complete successfully: exit code: 1',
    );
  });

  it("tolerates anything else", () => {
    const events = parse(createPlainProgressParser, "garbage\r\n#x not a vertex\n#12\n#12 DONE\n\n#3 name\n#3 ERROR\nWARNING: top level\nlast line without newline");
    expect(stepsOf(events).map((s) => [s.id, s.status, s.name])).toEqual([
      ["12", "started", ""],
      ["12", "done", ""],
      ["3", "started", "name"],
      ["3", "error", "name"],
    ]);
    expect(logsOf(events, "")).toEqual(["garbage", "#x not a vertex", "last line without newline"]);
    expect(warningsOf(events)).toEqual(["top level"]);
  });
});

describe("rawjson progress parser (SolveStatus lines)", () => {
  const d = (c: string): string => `sha256:${c.repeat(64)}`;

  it("merges vertex updates by digest into one start and one end per step", () => {
    const events = parse(createRawJsonProgressParser, sample("rawjson-success.jsonl"));
    expect(stepsOf(events).map((s) => [s.id, s.status, s.durationMs])).toEqual([
      [d("1"), "started", undefined],
      [d("1"), "done", 40],
      [d("2"), "started", undefined],
      [d("2"), "done", 400],
      [d("3"), "started", undefined],
      [d("3"), "cached", undefined],
      [d("4"), "started", undefined],
      [d("4"), "done", 50],
      [d("5"), "started", undefined],
      [d("5"), "done", 1500],
      [d("6"), "started", undefined],
      [d("6"), "done", 100],
      [d("7"), "started", undefined],
      [d("7"), "done", 300],
    ]);
    expect(stepsOf(events).find((s) => s.id === d("5"))).toMatchObject({ name: "[2/3] RUN echo hello", index: 2, total: 3 });
    // base64 log data, a line split across two messages, a \r progress line
    expect(logsOf(events, d("5"))).toEqual(["hello", "world", "Downloading 50%"]);
    expect(warningsOf(events)).toEqual([
      "JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 4)",
    ]);
    expect(logsOf(events, "")).toEqual([]);
  });

  it("gives the same events however the output is split into chunks", () => {
    const text = sample("rawjson-failure.jsonl");
    const whole = parse(createRawJsonProgressParser, text);
    expect(parse(createRawJsonProgressParser, text, [5, 200, 33])).toEqual(whole);
  });

  it("names the failing step, marks the others canceled, keeps non-JSON lines", () => {
    const events = parse(createRawJsonProgressParser, sample("rawjson-failure.jsonl"));
    expect(stepsOf(events).filter((s) => s.status === "error" || s.status === "canceled")).toEqual([
      {
        type: "step",
        id: d("5"),
        name: "[2/3] RUN pip install nope",
        index: 2,
        total: 3,
        status: "error",
        error: 'process "/bin/sh -c pip install nope" did not complete successfully: exit code: 1',
      },
      { type: "step", id: d("6"), name: "[3/3] COPY . /app", index: 3, total: 3, status: "canceled" },
    ]);
    // The last output line had no newline: flushed at the end.
    expect(logsOf(events, d("5"))).toEqual(["Collecting nope", "ERROR: No matching distribution found for nope"]);
    const top = logsOf(events, "");
    expect(top).toEqual([
      "not json: a stray line the client printed",
      'ERROR: failed to solve: process "/bin/sh -c pip install nope" did not complete successfully: exit code: 1',
    ]);
    expect(errorSummary(top)).toBe('failed to solve: process "/bin/sh -c pip install nope" did not complete successfully: exit code: 1');
  });

  it("tolerates broken JSON, unknown fields and odd values", () => {
    const lines = [
      '{"vertexes":[{"digest":"sha256:aa","name":"x","started":"2025-01-01T00:00:00Z"}]',
      '{"vertexes":"nope","logs":[{"data":"aGk="}],"unknown":1}',
      '{"vertexes":[{"name":"no digest"}, 5, null]}',
      '{"logs":[{"vertex":"sha256:zz","data":"b3JwaGFuCg=="}]}',
      "[1,2,3]",
      '{"warnings":[{"short":""}]}',
    ].join("\n");
    const events = parse(createRawJsonProgressParser, lines);
    expect(stepsOf(events)).toEqual([]);
    expect(logsOf(events, "sha256:zz")).toEqual(["orphan"]);
    expect(logsOf(events, "")).toEqual(['{"vertexes":[{"digest":"sha256:aa","name":"x","started":"2025-01-01T00:00:00Z"}]', "[1,2,3]"]);
  });

  it("renders events as readable plain text", () => {
    const render = createEventRenderer();
    const text = parse(createRawJsonProgressParser, sample("rawjson-failure.jsonl")).map(render).join("");
    expect(text).toContain("#5 [2/3] RUN pip install nope\n");
    expect(text).toContain("#5 Collecting nope\n");
    expect(text).toContain('#5 ERROR: process "/bin/sh -c pip install nope" did not complete successfully: exit code: 1\n');
    expect(text).toContain("#6 CANCELED\n");
    expect(text).toContain("#1 DONE 0.0s\n");
    expect(text).toContain("WARNING: JSONArgsRecommended");
  });
});
