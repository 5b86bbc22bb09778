import { describe, expect, it } from "vitest";
import { parseRuntimeTxt } from "../../src/detect/runtime-txt.js";
import { expectConfigError } from "./helpers.js";

describe("parseRuntimeTxt: accepted forms", () => {
  it.each([
    ["python-3.11", { name: "python", version: "3.11", date: null }],
    ["python-3.8", { name: "python", version: "3.8", date: null }],
    ["python-3", { name: "python", version: "3.10", date: null }],
    ["python-2", { name: "python", version: "2.7", date: null }],
    ["python-2.7", { name: "python", version: "2.7", date: null }],
    ["Python-3.12", { name: "python", version: "3.12", date: null }],
    ["r-4.4-2024-05-01", { name: "r", version: "4.4", date: "2024-05-01" }],
    ["r-4.3.2-2024-01-10", { name: "r", version: "4.3.2", date: "2024-01-10" }],
    ["r-2024-05-01", { name: "r", version: null, date: "2024-05-01" }],
    ["r-4.4", { name: "r", version: "4.4", date: null }],
    ["R-4.4-2024-05-01", { name: "r", version: "4.4", date: "2024-05-01" }],
    ["r-3.6-2018-12-07", { name: "r", version: "3.6", date: "2018-12-07" }],
    ["julia-1.9", { name: "julia", version: "1.9", date: null }],
  ])("%s", (text, expected) => {
    expect(parseRuntimeTxt(text)).toEqual(expected);
  });

  it("the whole file is the value: surrounding blank lines, whitespace and CRLF do not matter", () => {
    expect(parseRuntimeTxt("\r\n\r\n  python-3.9  \r\n\r\n")).toEqual({ name: "python", version: "3.9", date: null });
    expect(parseRuntimeTxt("python-3.11\n")).toEqual({ name: "python", version: "3.11", date: null });
    expect(parseRuntimeTxt("python-3.11")).toEqual({ name: "python", version: "3.11", date: null });
  });
});

describe("parseRuntimeTxt: one value, the whole file (repo2docker's rule)", () => {
  it("a second line is an error naming the file and that line", () => {
    const e = expectConfigError(() => parseRuntimeTxt("python-3.11\n\nr-2024-05-01\n", "binder/runtime.txt"), {
      file: "binder/runtime.txt",
      line: 3,
      message: /a second line \("r-2024-05-01"\): runtime\.txt is read as one value/,
    });
    expect(e.hint).toBe("keep only the runtime, such as python-3.11, on one line (no comments)");
  });

  it("a comment is an error too (repo2docker would read it as part of the runtime)", () => {
    expectConfigError(() => parseRuntimeTxt("# the runtime\r\npython-3.9\r\n"), { file: "runtime.txt", line: 1, message: /a comment \("# the runtime"\)/ });
    expectConfigError(() => parseRuntimeTxt("python-3.9\n# pinned for numpy\n"), { file: "runtime.txt", line: 2, message: /a comment/ });
    expectConfigError(() => parseRuntimeTxt("# just a comment\n"), { file: "runtime.txt", line: 1, message: /a comment/ });
  });
});

describe("parseRuntimeTxt: errors", () => {
  it("python-3.12.1 (Python takes X.Y only) names the line and suggests X.Y", () => {
    const e = expectConfigError(() => parseRuntimeTxt("python-3.12.1\n"), { file: "runtime.txt", line: 1, message: /"python-3\.12\.1".*Python versions are X\.Y.*python-3\.12/ });
    expect(e.hint).toMatch(/python-3\.11/);
  });

  it("reports the line of the value, after blank lines", () => {
    expectConfigError(() => parseRuntimeTxt("\r\n\r\npython-3.12.1\r\n"), { file: "runtime.txt", line: 3, message: /Python versions are X\.Y/ });
  });

  it("uses the file name it is given (binder/runtime.txt)", () => {
    expectConfigError(() => parseRuntimeTxt("python-3.12.1", "binder/runtime.txt"), { file: "binder/runtime.txt", line: 1, message: /X\.Y/ });
  });

  it("R snapshots before 2018-12-07 are refused (MRAN is gone)", () => {
    expectConfigError(() => parseRuntimeTxt("r-4.4-2017-01-01"), { file: "runtime.txt", line: 1, message: /R snapshots start at 2018-12-07/ });
    expectConfigError(() => parseRuntimeTxt("r-2018-12-06"), { file: "runtime.txt", line: 1, message: /2018-12-07/ });
  });

  it.each([
    ["garbage", /not name-version/],
    ["python", /not name-version/],
    ["python-", /not name-version/],
    ["-3.11", /not name-version/],
    ["python--3.11", /not name-version/],
    ["r-4.4-2024-05", /"4\.4-2024-05" is not a date/],
    ["r-4.4-2024-05-01-extra", /not name-version/],
    ["r-4.4-20x4-05-01", /"20x4-05-01" is not a date/],
    ["r-4.4-2024-5-01", /"2024-5-01" is not a date/],
    ["python-3.x", /"3\.x" is not a version number/],
    ["python-latest", /"latest" is not a version number/],
    ["python-2024-05-01", /Python runtime takes a version only/],
    ["python-3.11-2024-05-01", /Python runtime takes a version only/],
  ])("%s", (text, message) => {
    expectConfigError(() => parseRuntimeTxt(text), { file: "runtime.txt", line: 1, message });
  });

  it.each([[""], ["\n\n"], ["  \r\n\t\r\n"]])("empty file %j → error without a line", (text) => {
    expectConfigError(() => parseRuntimeTxt(text), { file: "runtime.txt", line: undefined, message: /runtime\.txt is empty/ });
  });
});

