import { describe, expect, it } from "vitest";
import { parseRequirementsR } from "../../src/detect/requirements-r.js";
import { expectConfigError } from "./helpers.js";

describe("parseRequirementsR", () => {
  it("pkg_list <- c(...) with both quote styles", () => {
    expect(parseRequirementsR(`pkg_list <- c("a", 'b')\n`)).toEqual({ packages: ["a", "b"] });
  });

  it("the Synapse template: pkg_list = c(...) over several lines, comments, CRLF, trailing comma", () => {
    const text = [
      "# Install packages",
      'local({ r <- getOption("repos"); r["CRAN"] <- "https://cran.r-project.org"; options(repos = r) })',
      "",
      "pkg_list = c(",
      '  "optparse",   # command line',
      "  'readr', # reading (csv) files",
      '  "data.table",',
      '  "R6",',
      ")",
      "for (p in pkg_list) install.packages(p)",
      "",
    ].join("\r\n");
    expect(parseRequirementsR(text)).toEqual({ packages: ["optparse", "readr", "data.table", "R6"] });
  });

  it("a comment holding a parenthesis does not end the vector early", () => {
    const text = 'pkg_list = c(\n  "a", # needed (for x)\n  "b"\n)\n';
    expect(parseRequirementsR(text)).toEqual({ packages: ["a", "b"] });
  });

  it("an empty vector gives an empty list (not null)", () => {
    expect(parseRequirementsR("pkg_list <- c()\n")).toEqual({ packages: [] });
  });

  it("no pkg_list → null (the script runs as written)", () => {
    expect(parseRequirementsR('install.packages(c("a", "b"))\n')).toEqual({ packages: null });
    expect(parseRequirementsR("")).toEqual({ packages: null });
    expect(parseRequirementsR('# pkg_list <- c("a")\n')).toEqual({ packages: null });
    expect(parseRequirementsR('my_pkg_list <- c("a")\n')).toEqual({ packages: null });
  });

  it("an unquoted entry is an error at the entry's line", () => {
    const e = expectConfigError(() => parseRequirementsR('pkg_list <- c("a", b)\n'), { file: "requirements.R", line: 1, message: /pkg_list entry b is not a quoted R package name/ });
    expect(e.hint).toMatch(/pkg_list <- c\(/);
  });

  it("the line counts blank lines before pkg_list", () => {
    expectConfigError(() => parseRequirementsR('x <- 1\n\n\npkg_list <- c("a", b)\n'), { file: "requirements.R", line: 4, message: /entry b/ });
  });

  it("in a multi-line vector the line is the entry's own (CRLF too)", () => {
    const text = 'library(x)\r\npkg_list = c(\r\n  "a",\r\n  # a comment\r\n  readr\r\n)\r\n';
    expectConfigError(() => parseRequirementsR(text, "binder/requirements.R"), { file: "binder/requirements.R", line: 5, message: /entry readr/ });
  });

  it.each([['"1abc"'], ['"a b"'], ['"a;b"'], ['"pkg."'], ['"a"b"'], ['"mismatched\'']])("refuses %s", (entry) => {
    expectConfigError(() => parseRequirementsR(`pkg_list <- c(${entry})`), { file: "requirements.R", line: 1, message: /is not a quoted R package name/ });
  });

  it("an unclosed vector is not a pkg_list, and many comments do not make the parser slow", () => {
    const started = Date.now();
    expect(parseRequirementsR("pkg_list <- c(\n" + '"a", # x # y ) ( #\n'.repeat(20000))).toEqual({ packages: null });
    expect(parseRequirementsR("pkg_list <- c(" + "#".repeat(50000))).toEqual({ packages: null });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("accepts R's package name shapes", () => {
    expect(parseRequirementsR('pkg_list <- c("x", "R6", "data.table", "ggplot2")').packages).toEqual(["x", "R6", "data.table", "ggplot2"]);
  });
});
