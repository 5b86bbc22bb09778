/**
 * The terminal display, after BuildKit's own: a live block at the bottom with the running steps
 * (what each does in words, its timer, its last lines of output) under a `[+] Building` line;
 * finished steps leave the block as one line each, with their time, in build order. The block is
 * erased before anything else is printed and never holds a line wider than the terminal.
 */
import { isFinished, type StepBook, type TrackedStep } from "./book.js";
import { LiveArea, type Terminal } from "./live-area.js";
import { align, clip, formatDuration } from "./text.js";

/** Redraws per second while a step runs (the timers move). */
const TICK_MS = 150;
/** At most this many output lines under a running step. */
const MAX_OUTPUT_LINES = 6;

export interface Colours {
  faint(s: string): string;
  red(s: string): string;
}

export const NO_COLOURS: Colours = { faint: (s) => s, red: (s) => s };
export const ANSI_COLOURS: Colours = { faint: (s) => `\x1b[2m${s}\x1b[22m`, red: (s) => `\x1b[31m${s}\x1b[39m` };

function stepTime(s: TrackedStep, now: number): string {
  if (s.status === "cached") return "CACHED";
  if (s.status === "canceled") return "CANCELED";
  return formatDuration(s.durationMs ?? now - s.startedAt);
}

/** One step as a line of exactly `width - 1` columns: ` => words … 3.1s`. */
export function stepLine(s: TrackedStep, width: number, now: number, colours: Colours = NO_COLOURS): string {
  const mark = s.status === "error" ? " => ERROR " : " => ";
  const line = align(`${mark}${s.words}`, stepTime(s, now), width - 1);
  return s.status === "error" ? colours.red(line) : line;
}

/** The block for the steps not printed yet: the header, each step, the running steps' last lines. */
export function frame(book: StepBook, opts: { width: number; height: number; now: number; started: number; all: boolean; colours?: Colours }): string[] {
  const { width, height, now } = opts;
  const colours = opts.colours ?? NO_COLOURS;
  const live = book.visible(opts.all).filter((s) => !s.printed);
  const { finished, known } = book.counts();
  const header = clip(`[+] Building ${formatDuration(now - opts.started)} (${finished}/${known})`, width - 1);
  // The block stays below the screen's height, or the cursor could not get back to its top.
  const room = Math.max(1, height - 2);
  let steps = live;
  if (steps.length + 1 > room) steps = [...live.filter((s) => !isFinished(s)), ...live.filter(isFinished)].slice(0, room - 1).sort((a, b) => a.order - b.order);
  const talking = steps.filter((s) => !isFinished(s) && s.lines.length > 0);
  const perStep = talking.length ? Math.min(MAX_OUTPUT_LINES, Math.floor((room - 1 - steps.length) / talking.length)) : 0;
  const lines = [header];
  for (const s of steps) {
    lines.push(stepLine(s, width, now, colours));
    if (isFinished(s) || perStep <= 0) continue;
    for (const text of s.lines.slice(-perStep)) lines.push(colours.faint(clip(`    ${text}`, width - 1)));
  }
  return lines;
}

export interface TtyDisplayOptions {
  terminal: Terminal;
  book: StepBook;
  /** Show r2d's and BuildKit's own steps too (--debug). */
  all: boolean;
  colours: Colours;
  now?: () => number;
  /** Called with a function to run when the terminal is resized; returns how to stop listening. */
  onResize?: (redraw: () => void) => () => void;
}

/** The live display of one build: started with the first step, ended by `close()`. */
export class TtyBuildView {
  private readonly area: LiveArea;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private stopResize: (() => void) | undefined;
  private started: number | undefined;

  constructor(private readonly opts: TtyDisplayOptions) {
    this.area = new LiveArea(opts.terminal);
    this.now = opts.now ?? Date.now;
  }

  private width(): number {
    return Math.max(20, this.opts.terminal.columns());
  }

  private printable(steps: TrackedStep[]): string[] {
    return steps.map((s) => stepLine(s, this.width(), this.now(), this.opts.colours));
  }

  private block(): string[] {
    if (this.started === undefined) return [];
    return frame(this.opts.book, { width: this.width(), height: this.opts.terminal.rows(), now: this.now(), started: this.started, all: this.opts.all, colours: this.opts.colours });
  }

  /** Something changed: finished steps go above for good, the block is drawn again. */
  update(): void {
    if (this.started === undefined) {
      this.started = this.now();
      this.timer = setInterval(() => this.update(), TICK_MS);
      this.timer.unref();
      this.stopResize = this.opts.onResize?.(() => this.update());
    }
    this.area.draw(this.block(), this.printable(this.opts.book.takePrintable(this.opts.all)));
  }

  /** Prints lines of r2d's own above the block. */
  print(lines: string[]): void {
    this.area.print(lines, this.block());
  }

  /** The build ended: the block goes, every step left is printed in order. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopResize?.();
    this.stopResize = undefined;
    if (this.started === undefined) return;
    this.area.draw([], this.printable(this.opts.book.takeRest(this.opts.all)));
    this.area.clear();
    this.started = undefined;
  }
}