describe("parseRuntimeTxt: dates and versions that exist", () => {
  it.each([
    ["r-4.4-2031-13-45", /2031-13-45 is not a real date/],
    ["r-2023-02-29", /2023-02-29 is not a real date/],
    ["r-4.3-2024-04-31", /2024-04-31 is not a real date/],
    ["r-4.3-2024-00-10", /not a real date/],
  ])("%s → not a real date", (text, message) => {
    expectConfigError(() => parseRuntimeTxt(text), { file: "runtime.txt", line: 1, message });
  });

  it("a leap day is a real date", () => {
    expect(parseRuntimeTxt("r-4.3-2024-02-29").date).toBe("2024-02-29");
  });

  it("a date in the future has no snapshot yet", () => {
    const next = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const e = expectConfigError(() => parseRuntimeTxt(`r-4.4-${next}`), { file: "runtime.txt", line: 1, message: /is in the future/ });
    expect(e.hint).toMatch(/^use today's date or an earlier one, such as r-4\.4-\d{4}-\d{2}-\d{2}$/);
  });

  it.each([
    ["python-3.99", "python-3.14"],
    ["python-3.1", "python-3.5"],
    ["python-3.4", "python-3.5"],
    ["python-4.0", "python-3.14"],
    ["python-2.6", "python-2.7"],
  ])("%s is not a Python r2d can provide; the hint names %s", (text, nearest) => {
    const e = expectConfigError(() => parseRuntimeTxt(text), { file: "runtime.txt", line: 1, message: /is not a version r2d can provide/ });
    expect(e.hint).toBe(`use ${nearest} (the nearest); r2d can provide 2.7 and 3.5 to 3.14`);
  });

  it.each([["python-3.5"], ["python-3.13"], ["python-3.14"], ["r-4.6-2025-06-01"], ["r-4.3.2-2024-01-10"], ["r-3.3.0-2019-01-01"], ["r-4.5.1-2025-07-01"]])("%s is accepted", (text) => {
    expect(() => parseRuntimeTxt(text)).not.toThrow();
  });

  it.each([
    ["r-4.9-2024-05-01", /R 4\.9 is not a version r2d can provide/, "use r-4.6-2024-05-01 (the nearest)"],
    ["r-4.4.9-2024-05-01", /R 4\.4\.9 is not/, "use r-4.4.3-2024-05-01 (the nearest)"],
    ["r-3.2-2024-05-01", /R 3\.2 is not/, "use r-3.3-2024-05-01 (the nearest)"],
    ["r-5.0", /R 5\.0 is not/, "use r-4.6 (the nearest)"],
    ["r-4-2024-05-01", /R versions are X\.Y or X\.Y\.Z/, "use one of"],
  ])("%s → the nearest valid R in the hint", (text, message, hint) => {
    const e = expectConfigError(() => parseRuntimeTxt(text), { file: "runtime.txt", line: 1, message });
    expect(e.hint).toContain(hint);
  });

  it("the offending line is quoted, cut and escaped", () => {
    const e = expectConfigError(() => parseRuntimeTxt(`python-3.11-${"x".repeat(300)}\u001b]0;pwned\u0007`), { file: "runtime.txt", line: 1, message: /not name-version/ });
    expect(e.message).not.toMatch(/[\u0007\u001b]/);
    expect(e.message.split("\n")[0]!.length).toBeLessThan(200);
  });
});
