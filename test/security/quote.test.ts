/** The one quoting helper, checked against real shells: whatever the string, the shell gets it back exactly. */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellCommand, shellQuote } from "../../src/shell.js";
import { shellTokens } from "./tokens.js";

/** A small seeded generator (mulberry32), so a failure can be replayed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Characters shells care about, plus letters, controls (no NUL: argv cannot carry it) and Unicode. */
const ALPHABET = [..."abcXYZ019 \t\n\r'\"\\$`;&|()<>*?[]{}~#!=%@:,./-+^\u001b\u007f", "é", "ß", "日", "😀", "\u00a0", "\u2028"];

function randomString(next: () => number): string {
  const length = Math.floor(next() * 40);
  let s = "";
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)]!;
  return s;
}

/** Prints each quoted word with `printf '%s\0'` in one shell run; returns what the shell printed. */
function echoedBy(shell: string, words: string[]): string[] {
  const script = `printf '%s\\0' ${words.map(shellQuote).join(" ")}`;
  const r = spawnSync(shell, ["-c", script], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\0").slice(0, -1);
}

describe("shellQuote", () => {
  const next = random(20250115);
  const samples = Array.from({ length: 600 }, () => randomString(next));
  const fixed = ["", " ", "'", "''", "'\\''", '"', "\\", "$HOME", "$(id)", "`id`", "a b", "-rf", "--", "*", "~", "~root", "{a,b}", "!x", "#x", "a\nb", "x".repeat(10_000), "日本語", "a=b"];

  it.each(["bash", "sh"])("%s gets back exactly the string, for fixed and 600 random strings", (shell) => {
    const words = [...fixed, ...samples];
    expect(echoedBy(shell, words)).toEqual(words);
  });

  it("bash -c \"printf %s <quoted>\" prints the string itself (one shell per string)", () => {
    for (const s of [...fixed.slice(0, 12), ...samples.slice(0, 40)]) {
      const r = spawnSync("bash", ["-c", `printf %s ${shellQuote(s)}`], { encoding: "utf8" });
      expect(r.stdout).toBe(s);
    }
  });

  it("a quoted string is always one word of literal text", () => {
    for (const s of [...fixed, ...samples]) {
      expect(shellTokens(`cmd ${shellQuote(s)} end`)).toEqual([{ word: [{ lit: "cmd" }] }, { word: [{ lit: s }] }, { word: [{ lit: "end" }] }]);
    }
  });

  it("plain words stay bare; everything else is single-quoted", () => {
    expect(shellQuote("plain-arg_1.2/x:y=z,w@v%+")).toBe("plain-arg_1.2/x:y=z,w@v%+");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("~root")).toBe("'~root'");
    expect(shellCommand(["cd", "/srv/my repo"])).toBe("cd '/srv/my repo'");
  });
});
