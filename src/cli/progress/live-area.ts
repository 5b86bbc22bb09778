/**
 * A block of lines at the bottom of a terminal, redrawn in place: each redraw moves the cursor back
 * to the block's first line, erases to the end of the screen and writes the new block. Lines
 * printed for good go above it (the block is erased first, then drawn again below them), so the
 * live block never lands in the scrollback. Each redraw is one write, with the cursor hidden.
 *
 * After a resize the terminal may have re-wrapped the block: the rows it takes now are counted
 * from the width each line had (terminals that reflow, as tmux, VTE, iTerm2 and Windows Terminal do).
 */
import { textWidth } from "./text.js";

export interface Terminal {
  columns(): number;
  rows(): number;
  write(s: string): void;
}

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const ERASE_DOWN = "\x1b[J";

/** Visible width of a line that may carry SGR colour codes. */
const visibleWidth = (line: string) => textWidth(line.replace(/\x1b\[[0-9;]*m/g, ""));

export class LiveArea {
  /** Widths of the lines on screen now. */
  private drawn: number[] = [];

  constructor(private readonly term: Terminal) {}

  /** Rows the drawn block takes at the terminal's current width. */
  private rowsDrawn(): number {
    const cols = Math.max(1, this.term.columns());
    return this.drawn.reduce((sum, w) => sum + Math.max(1, Math.ceil(w / cols)), 0);
  }

  private eraseSequence(): string {
    const rows = this.rowsDrawn();
    return `${rows > 0 ? `\x1b[${rows}A` : ""}\r${ERASE_DOWN}`;
  }

  /** Replaces the block with `lines` (each already fitted to the width), printing `above` for good first. */
  draw(lines: string[], above: string[] = []): void {
    if (lines.length === 0 && above.length === 0 && this.drawn.length === 0) return;
    const text = [...above, ...lines].map((l) => `${l}\n`).join("");
    this.term.write(`${HIDE_CURSOR}${this.drawn.length ? this.eraseSequence() : ""}${text}${SHOW_CURSOR}`);
    this.drawn = lines.map(visibleWidth);
  }

  /** Prints lines for good above the block (which is drawn again unchanged below them). */
  print(above: string[], lines: string[]): void {
    this.draw(lines, above);
  }

  /** Erases the block, leaving the cursor where it began. */
  clear(): void {
    if (this.drawn.length === 0) return;
    this.term.write(this.eraseSequence());
    this.drawn = [];
  }
}
