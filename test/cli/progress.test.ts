/**
 * The build display's pieces without an engine: the Dockerfile's steps and their words, the book's
 * build order, the live block on a simulated terminal, the plain lines. Terminal tests in a real
 * pseudo-terminal are in terminal.itg.test.ts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { StepBook } from "../../src/cli/progress/book.js";
import { dockerfileSteps } from "../../src/cli/progress/dockerfile-steps.js";
import { createDisplay } from "../../src/cli/progress/index.js";
import { PlainBuildView } from "../../src/cli/progress/plain.js";
import { stepLabeler, vertexPosition } from "../../src/cli/progress/step-words.js";
import { align, clip, displayText, formatDuration, textWidth, wrapText } from "../../src/cli/progress/text.js";
import { createPlainProgressParser } from "../../src/engine/progress-plain.js";
import type { ProgressEvent } from "../../src/engine/types.js";
import { Screen } from "./screen.js";

const fixture = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), "utf8");
const PYTHON_DOCKERFILE = fixture("fixtures/python-requirements/expected/Dockerfile");
const R_DOCKERFILE = fixture("fixtures/r-synapse/expected/Dockerfile");

const step = (id: string, name: string, status: ProgressEvent & { type: "step" } extends infer S ? S extends { status: infer T } ? T : never : never, durationMs?: number): ProgressEvent => ({
  type: "step",
  id,
  name,
  status,
  ...(durationMs !== undefined ? { durationMs } : {}),
});
const log = (id: string, text: string): ProgressEvent => ({ type: "log", id, text });

describe("text for a terminal", () => {
  it("removes escape sequences and control characters from step output", () => {
    expect(displayText("\x1b[2J\x1b[Hcleared\x07")).toBe("cleared");
    expect(displayText("\x1b]0;title\x07text")).toBe("text");
    expect(displayText("10%\r50%\r100%")).toBe("100%");
    expect(displayText("a\tb\u202ec")).toBe("a  bc");
  });

  it("measures wide characters and cuts to a width with an ellipsis", () => {
    expect(textWidth("日本語")).toBe(6);
    expect(textWidth("e\u0301")).toBe(1);
    expect(clip("install requirements.txt with pip", 12)).toBe("install req…");
    expect(textWidth(clip("日本語日本語", 7))).toBeLessThanOrEqual(7);
    expect(align("run postBuild", "3.1s", 30)).toBe(`run postBuild${" ".repeat(12)} 3.1s`);
    expect(textWidth(align("x".repeat(100), "12.0s", 40))).toBe(40);
  });

  it("formats durations", () => {
    expect([400, 12_340, 65_000, 3_720_000].map(formatDuration)).toEqual(["0.4s", "12.3s", "1m05s", "1h02m"]);
  });
});

describe("the Dockerfile's steps", () => {
  it("numbers FROM, RUN, COPY, ADD and WORKDIR per stage, as BuildKit does", () => {
    const steps = dockerfileSteps(PYTHON_DOCKERFILE);
    expect(steps.map((s) => `${s.stage} ${s.index}/${s.total} ${s.keyword}`)).toEqual([
      ...["r2d-base 1/3 FROM", "r2d-base 2/3 RUN", "r2d-base 3/3 COPY"],
      ...["builder 1/6 FROM", "builder 2/6 WORKDIR", "builder 3/6 RUN", "builder 4/6 COPY", "builder 5/6 RUN", "builder 6/6 RUN"],
      ...["runtime 1/5 FROM", "runtime 2/5 COPY", "runtime 3/5 WORKDIR", "runtime 4/5 COPY", "runtime 5/5 RUN"],
    ]);
    expect(steps[8]!.comment).toEqual(["pip packages from requirements.txt"]);
  });

  it("joins continuation lines, skips heredoc bodies and names stages", () => {
    const steps = dockerfileSteps("FROM a AS build\nRUN x \\\n  && y\nRUN <<EOF\nFROM not-a-stage\nEOF\nFROM b\nCOPY --from=build /x /y\n");
    expect(steps.map((s) => [s.stage, s.index, s.total, s.keyword, s.args])).toEqual([
      ["build", 1, 3, "FROM", "a AS build"],
      ["build", 2, 3, "RUN", "x && y"],
      ["build", 3, 3, "RUN", "<<EOF"],
      ["stage-1", 1, 2, "FROM", "b"],
      ["stage-1", 2, 2, "COPY", "--from=build /x /y"],
    ]);
  });
});

describe("step words", () => {
  const label = stepLabeler(PYTHON_DOCKERFILE);
  const pipStep = "[builder 6/6] RUN PIP_CONFIG_FILE=/run/secrets/r2d-pip-conf PIP_CACHE_DIR=/tmp/r2d-cache/pip pip install --disable-pip-version-check -r requirements.txt";

  it("names r2d's steps by what they do and hides its plumbing", () => {
    expect(label("[r2d-base 1/3] FROM docker.io/library/python:3.10-slim-bookworm")).toMatchObject({ words: "base image python:3.10-slim-bookworm", internal: false, order: 0 });
    expect(label("[r2d-base 2/3] RUN if ! python3 -c 'import venv, ensurepip' …")).toMatchObject({ words: "system set-up: Python 3 with venv and pip, the image user jovyan" });
    expect(label("[r2d-base 3/3] COPY r2d/r2d-entrypoint /usr/local/bin/r2d-entrypoint").internal).toBe(true);
    expect(label("[builder 2/6] WORKDIR /home/jovyan").internal).toBe(true);
    expect(label("[builder 3/6] RUN python3 -m venv /srv/venv").words).toBe("create the Python environment /srv/venv");
    expect(label("[builder 4/6] COPY --chown=1000:1000 [src/requirements.txt,/home/jovyan/requirements.txt]").words).toBe("copy requirements.txt");
    expect(label(pipStep)).toMatchObject({ words: "install requirements.txt with pip", order: 8 });
    expect(label("[builder 5/6] RUN rm -f /etc/apt/apt.conf.d/docker-clean …").words).toBe("build-essential if a package is not a wheel");
    expect(label("[runtime 1/5] FROM r2d-base").internal).toBe(true);
    expect(label('[runtime 2/5] COPY --from=builder --chown=1000:1000 ["/srv/venv","/srv/venv"]').words).toBe("copy the built environment /srv/venv");
    expect(label("[runtime 4/5] COPY --chown=1000:1000 [src/,/home/jovyan/]").words).toBe("copy the repository");
    expect(label("[runtime 5/5] RUN chmod +x -- run.sh").words).toBe("make run.sh executable");
  });

  it("a FROM numbered by another build sharing the vertex is still this Dockerfile's base image", () => {
    // Concurrent builds with the same base share BuildKit's vertex, named as the other build numbered it.
    expect(label("[stage-9 1/12] FROM docker.io/library/python:3.10-slim-bookworm")).toMatchObject({ words: "base image python:3.10-slim-bookworm", order: 0 });
  });

  it("reads the stage prefix and padded numbers of newer BuildKit, and the mounts it shows", () => {
    expect(label("[builder 6/6] RUN --mount=type=cache,id=r2d-pip-1000,target=/tmp/r2d-cache/pip PIP_CONFIG_FILE=… pip install").words).toBe("install requirements.txt with pip");
    expect(label("[linux/amd64 builder 6/6] RUN pip install").words).toBe("install requirements.txt with pip");
    expect(vertexPosition("[ 7/10] RUN x")).toEqual({ stage: undefined, index: 7, total: 10, rest: "RUN x" });
    expect(vertexPosition("[linux/arm64 builder  3/12] COPY a b")).toEqual({ stage: "builder", index: 3, total: 12, rest: "COPY a b" });
  });

  it("R steps, and BuildKit's own steps: the export shown last, the rest hidden", () => {
    const r = stepLabeler(R_DOCKERFILE);
    expect(r("[7/9] RUN R2D_CRAN=… Rscript /usr/local/lib/r2d/install-r-packages.R packages optparse readr").words).toBe("install the R packages of requirements.R");
    expect(r("[4/9] COPY r2d/install-r-packages.R /usr/local/lib/r2d/install-r-packages.R").internal).toBe(true);
    expect(label("[internal] load metadata for docker.io/library/python:3.10")).toMatchObject({ internal: true });
    expect(label("exporting to image")).toMatchObject({ words: "export the image", internal: false });
    expect(label("exporting to image").order).toBeGreaterThan(label(pipStep).order);
  });

  it("a repository's own Dockerfile is shown as its instructions, without RUN's mounts", () => {
    const own = stepLabeler("FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt\n");
    expect(own("[2/2] RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt").words).toBe("RUN pip install -r requirements.txt");
    // Numbered differently from the file (an ONBUILD trigger): the text finds the instruction.
    expect(own("[3/3] RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt").order).toBe(1);
  });
});

/** The plain-cached fixture: BuildKit reports [3/4] before [2/4]. */
const CACHED_DOCKERFILE = 'FROM r2d-engine-probe/mini:1\nCOPY data.txt /data.txt\nRUN echo "line one" && echo "line two" >&2 && for i in 1 2 3; do echo "tick $i"; done\nRUN echo "greeting: hello"\n';
/** Three stages and an unused one, as r2d lays them out: base, builder, runtime (the target). */
const STAGED_DOCKERFILE = [
  "FROM r2d-engine-probe/mini:1 AS base",
  "RUN echo base",
  "FROM base AS dev",
  "RUN echo dev",
  "FROM base AS builder",
  "RUN echo build",
  "FROM base AS runtime",
  "COPY --from=builder /env /env",
  "RUN echo run",
  "",
].join("\n");
const recorded = (name: string) => {
  const parser = createPlainProgressParser();
  return [...parser.push(fixture(`test/engine/fixtures/${name}`)), ...parser.end()];
};

