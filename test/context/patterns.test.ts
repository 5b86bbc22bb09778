import path from "node:path";
import balena from "@balena/dockerignore";
import type { Ignore } from "@balena/dockerignore";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectContext } from "../../src/context/index.js";
import { makeRule, normalizeLine, readIgnoreLines, RuleSet } from "../../src/context/patterns.js";
import { tmpRepo, writeTree, type Tree } from "../helpers/repo.js";
import { rels } from "./helpers.js";

const ignore: (o?: { ignorecase?: boolean }) => Ignore = balena.default;

describe("readIgnoreLines (Docker's ignorefile.ReadAll)", () => {
  it("matches moby's own ReadAll test vector", () => {
    const content = "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! ";
    expect(readIgnoreLines(content).map((l) => l.pattern)).toEqual([
      "test1",
      "test2",
      "a/file/here",
      "lastfile",
      "!inverted/abs/path",
      "!",
      "!",
    ]);
  });

  it("keeps 1-based line numbers", () => {
    expect(readIgnoreLines("\n# c\nx\n\ny").map((l) => [l.line, l.pattern])).toEqual([
      [3, "x"],
      [5, "y"],
    ]);
  });

  it("cleans like Go's filepath.Clean", () => {
    expect(normalizeLine("./a//b/../c/")).toBe("a/c");
    expect(normalizeLine("/!x")).toBe("!x"); // Docker: "/!x" becomes an exception too
    expect(normalizeLine("!  /x/")).toBe("!x");
  });
});

describe("RuleSet", () => {
  const set = (...lines: string[]) =>
    new RuleSet(lines.map((l, i) => makeRule(l, normalizeLine(l), "ignore", { file: ".dockerignore", line: i + 1 })));

  it("decides exception-may-match-below soundly and tightly", () => {
    const s = set("data", "!data/*.csv", "!models/**/best.pt", "!x[0-9]/keep");
    expect(s.exceptionMayMatchBelow("data")).toBe(true);
    expect(s.exceptionMayMatchBelow("data/raw")).toBe(false);
    expect(s.exceptionMayMatchBelow("models")).toBe(true);
    expect(s.exceptionMayMatchBelow("models/a/b/c")).toBe(true);
    expect(s.exceptionMayMatchBelow("x1")).toBe(true);
    expect(s.exceptionMayMatchBelow("xa")).toBe(false);
    expect(s.exceptionMayMatchBelow("other")).toBe(false);
    expect(set("data").exceptionMayMatchBelow("data")).toBe(false);
    expect(set("data", "!**/keep").exceptionMayMatchBelow("data/a/b")).toBe(true);
  });

  it("reports the deciding rule", () => {
    const s = set("*.log", "!keep.log");
    expect(s.evaluate("a.log", undefined).deciding?.text).toBe("*.log");
    expect(s.evaluate("keep.log", undefined)).toMatchObject({ excluded: false });
  });
});

/**
 * Property: for many random pattern lists, the walker's result (with its parent-result reuse and
 * directory skipping) equals brute force with a single @balena/dockerignore instance over every
 * path of the tree: a file is sent iff not ignored; a directory iff not ignored or something
 * below it is sent.
 */
describe("walker agrees with brute-force @balena/dockerignore", () => {
  const tree = [
    "a.txt", "b.log", "data/x.csv", "data/y.bin", "data/raw/z.csv", "data/raw/deep/w.csv",
    "src/a.py", "src/data/s.json", "src/b.log", "src/sub/c.py", "src/sub/d.log",
    "docs/index.md", "docs/api/x.md", "docs/api/y.log", "keep/k.txt", "keep/sub/k2.txt",
  ];
  const vocab = [
    "data", "!data/*.csv", "*.log", "**/*.log", "!src/b.log", "src/sub", "!src/sub/c.py", "docs",
    "!docs/api", "!**/x.md", "*", "!keep", "keep/sub", "data/raw", "!data/raw/deep", "src/*/*.log",
    "**/data", "!**/*.csv", "src", "!src/**", "docs/*", "?.txt", "[ab].*", "!*.txt",
  ];
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const r = await tmpRepo();
    root = r.root;
    cleanup = r.cleanup;
    const spec: Tree = {};
    for (const t of tree) spec[t] = t;
    await writeTree(root, spec);
  });
  afterAll(async () => cleanup());

  function brute(patterns: string[]): string[] {
    const ig = ignore({ ignorecase: false }).add(patterns);
    const sent = new Set<string>();
    for (const f of tree) {
      if (ig.ignores(f)) continue;
      sent.add(f);
      let d = path.posix.dirname(f);
      while (d !== ".") {
        sent.add(`${d}/`);
        d = path.posix.dirname(d);
      }
    }
    // Directories that are not ignored are sent even when empty of sent files.
    for (const f of tree) {
      let d = path.posix.dirname(f);
      while (d !== ".") {
        if (!ig.ignores(d)) sent.add(`${d}/`);
        d = path.posix.dirname(d);
      }
    }
    return [...sent].sort((a, b) => (a.replace(/\/$/, "") < b.replace(/\/$/, "") ? -1 : 1));
  }

  it("on 300 random pattern lists", async () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(rnd() * 5);
      const patterns = Array.from({ length: n }, () => vocab[Math.floor(rnd() * vocab.length)]!);
      // As excludes (no ignore file involved, so nothing is force-kept).
      const sel = await selectContext({ root, excludes: patterns });
      expect({ patterns, sent: rels(sel) }).toEqual({ patterns, sent: brute(patterns) });
    }
  });
});
