/**
 * The CLI's output settings: which display `--progress` (and `--json`) asks for on this terminal,
 * and bad flags reported as JSON when `--json` is among them (the flags could not be parsed, so
 * the argv is read for it directly).
 */
import { createDisplay, type Display, type DisplayMode } from "./progress/index.js";

export type ProgressChoice = "auto" | "tty" | "plain" | "json";

/** `--progress auto` is tty on a terminal, plain otherwise; `--json` puts the event stream on stdout. */
export function displayMode(progress: ProgressChoice, json: boolean, stderrIsTty: boolean): DisplayMode {
  if (json) return "json";
  if (progress === "auto") return stderrIsTty ? "tty" : "plain";
  return progress;
}

/** The display for this run: on stderr, or the JSON events on stdout under --json. */
export function cliDisplay(opts: { progress: ProgressChoice; json: boolean; debug: boolean; err: (s: string) => void; out: (s: string) => void }): Display {
  const stderr = process.stderr;
  const mode = displayMode(opts.progress, opts.json, Boolean(stderr.isTTY));
  return createDisplay({
    mode,
    debug: opts.debug,
    write: opts.json ? opts.out : opts.err,
    terminal: {
      columns: () => stderr.columns || Number(process.env.COLUMNS) || 80,
      rows: () => stderr.rows || Number(process.env.LINES) || 24,
      onResize: (redraw) => {
        stderr.on("resize", redraw);
        return () => void stderr.off("resize", redraw);
      },
    },
    colours: !process.env.NO_COLOR && process.env.TERM !== "dumb",
  });
}

/** Whether the command line asks for JSON output, read before (or without) parsing it. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === "--json" || a === "--json-logs");
}
