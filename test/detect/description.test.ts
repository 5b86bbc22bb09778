import { describe, expect, it } from "vitest";
import { parseDescription } from "../../src/detect/description.js";
import { expectConfigError } from "./helpers.js";

describe("parseDescription", () => {
  it("reads Package and the R dependency, across continuation lines", () => {
    const text = [
      "Package: mypkg",
      "Title: Does Things",
      "Version: 0.1.0",
      "Authors@R: person('A', 'B', role = c('aut', 'cre'))",
      "Description: A long description",
      "    that continues here.",
      "Depends:",
      "    methods,",
      "    R (>= 4.1)",
      "Imports: dplyr",
      "",
    ].join("\n");
    expect(parseDescription(text)).toEqual({ package: "mypkg", rVersion: "4.1" });
  });

  it("CRLF, tab continuations and blank lines", () => {
    const text = "Package: pkg.name\r\n\r\nDepends: Rcpp (>= 1.0),\r\n\tR (>= 3.6.0)\r\n";
    expect(parseDescription(text)).toEqual({ package: "pkg.name", rVersion: "3.6.0" });
  });

  it.each([
    ["Depends: R(>=4.2)", "4.2"],
    ["Depends: R (> 4.0)", "4.0"],
    ["Depends: R (>= 4.3.1), stats", "4.3.1"],
    ["Depends: Rcpp (>= 1.0.0)", null],
    ["Depends: methods", null],
    ["Imports: R (>= 4.1)", null],
  ])("%s → %s", (line, rVersion) => {
    expect(parseDescription(`Package: pk\n${line}\n`).rVersion).toBe(rVersion);
  });

  it("no Depends → null", () => {
    expect(parseDescription("Package: pk\n")).toEqual({ package: "pk", rVersion: null });
  });

  it("a missing Package field is an error (no line)", () => {
    const e = expectConfigError(() => parseDescription("Title: x\nVersion: 1\n"), { file: "DESCRIPTION", line: undefined, message: /has no Package field/ });
    expect(e.hint).toMatch(/Package:/);
  });

  it("an empty Package field is an error", () => {
    expectConfigError(() => parseDescription("Package:\nVersion: 1\n"), { file: "DESCRIPTION", message: /has no Package field/ });
  });

  it("a line that is not Field: value is an error at its line", () => {
    const e = expectConfigError(() => parseDescription("Package: p\r\nVersion: 1\r\nthis is not a field\r\n"), { file: "DESCRIPTION", line: 3, message: /line "this is not a field" is not "Field: value"/ });
    expect(e.hint).toMatch(/continuation lines/);
  });

  it("a continuation line before any field is an error at line 1", () => {
    expectConfigError(() => parseDescription("  indented first\nPackage: p\n"), { file: "DESCRIPTION", line: 1, message: /is not "Field: value"/ });
  });
});

describe("parseDescription: the Package name r2d installs", () => {
  it.each([["my pkg"], ["1pkg"], ["pkg."], ["p"], ["pkg_name"]])("Package: %s is not an R package name (error at its line)", (name) => {
    expectConfigError(() => parseDescription(`Title: x\nPackage: ${name}\n`), { file: "DESCRIPTION", line: 2, message: /is not an R package name/ });
  });

  it("a long hostile line is cut in the message", () => {
    const e = expectConfigError(() => parseDescription(`Package: ok\n${"z".repeat(5000)}\n`), { file: "DESCRIPTION", line: 2, message: /is not "Field: value"/ });
    expect(e.message.length).toBeLessThan(400);
  });
});
