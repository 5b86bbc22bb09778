/**
 * What the displays know about a build's steps, from the engine's progress events: each step's
 * words, state, times and last lines of output, which finished steps can be printed for good (in
 * build order, however the builder reported them), and the whole transcript for the failure log.
 */
import type { ProgressEvent, StepStatus } from "../../engine/types.js";
import { createEventRenderer } from "../../engine/progress-rawjson.js";
import { dockerfileSteps, reportedSteps } from "./dockerfile-steps.js";
import { stepLabeler, type StepLabel } from "./step-words.js";
import { displayText } from "./text.js";

/** Output lines kept per step (the live area shows fewer; a failure shows these). */
const KEPT_LINES = 40;
/** A finished step waits at most this long for the steps before it to be reported. */
const ORDER_WAIT_MS = 1500;

export interface TrackedStep extends StepLabel {
  id: string;
  /** The builder's name of the step (`[7/10] RUN …`). */
  name: string;
  status: StepStatus;
  startedAt: number;
  finishedAt?: number;
  durationMs?: number;
  error?: string;
  /** The last lines of its output, made safe to show. */
  lines: string[];
  printed: boolean;
}

const FINISHED: readonly StepStatus[] = ["done", "cached", "error", "canceled"];
export const isFinished = (s: TrackedStep): boolean => FINISHED.includes(s.status);

export class StepBook {
  private label = stepLabeler();
  /** Build-order places of the Dockerfile steps the builder will report (none known: only the steps seen count). */
  private expected = new Set<number>();
  private readonly steps = new Map<string, TrackedStep>();
  private readonly render = createEventRenderer();
  /** The builder's output as plain text, for the failure log. */
  transcript = "";

  constructor(
    dockerfile?: string,
    private readonly now: () => number = Date.now,
  ) {
    this.setDockerfile(dockerfile);
  }

  /** The Dockerfile the steps come from (known once planned). */
  setDockerfile(dockerfile: string | undefined): void {
    const steps = dockerfile ? dockerfileSteps(dockerfile) : [];
    this.label = stepLabeler(dockerfile, steps);
    this.expected = reportedSteps(steps);
  }

  /** Records an event; returns the step it concerns (none for builder output outside steps, warnings). */
  record(e: ProgressEvent): TrackedStep | undefined {
    this.transcript += this.render(e);
    if (e.type === "warning") return undefined;
    if (e.type === "log") {
      const step = this.steps.get(e.id);
      if (!step) return undefined;
      step.lines.push(displayText(e.text));
      if (step.lines.length > KEPT_LINES) step.lines.shift();
      return step;
    }
    let step = this.steps.get(e.id);
    if (!step) {
      step = { id: e.id, name: e.name, ...this.label(e.name), status: "started", startedAt: this.now(), lines: [], printed: false };
      this.steps.set(e.id, step);
    }
    if (e.status === "started" && isFinished(step)) {
      // BuildKit runs a vertex again: it is live again.
      Object.assign(step, { status: "started", startedAt: this.now(), finishedAt: undefined, durationMs: undefined, printed: false });
    }
    step.status = e.status;
    if (isFinished(step)) {
      step.finishedAt = this.now();
      step.durationMs = e.durationMs ?? step.finishedAt - step.startedAt;
      if (e.error) step.error = e.error;
    }
    return step;
  }

  /** Steps shown (internal ones too with `all`), in build order. */
  visible(all = false): TrackedStep[] {
    return [...this.steps.values()].filter((s) => all || !s.internal).sort((a, b) => a.order - b.order);
  }

  /**
   * Whether every step before `s` in build order has been reported finished, those of the
   * Dockerfile not reported yet included (BuildKit reports the cached steps of parallel stages in
   * any order), or `s` has waited long enough (a step BuildKit merged with another never comes).
   */
  private ready(s: TrackedStep): boolean {
    if (!isFinished(s)) return false;
    if (this.now() - (s.finishedAt ?? 0) >= ORDER_WAIT_MS) return true;
    const all = [...this.steps.values()];
    if (all.some((o) => o.order < s.order && !isFinished(o))) return false;
    for (const order of this.expected) {
      if (order < s.order && !all.some((o) => o.order === order)) return false;
    }
    return true;
  }

  /** Finished steps that can be printed for good now, in build order; marks them printed. */
  takePrintable(all = false): TrackedStep[] {
    const out: TrackedStep[] = [];
    for (const s of this.visible(all)) {
      if (s.printed) continue;
      if (!this.ready(s)) break;
      s.printed = true;
      out.push(s);
    }
    return out;
  }

  /** Every step not printed yet (the build ended), in build order; marks them printed. */
  takeRest(all = false): TrackedStep[] {
    const rest = this.visible(all).filter((s) => !s.printed);
    for (const s of rest) s.printed = true;
    return rest;
  }

  /** The step that failed (the first one reported with an error). */
  failed(): TrackedStep | undefined {
    return [...this.steps.values()].filter((s) => s.status === "error").sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0))[0];
  }

  /** The step of a builder's name (`[7/10] RUN …`), e.g. the one a BuildError names. */
  byName(name: string): TrackedStep | undefined {
    return [...this.steps.values()].find((s) => s.name === name);
  }

  counts(): { finished: number; known: number } {
    const shown = this.visible();
    return { finished: shown.filter(isFinished).length, known: shown.length };
  }
}
