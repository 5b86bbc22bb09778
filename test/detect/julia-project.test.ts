import { describe, expect, it } from "vitest";
import { parseJuliaProject } from "../../src/detect/julia-project.js";
import { expectConfigError } from "./helpers.js";

describe("parseJuliaProject", () => {
  it("reads [compat] julia", () => {
    expect(parseJuliaProject('name = "X"\r\n[deps]\r\nDataFrames = "a93c6f00-e57d-5684-b7b6-d8193f3e46c0"\r\n\r\n[compat]\r\njulia = "1.9"\r\n')).toEqual({ julia: "1.9" });
  });
  it("no compat → null", () => {
    expect(parseJuliaProject("[deps]\n")).toEqual({ julia: null });
    expect(parseJuliaProject("")).toEqual({ julia: null });
  });
  it("bad TOML → error at its line", () => {
    expectConfigError(() => parseJuliaProject('[deps]\nX = "1"\n[compat\n', "binder/Project.toml"), { file: "binder/Project.toml", line: 3, message: /is not valid TOML/ });
  });
});

describe("parseJuliaProject: types of what r2d reads", () => {
  it("[compat] that is not a table, or a julia that is not a string, is an error at its line", () => {
    expectConfigError(() => parseJuliaProject('name = "X"\ncompat = 3\n'), { file: "Project.toml", line: 2, message: /\[compat\] must be a table, not the number 3/ });
    expectConfigError(() => parseJuliaProject('[deps]\n\n[compat]\njulia = 1.9\n'), { file: "Project.toml", line: 4, message: /\[compat\] julia must be a version string, not the number 1\.9/ });
  });
});
