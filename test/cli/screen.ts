/**
 * A small terminal for tests: it interprets what the live display writes (printable text with
 * auto-wrap, `\n` as a new line, `\r`, cursor up `ESC[nA`, erase down `ESC[J`; colours and cursor
 * visibility ignored) on a screen of `columns` × `rows` with a scrollback, so a test can read the
 * screen a person would see. Anything else it does not understand fails the test.
 */
export class Screen {
  /** Every line ever shown: scrollback, then the screen. */
  private lines: string[][] = [[]];
  private row = 0;
  private col = 0;
  /** Set after writing the last column: the next printable character wraps first (xterm's deferred wrap). */
  private pendingWrap = false;

  constructor(
    public columns: number,
    public readonly rows: number,
  ) {}

  private line(): string[] {
    while (this.lines.length <= this.row) this.lines.push([]);
    return this.lines[this.row]!;
  }

  private newline(): void {
    this.row++;
    this.col = 0;
    this.pendingWrap = false;
    this.line();
  }

  /** The first row still on screen (rows above it are in the scrollback, out of the cursor's reach). */
  private top(): number {
    return Math.max(0, this.lines.length - this.rows);
  }

  write(data: string): void {
    for (let i = 0; i < data.length; i++) {
      const ch = data[i]!;
      if (ch === "\x1b") {
        const m = /^\x1b\[(\??)(\d*)([A-Za-z])/.exec(data.slice(i));
        if (!m) throw new Error(`unknown escape sequence ${JSON.stringify(data.slice(i, i + 8))}`);
        i += m[0].length - 1;
        const n = Number(m[2] || "1");
        if (m[1] === "?" && (m[3] === "l" || m[3] === "h")) continue;
        if (m[3] === "m") continue;
        if (m[3] === "A") {
          this.row = Math.max(this.top(), this.row - n);
          this.pendingWrap = false;
        } else if (m[3] === "J") {
          this.lines[this.row] = this.line().slice(0, this.col);
          this.lines.length = this.row + 1;
        } else throw new Error(`unknown escape sequence ${m[0]}`);
        continue;
      }
      if (ch === "\n") this.newline();
      else if (ch === "\r") {
        this.col = 0;
        this.pendingWrap = false;
      } else {
        if (ch < " ") throw new Error(`control character ${ch.charCodeAt(0)} written`);
        if (this.pendingWrap) this.newline();
        const line = this.line();
        while (line.length < this.col) line.push(" ");
        line[this.col] = ch;
        this.col++;
        if (this.col >= this.columns) {
          this.col = this.columns - 1;
          this.pendingWrap = true;
        }
      }
    }
  }

  /** Everything shown, scrollback included, without trailing blanks. */
  text(): string[] {
    const out = this.lines.map((l) => l.join("").trimEnd());
    while (out.length && out.at(-1) === "") out.pop();
    return out;
  }
}
