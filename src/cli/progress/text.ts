/**
 * Text for a terminal: what a line is safe to show (a build step's output may carry escape
 * sequences meant to move the cursor or rewrite the screen), how many columns it takes, and how
 * it is cut to fit. Widths count East Asian wide characters as two columns and combining marks as none.
 */

/** CSI / OSC / other escape sequences, and every other control character but tab. */
const ESCAPES = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])/g;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A line of a step's output as it may be shown: escape sequences removed, a carriage return keeps
 * only what was drawn last (progress bars), tabs become spaces, other control characters go.
 */
export function displayText(line: string): string {
  const last = line.split("\r").filter((part) => part !== "").pop() ?? "";
  return last.replace(ESCAPES, "").replace(/\t/g, "  ").replace(CONTROLS, "");
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

const COMBINING = /\p{M}/u;

/** Columns one character takes. */
function charWidth(ch: string): number {
  if (COMBINING.test(ch)) return 0;
  return isWide(ch.codePointAt(0) ?? 0) ? 2 : 1;
}

/** Columns a (control-free) text takes. */
export function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch);
  return width;
}

/** The text cut to `max` columns, with `…` where it was cut. */
export function clip(text: string, max: number): string {
  if (max <= 0) return "";
  if (textWidth(text) <= max) return text;
  let out = "";
  let width = 0;
  for (const ch of text) {
    const w = charWidth(ch);
    if (width + w > max - 1) break;
    out += ch;
    width += w;
  }
  return `${out}…`;
}

/** `left` and `right` on one line of exactly `width` columns (`left` cut to make room). */
export function align(left: string, right: string, width: number): string {
  const room = width - textWidth(right) - (right ? 1 : 0);
  const l = clip(left, room);
  return `${l}${" ".repeat(Math.max(0, room - textWidth(l)))}${right ? ` ${right}` : ""}`;
}

/** 0.4s, 12.3s, 1m05s, 1h02m. */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/**
 * Text wrapped at spaces to lines of fewer than `width` columns, continuation lines indented
 * (a word longer than a line is cut where it must be).
 */
export function wrapText(text: string, width: number, indent = "     "): string[] {
  const max = Math.max(10, width - 1);
  const out: string[] = [];
  let line = "";
  const push = () => {
    out.push(line);
    line = indent;
  };
  for (const word of text.split(" ")) {
    const sep = line === "" || line === indent ? "" : " ";
    if (textWidth(line) + textWidth(sep) + textWidth(word) <= max) {
      line += sep + word;
      continue;
    }
    if (line !== "" && line !== indent) push();
    let rest = word;
    while (textWidth(line) + textWidth(rest) > max) {
      let cut = "";
      for (const ch of rest) {
        if (textWidth(line + cut + ch) > max) break;
        cut += ch;
      }
      if (cut === "") break;
      line += cut;
      rest = rest.slice(cut.length);
      push();
    }
    line += rest;
  }
  if (line !== "" && line !== indent) out.push(line);
  return out;
}
