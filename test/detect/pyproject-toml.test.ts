import { describe, expect, it } from "vitest";
import { parsePyprojectToml } from "../../src/detect/pyproject-toml.js";
import { expectConfigError } from "./helpers.js";

describe("parsePyprojectToml", () => {
  it("[project] + [build-system] is a package; requires-python is read", () => {
    const text = '[build-system]\r\nrequires = ["hatchling"]\r\nbuild-backend = "hatchling.build"\r\n\r\n# metadata\r\n[project]\r\nname = "demo"\r\nrequires-python = ">=3.9"\r\n';
    expect(parsePyprojectToml(text)).toEqual({ isPackage: true, requiresPython: ">=3.9", devGroup: [], devExtra: false });
  });

  it("[project] alone is not a package (repo2docker needs both tables)", () => {
    expect(parsePyprojectToml('[project]\nname = "demo"\nrequires-python = ">=3.10,<3.13"\n')).toEqual({ isPackage: false, requiresPython: ">=3.10,<3.13", devGroup: [], devExtra: false });
  });

  it("[build-system] alone is not a package", () => {
    expect(parsePyprojectToml('[build-system]\nrequires = ["setuptools"]\n')).toEqual({ isPackage: false, requiresPython: null, devGroup: [], devExtra: false });
  });

  it("tool-only files (black, ruff) are neither", () => {
    expect(parsePyprojectToml("[tool.black]\nline-length = 100\n")).toEqual({ isPackage: false, requiresPython: null, devGroup: [], devExtra: false });
    expect(parsePyprojectToml("")).toEqual({ isPackage: false, requiresPython: null, devGroup: [], devExtra: false });
  });

  it("a non-string requires-python is an error at its line (r2d reads it to pick Python)", () => {
    expectConfigError(() => parsePyprojectToml("[project]\nname = \"x\"\nrequires-python = 3\n"), { file: "pyproject.toml", line: 3, message: /requires-python must be a string, not the number 3/ });
  });

  it("bad TOML is an error at its line", () => {
    const e = expectConfigError(() => parsePyprojectToml('[project]\nname = "demo"\nversion = \n'), { file: "pyproject.toml", line: 3, message: /is not valid TOML/ });
    expect(e.hint).toMatch(/pyproject/);
    expect(e.cause).toBeDefined();
  });

  it("the line counts CRLF lines", () => {
    expectConfigError(() => parsePyprojectToml('[project]\r\nname = "demo"\r\n\r\nname = "again"\r\n'), { file: "pyproject.toml", line: 4, message: /is not valid TOML/ });
  });

  it("uses the file name it is given", () => {
    expectConfigError(() => parsePyprojectToml("[project\n", "sub/pyproject.toml"), { file: "sub/pyproject.toml", line: 1, message: /is not valid TOML/ });
  });
});

describe("parsePyprojectToml: types and limits", () => {
  it.each([
    ['project = "demo"\n', 1, /\[project\] must be a table, not the string "demo"/],
    ['# top\nbuild-system = 1\n[project]\nname = "x"\n', 2, /\[build-system\] must be a table, not the number 1/],
    ['[project]\nrequires-python = ">=3.9; rm -rf /"\n', 2, /requires-python ">=3\.9; rm -rf \/" is not a version specifier/],
    ['[project]\nrequires-python = ["3.9"]\n', 2, /requires-python must be a string, not an array/],
  ])("%j → error at line %i", (text, line, message) => {
    expectConfigError(() => parsePyprojectToml(text), { file: "pyproject.toml", line, message });
  });

  it("deeply nested inline arrays are refused with the file and line, not a stack overflow", () => {
    const text = `[project]\nname = "x"\n[tool.x]\ny = ${"[".repeat(5000)}${"]".repeat(5000)}\n`;
    const e = expectConfigError(() => parsePyprojectToml(text), { file: "pyproject.toml", line: 4, message: /is nested more than 32 levels deep/ });
    expect(e.message).not.toContain("[[[[");
  });

  it("a TOML syntax error does not echo the source beyond the library's first line", () => {
    const e = expectConfigError(() => parsePyprojectToml(`[project]\nname = "SECRET-LINE-CONTENT\n`), { file: "pyproject.toml", line: 2, message: /is not valid TOML/ });
    expect(e.message).not.toContain("SECRET-LINE-CONTENT");
  });
});
