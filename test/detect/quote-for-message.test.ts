import { describe, expect, it } from "vitest";
import { clipForMessage, quoteForMessage } from "../../src/errors.js";

describe("quoteForMessage / clipForMessage: file content made safe for messages", () => {
  it("short plain text is quoted as is", () => {
    expect(quoteForMessage("python=3.11")).toBe('"python=3.11"');
    expect(clipForMessage("numpy")).toBe("numpy");
  });

  it("newlines, tabs, escape sequences, bidi overrides and zero-width characters are escaped", () => {
    expect(clipForMessage("a\nb\r\tc")).toBe("a\\nb\\r\\tc");
    expect(clipForMessage("\u001b[31mred\u001b[0m")).toBe("\\x1b[31mred\\x1b[0m");
    expect(clipForMessage("abc\u202edef\u200b\u0000")).toBe("abc\\u{202e}def\\u{200b}\\x00");
    expect(clipForMessage("line\u2028sep\u0085")).toBe("line\\u{2028}sep\\x85");
  });

  it("quotes and backslashes inside are escaped", () => {
    expect(quoteForMessage('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
  });

  it("long text is cut at max characters with an ellipsis, never inside a surrogate pair", () => {
    expect(clipForMessage("x".repeat(150))).toBe(`${"x".repeat(100)}…`);
    expect(clipForMessage("abcdef", 3)).toBe("abc…");
    expect(clipForMessage("😀".repeat(5), 2)).toBe("😀😀…");
    expect(quoteForMessage("y".repeat(1000)).length).toBe(103);
  });

  it("unicode letters are kept", () => {
    expect(clipForMessage("café ünïcode 日本")).toBe("café ünïcode 日本");
  });
});
