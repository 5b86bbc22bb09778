/**
 * What the CLI prints is text for a terminal: terminalSafe shows escape sequences, other control
 * characters and bidi overrides escaped, keeping newlines, tabs, CRLF and ordinary Unicode; jsonText
 * is JSON.stringify with the characters it leaves raw (C1 controls, bidi, line separators) escaped,
 * still the same JSON value; the reporter writes its own line-clearing sequence around the writer.
 */
import { describe, expect, it } from "vitest";
import { createReporter, jsonText, terminalSafe } from "../../src/cli/report.js";

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

describe("createReporter", () => {
  it("sends its own clearing sequence through `control`, and the text through `write`", () => {
    const written: string[] = [];
    const controls: string[] = [];
    const report = createReporter({ tty: true, debug: false, write: (s) => written.push(s), control: (s) => controls.push(s) });
    report({ type: "progress", event: { type: "step", status: "started", name: "[1/2] RUN x", index: 1, total: 2 } as never });
    report({ type: "message", level: "warn", text: "done" });
    expect(controls).toEqual(["\r\u001b[2K"]);
    expect(written.join("")).not.toContain("\u001b");
  });
});