describe("the step book", () => {
  it("prints finished steps in build order whatever order the builder reported them in", () => {
    const book = new StepBook(CACHED_DOCKERFILE, () => 0);
    const printed: string[] = [];
    for (const e of recorded("plain-cached.txt")) {
      book.record(e);
      printed.push(...book.takePrintable().map((s) => s.words));
    }
    expect(printed).toEqual(["FROM r2d-engine-probe/mini:1", "COPY data.txt /data.txt", 'RUN echo "line one" && echo "line two" >&2 && for i in 1 2 3; do echo "tick $i"; done', 'RUN echo "greeting: hello"', "export the image"]);
  });

  it("a finished step waits for an earlier one still running, but not for ever", () => {
    let now = 0;
    const book = new StepBook(CACHED_DOCKERFILE, () => now);
    book.record(step("from", "[1/4] FROM r2d-engine-probe/mini:1", "cached"));
    book.record(step("a", "[2/4] COPY data.txt /data.txt", "started"));
    book.record(step("c", '[3/4] RUN echo "line one"', "cached"));
    book.record(step("b", '[4/4] RUN echo "greeting: hello"', "cached"));
    expect(book.takePrintable().map((s) => s.id)).toEqual(["from"]);
    now = 2000;
    expect(book.takePrintable()).toEqual([]); // [2/4] is still running
    book.record(step("a", "[2/4] COPY data.txt /data.txt", "done", 100));
    now = 2100;
    expect(book.takePrintable().map((s) => s.id)).toEqual(["a", "c", "b"]);
  });

  it("a cached step waits for the Dockerfile's earlier steps the builder has not reported yet", () => {
    const book = new StepBook(STAGED_DOCKERFILE, () => 0);
    // The runtime stage's cached step comes first; the builder's, before it in the Dockerfile, later.
    book.record(step("base", "[base 1/2] FROM r2d-engine-probe/mini:1", "cached"));
    book.record(step("b2", "[base 2/2] RUN echo base", "cached"));
    book.record(step("r2", "[runtime 2/3] COPY --from=builder /env /env", "cached"));
    expect(book.takePrintable().map((s) => s.id)).toEqual(["base", "b2"]);
    book.record(step("u2", "[builder 2/2] RUN echo build", "cached"));
    book.record(step("r3", "[runtime 3/3] RUN echo run", "cached"));
    // The dev stage is not built (the last stage is the target), and a FROM of a stage has no step.
    expect(book.takePrintable().map((s) => s.id)).toEqual(["u2", "r2", "r3"]);
  });

  it("a step the builder never reports holds the others back for a moment only", () => {
    let now = 0;
    const book = new StepBook(STAGED_DOCKERFILE, () => now);
    book.record(step("r3", "[runtime 3/3] RUN echo run", "cached"));
    expect(book.takePrintable()).toEqual([]);
    now = 1600;
    expect(book.takePrintable().map((s) => s.id)).toEqual(["r3"]);
  });

  it("keeps each step's last lines, made safe to show, and the whole transcript", () => {
    const book = new StepBook(undefined, () => 0);
    book.record(step("x", "[1/1] RUN make", "started"));
    for (let i = 0; i < 50; i++) book.record(log("x", `line ${i}\x1b[31m`));
    const s = book.record(step("x", "[1/1] RUN make", "error"))!;
    expect(s.lines).toHaveLength(40);
    expect(s.lines.at(-1)).toBe("line 49");
    expect(book.failed()?.id).toBe("x");
    expect(book.transcript).toContain("#1 line 0");
  });
});

