/**
 * What r2d shows while it works (`--progress`): `tty` (a live block redrawn in place), `plain`
 * (one line per step start, output line and end) or `json` (the event stream, one JSON object per
 * line). Every mode keeps a StepBook, so a failure can name its step in words with its last lines.
 */
import type { R2dEvent } from "../../build-repo.js";
import { scrubDeep } from "../../redact.js";
import { eventLine, jsonText, terminalSafe } from "../report.js";
import { StepBook } from "./book.js";
import type { Terminal } from "./live-area.js";
import { PlainBuildView } from "./plain.js";
import { displayText, wrapText } from "./text.js";
import { ANSI_COLOURS, NO_COLOURS, TtyBuildView } from "./tty.js";

export { StepBook, type TrackedStep } from "./book.js";

export type DisplayMode = "tty" | "plain" | "json";

export interface DisplayOptions {
  mode: DisplayMode;
  debug: boolean;
  /** Where the display writes (stderr, through the secret scrubber). */
  write: (s: string) => void;
  /** The terminal's size and resize events (tty mode). */
  terminal?: Pick<Terminal, "columns" | "rows"> & { onResize?: (redraw: () => void) => () => void };
  /** SGR colours (tty mode, unless NO_COLOR). */
  colours?: boolean;
}

export interface Display {
  /** A pipeline event (already scrubbed of secrets). */
  event(e: R2dEvent): void;
  /** A line of r2d's own, printed above any live block. */
  line(text: string): void;
  /** Ends any live block (before an error report, a run's output or the exit). */
  close(): void;
  readonly book: StepBook;
}

/** One JSON object per event: `event` names it; a progress event's payload goes under `progress`. */
export function eventJson(e: R2dEvent): string {
  return jsonText(e.type === "progress" ? { event: e.type, type: e.type, progress: e.event } : { event: e.type, ...e });
}

export function createDisplay(opts: DisplayOptions): Display {
  const book = new StepBook();
  const writeLines = (lines: string[]) => opts.write(lines.map((l) => `${l}\n`).join(""));
  const terminal = opts.terminal;
  const tty =
    opts.mode === "tty" && terminal
      ? new TtyBuildView({
          terminal: { columns: () => terminal.columns(), rows: () => terminal.rows(), write: opts.write },
          book,
          all: opts.debug,
          colours: opts.colours ? ANSI_COLOURS : NO_COLOURS,
          onResize: terminal.onResize,
        })
      : undefined;
  const plain = new PlainBuildView(book, (l) => writeLines([l]), opts.debug);
  // On a terminal, r2d's own lines are wrapped at spaces too: nothing it prints is wider than the screen.
  const line = (text: string) => (tty && terminal ? tty.print(text.split("\n").flatMap((l) => wrapText(l, terminal.columns()))) : writeLines([text]));

  return {
    book,
    line,
    close: () => tty?.close(),
    event(raw) {
      // Text for the terminal: what a hostile repository put in a name or a message is shown, never
      // acted on. A step's output lines are cleaned where they are shown (a carriage return there is a redraw).
      const e = opts.mode === "json" || (raw.type === "progress" && raw.event.type === "log") ? raw : scrubDeep(raw, terminalSafe);
      if (e.type === "plan") book.setDockerfile(e.dockerfile);
      if (opts.mode === "json") {
        if (e.type === "progress") book.record(e.event);
        if (e.type !== "message" || e.level !== "debug" || opts.debug) opts.write(`${eventJson(e)}\n`);
        return;
      }
      if (e.type === "progress") {
        if (!tty) return plain.event(e.event);
        book.record(e.event);
        if (e.event.type === "warning") return line(`r2d: builder warning: ${displayText(e.event.text)}`);
        return tty.update();
      }
      // The image exists, or work other than the build begins: the live block goes first.
      if (e.type === "built" || e.type === "phase") tty?.close();
      const text = eventLine(e, opts.debug);
      if (text !== undefined) line(text);
    },
  };
}
