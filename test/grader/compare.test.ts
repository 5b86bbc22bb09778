import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareOutputs, contentDifference, jsonDifference } from "../../src/grader/compare.js";
import { TempFiles } from "../helpers/repo.js";

const b = (s: string) => Buffer.from(s);

describe("contentDifference", () => {
  it("text: line endings, trailing blanks and a final newline do not matter", () => {
    expect(contentDifference("p.csv", b("a,1\nb,2\n"), b("a,1\r\nb,2  \r\n\r\n"))).toBeNull();
  });

  it("text: numbers compare within a relative 1e-6", () => {
    expect(contentDifference("p.csv", b("a,0.3333333\n"), b("a,0.33333330001\n"))).toBeNull();
    expect(contentDifference("p.csv", b("a,0.3\n"), b("a,0.31\n"))).toBe('line 1: expected "a,0.3", got "a,0.31"');
  });

  it("text: says which line differs, or that one is missing or extra", () => {
    expect(contentDifference("p.txt", b("x\ny\n"), b("x\n"))).toBe('line 2: expected "y", but the file ends after 1 line(s)');
    expect(contentDifference("p.txt", b("x\n"), b("x\nz\n"))).toBe('line 2: unexpected extra line "z"');
  });

  it("json: compared as data (key order and spacing do not matter), first differing path reported", () => {
    expect(contentDifference("r.json", b('{"a": 1, "b": [1, 2]}'), b('{"b":[1,2],"a":1.0000000001}'))).toBeNull();
    expect(contentDifference("r.json", b('{"a": {"b": [1, 2]}}'), b('{"a": {"b": [1, 3]}}'))).toBe("$.a.b[1]: expected 2, got 3");
    expect(contentDifference("r.json", b('{"a": 1}'), b('{"a": 1, "c": 2}'))).toBe('$: unexpected key "c"');
    expect(contentDifference("r.json", b('{"a": 1}'), b("not json"))).toBe('line 1: expected "{\\"a\\": 1}", got "not json"');
  });

  it("binary: byte for byte", () => {
    expect(contentDifference("w.bin", Buffer.from([0, 1, 2]), Buffer.from([0, 1, 2]))).toBeNull();
    expect(contentDifference("w.bin", Buffer.from([0, 1, 2]), Buffer.from([0, 1]))).toBe("the bytes differ (3 bytes expected, 2 written)");
  });

  it("jsonDifference on arrays and types", () => {
    expect(jsonDifference([1, 2], [1])).toBe("$: expected 2 items, got 1");
    expect(jsonDifference({ a: "x" }, { a: 1 })).toBe('$.a: expected "x", got 1');
    expect(jsonDifference({ a: 1 }, {})).toBe('$: missing key "a"');
  });
});

describe("compareOutputs", () => {
  const temp = new TempFiles();
  let dir: string;
  beforeAll(async () => {
    dir = await temp.repo({ "exp-a.csv": "a\n", "exp-b.csv": "b\n", "a.csv": "a\n" }, "r2d-compare-");
  });
  afterAll(() => temp.cleanup());

  it("reports missing files and keeps matching ones quiet", async () => {
    const expected = new Map([
      ["a.csv", path.join(dir, "exp-a.csv")],
      ["b.csv", path.join(dir, "exp-b.csv")],
    ]);
    expect(await compareOutputs(expected, dir)).toEqual([{ file: "b.csv", detail: "missing" }]);
  });
});