/** Runs events through a tty display on a simulated terminal. */
function ttyRun(columns: number, rows: number) {
  const screen = new Screen(columns, rows);
  let now = 1_000;
  const display = createDisplay({ mode: "tty", debug: false, write: (s) => screen.write(s), terminal: { columns: () => screen.columns, rows: () => rows } });
  display.event({ type: "plan", buildpack: "python", dockerfile: PYTHON_DOCKERFILE });
  return { screen, display, tick: (ms: number) => (now += ms), at: () => now };
}

describe("the terminal display", () => {
  const names = ["[r2d-base 1/3] FROM docker.io/library/python:3.10-slim-bookworm", "[r2d-base 2/3] RUN if ! python3 …", "[r2d-base 3/3] COPY r2d/r2d-entrypoint /usr/local/bin/r2d-entrypoint", "[builder 2/6] WORKDIR /home/jovyan", "[builder 3/6] RUN python3 -m venv /srv/venv", "[builder 4/6] COPY --chown=1000:1000 [src/requirements.txt,/home/jovyan/requirements.txt]", "[builder 6/6] RUN PIP_CONFIG_FILE=/run/secrets/r2d-pip-conf pip install --disable-pip-version-check -r requirements.txt", "[runtime 4/5] COPY --chown=1000:1000 [src/,/home/jovyan/]", "[runtime 5/5] RUN chmod +x -- run.sh", "[builder 5/6] RUN rm -f /etc/apt/apt.conf.d/docker-clean && if command -v cc …"];
  const progress = (event: ProgressEvent) => ({ type: "progress" as const, event });

  it.each([80, 120])("at %i columns: live block in place, lines within the width, steps in order, block gone at the end", (columns) => {
    const { screen, display } = ttyRun(columns, 30);
    display.event({ type: "context", fileCount: 3, bytes: 10, excluded: [], summary: "sent 3 files, 10 B" });
    // Cached steps reported out of order, then the pip install running with output.
    for (const i of [0, 1, 4, 2, 3, 9, 5]) display.event(progress(step(`v${i}`, names[i]!, "cached")));
    display.event(progress(step("v6", names[6]!, "started")));
    for (let i = 0; i < 10; i++) display.event(progress(log("v6", `Collecting package-${i} ${"x".repeat(150)}`)));
    const live = screen.text();
    expect(live.every((l) => l.length < columns)).toBe(true);
    expect(live.filter((l) => l.startsWith("[+] Building"))).toHaveLength(1);
    expect(live.filter((l) => l.includes("Collecting package-"))).toHaveLength(6);
    expect(live.at(-1)).toContain("Collecting package-9");
    // A message while the block is up: printed above it, block drawn again below.
    display.event({ type: "message", level: "warn", text: "something to know" });
    const withMessage = screen.text();
    expect(withMessage.filter((l) => l.startsWith("[+] Building"))).toHaveLength(1);
    expect(withMessage.indexOf("r2d: warning: something to know")).toBeLessThan(withMessage.findIndex((l) => l.startsWith("[+] Building")));
    display.event(progress(step("v6", names[6]!, "done", 12_300)));
    display.event(progress(step("v7", names[7]!, "done", 100)));
    display.event(progress(step("v8", names[8]!, "done", 200)));
    display.event({ type: "built", plan: { buildpack: "python", python: "3.10", r: null, baseImageOverridden: false, user: { name: "jovyan", uid: 1000, gid: 1000, source: "" } }, imageName: "m:1", imageId: "sha256:0123456789abcdef", imageSize: 1000, image: { python: "3.10.14", r: null, user: "jovyan" }, durationMs: 15_000 });
    const end = screen.text();
    expect(end.some((l) => l.startsWith("[+] Building") || l.includes("Collecting"))).toBe(false);
    expect(end.filter((l) => l.startsWith(" => "))).toEqual([
      expect.stringMatching(/^ => base image python:3\.10-slim-bookworm +CACHED$/),
      expect.stringMatching(/^ => system set-up: .* +CACHED$/),
      expect.stringMatching(/^ => create the Python environment \/srv\/venv +CACHED$/),
      expect.stringMatching(/^ => copy requirements\.txt +CACHED$/),
      expect.stringMatching(/^ => build-essential if a package is not a wheel +CACHED$/),
      expect.stringMatching(/^ => install requirements\.txt with pip +12\.3s$/),
      expect.stringMatching(/^ => copy the repository +0\.1s$/),
      expect.stringMatching(/^ => make run\.sh executable +0\.2s$/),
    ]);
    expect(end.every((l) => l.length < columns || !l.startsWith(" => "))).toBe(true);
    expect(end.join("\n").replace(/\n {5}/g, " ").split("\n").at(-1)).toBe("r2d: built m:1 (0123456789ab, 1.0 kB) in 15.0s: Python 3.10.14, user jovyan (uid 1000)");
  });

  it("on a short terminal the block stays below the screen's height", () => {
    const { screen, display } = ttyRun(80, 8);
    for (let i = 0; i < 9; i++) display.event(progress(step(`v${i}`, names[i]!, "started")));
    for (let i = 0; i < 20; i++) display.event(progress(log("v6", `output ${i}`)));
    expect(screen.text().length).toBeLessThan(8);
  });
});

