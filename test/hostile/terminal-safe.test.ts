/**
 * What the CLI prints is text for a terminal: terminalSafe shows escape sequences, other control
 * characters and bidi overrides escaped, keeping newlines, tabs, CRLF and ordinary Unicode; jsonText
 * is JSON.stringify with the characters it leaves raw (C1 controls, bidi, line separators) escaped,
 * still the same JSON value; the reporter writes its own line-clearing sequence around the writer.
 */
import { describe, expect, it } from "vitest";
import { createDisplay } from "../../src/cli/progress/index.js";
import { jsonText, terminalSafe } from "../../src/cli/report.js";

describe("terminalSafe", () => {
  it.each([
    ["\u001b]0;pwned\u0007", "\\x1b]0;pwned\\x07"],
    ["\u001b[2J", "\\x1b[2J"],
    ["a\u009b31mb", "a\\x9b31mb"],
    ["evil\u202etxt.exe", "evil\\u{202e}txt.exe"],
    ["\u2066x\u2069", "\\u{2066}x\\u{2069}"],
    ["over\rwrite", "over\\x0dwrite"],
    ["nul\u0000del\u007f", "nul\\x00del\\x7f"],
  ])("%j is shown as %j", (raw, shown) => expect(terminalSafe(raw)).toBe(shown));

  it("keeps newlines, tabs, CRLF, accents, CJK and emoji", () => {
    const text = "line 1\r\n\tcafé 日本語 😀\nend";
    expect(terminalSafe(text)).toBe(text);
  });
});

describe("jsonText", () => {
  it("is the same JSON value, with no raw C1, bidi or line-separator character left", () => {
    const value = { message: "a\u009bb \u202e c\u2028d \u001b[31m é", n: 1 };
    const text = jsonText(value, 2);
    expect(JSON.parse(text)).toEqual(value);
    // Pretty-printed: newlines between the lines are JSON syntax, not content.
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u);
    expect(text).toContain("\\u009b");
  });
});

describe("the progress display", () => {
  it.each(["tty", "plain"] as const)("%s: a hostile step name and message are shown escaped; only r2d's own sequences reach the terminal", (mode) => {
    const written: string[] = [];
    const display = createDisplay({ mode, debug: false, write: (s) => written.push(s), terminal: { columns: () => 100, rows: () => 30 } });
    display.event({ type: "progress", event: { type: "step", id: "1", status: "started", name: "[1/2] RUN echo \u001b]0;owned\u0007", index: 1, total: 2 } as never });
    display.event({ type: "message", level: "warn", text: "file \u001b[2Jname\u202e" });
    display.close();
    const all = written.join("");
    expect(all).toContain("\\x1b[2Jname\\u{202e}");
    expect(all).not.toContain("\u001b]0;owned");
    expect(all).not.toContain("\u001b[2J");
    expect(all).not.toContain("\u202e");
  });
});
