/**
 * The code stays readable: no source file over ~300 lines and no function over ~80 without a comment
 * saying why (a file: a `//` comment among its first lines that says it is long; a function: a
 * comment just above it saying so).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const FILE_LINES = 300;
const FUNCTION_LINES = 80;
const SAYS_WHY = /\blong\b/i;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
  );
}

/** Functions longer than the limit with no comment above them saying why. */
function longFunctions(file: string, text: string): string[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = src.getLineAndCharacterOfPosition(node.getStart()).line;
      const lines = src.getLineAndCharacterOfPosition(node.getEnd()).line - start + 1;
      const above = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
      const why = above.some((c) => SAYS_WHY.test(text.slice(c.pos, c.end)));
      if (lines > FUNCTION_LINES && !why) found.push(`${path.relative(SRC, file)}:${start + 1} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}

describe("code size", () => {
  const files = sources(SRC);
  it(`no file over ${FILE_LINES} lines without a comment saying why`, () => {
    const long = files.filter((f) => {
      const lines = readFileSync(f, "utf8").split("\n");
      return lines.length > FILE_LINES && !lines.slice(0, 5).some((l) => l.startsWith("//") && SAYS_WHY.test(l));
    });
    expect(long.map((f) => path.relative(SRC, f))).toEqual([]);
  });

  it(`no function over ${FUNCTION_LINES} lines without a comment saying why`, () => {
    expect(files.flatMap((f) => longFunctions(f, readFileSync(f, "utf8")))).toEqual([]);
  });
});