describe("the plain display", () => {
  it("a line per step start and end, the output between, r2d's plumbing and the builder's closing lines left out", () => {
    const lines: string[] = [];
    const view = new PlainBuildView(new StepBook(fixture("test/engine/fixtures/plain-failure.Dockerfile")), (l) => lines.push(l), false);
    for (const e of recorded("plain-failure.txt")) view.event(e);
    expect(lines).toEqual([
      "#1 FROM r2d-engine-probe/mini:1",
      "#1 CACHED",
      "#2 COPY f.txt /f.txt",
      "#2 DONE 0.0s",
      '#3 RUN echo "installing things"; echo "oops: something broke" >&2; exit 3',
      "#3 installing things",
      "#3 oops: something broke",
      "#3 ERROR exit code 3",
    ]);
  });
});

describe("wrapping r2d's own lines on a terminal", () => {
  it("breaks at spaces with an indent, and cuts a word longer than a line", () => {
    const lines = wrapText(`r2d: base image r2d-test/python:bookworm replaces python:3.10-slim-bookworm; the image has whatever Python it ships ${"x".repeat(100)}`, 42);
    for (const l of lines) expect(textWidth(l)).toBeLessThan(42);
    expect(lines[0]).toBe("r2d: base image r2d-test/python:bookworm");
    expect(lines[1]).toMatch(/^ {5}replaces/);
    expect(lines.join("").replace(/ +/g, "")).toContain("x".repeat(100));
  });
});
