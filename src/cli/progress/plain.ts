/**
 * The plain display, after BuildKit's `--progress=plain`: a line when a step starts (`#3 install
 * requirements.txt with pip`), each line of its output (`#3 Collecting …`) and a line when it ends
 * (`#3 DONE 1.5s`, `#3 CACHED`, `#3 ERROR exit code 1`). Nothing is redrawn: for logs and CI.
 */
import type { ProgressEvent } from "../../engine/types.js";
import type { StepBook, TrackedStep } from "./book.js";
import { displayText, formatDuration } from "./text.js";

export class PlainBuildView {
  private readonly numbers = new Map<string, number>();

  constructor(
    private readonly book: StepBook,
    private readonly write: (line: string) => void,
    /** Show r2d's and BuildKit's own steps and the builder's own lines too (--debug). */
    private readonly all: boolean,
  ) {}

  private number(s: TrackedStep): number {
    let n = this.numbers.get(s.id);
    if (n === undefined) {
      n = this.numbers.size + 1;
      this.numbers.set(s.id, n);
    }
    return n;
  }

  /** Records the event in the book and prints what it means. */
  event(e: ProgressEvent): void {
    const step = this.book.record(e);
    if (e.type === "warning") return this.write(`r2d: builder warning: ${displayText(e.text)}`);
    if (!step) {
      // The builder's own closing lines repeat the failed command: the failure report says it once.
      if (e.type === "log" && this.all) this.write(displayText(e.text));
      return;
    }
    if (step.internal && !this.all) return;
    const n = `#${this.number(step)}`;
    if (e.type === "log") return this.write(`${n} ${step.lines.at(-1) ?? ""}`);
    step.printed = true;
    switch (e.status) {
      case "started":
        return this.write(`${n} ${step.words}`);
      case "cached":
        return this.write(`${n} CACHED`);
      case "canceled":
        return this.write(`${n} CANCELED`);
      case "done":
        return this.write(`${n} DONE ${formatDuration(step.durationMs ?? 0)}`);
      case "error": {
        const code = /exit code:? (\d+)/.exec(step.error ?? "")?.[1];
        return this.write(`${n} ERROR${code ? ` exit code ${code}` : ""}`);
      }
    }
  }
}
