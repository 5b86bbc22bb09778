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

  it("reads the first non-empty, non-comment line; surrounding whitespace, CRLF and later lines do not matter", () => {
    expect(parseRuntimeTxt("\r\n# the runtime\r\n\r\n  python-3.9  \r\nignored-line\r\n")).toEqual({ name: "python", version: "3.9", date: null });
    expect(parseRuntimeTxt("python-3.11\n")).toEqual({ name: "python", version: "3.11", date: null });
    expect(parseRuntimeTxt("python-3.11")).toEqual({ name: "python", version: "3.11", date: null });
  });
});

describe("parseRuntimeTxt: errors", () => {
  it("python-3.12.1 (Python takes X.Y only) names the line and suggests X.Y", () => {
    const e = expectConfigError(() => parseRuntimeTxt("python-3.12.1\n"), { file: "runtime.txt", line: 1, message: /"python-3\.12\.1".*Python versions are X\.Y.*python-3\.12/ });
    expect(e.hint).toMatch(/python-3\.11/);
  });

  it("reports the line of the first real line, after comments and blanks", () => {
    expectConfigError(() => parseRuntimeTxt("# pinned\r\n\r\npython-3.12.1\r\n"), { file: "runtime.txt", line: 3, message: /Python versions are X\.Y/ });
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

  it.each([[""], ["\n\n"], ["  \r\n\t\r\n"], ["# just a comment\n"]])("empty file %j → error without a line", (text) => {
    expectConfigError(() => parseRuntimeTxt(text), { file: "runtime.txt", line: undefined, message: /runtime\.txt is empty/ });
  });
});
