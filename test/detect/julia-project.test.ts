import { describe, expect, it } from "vitest";
import { parseJuliaManifest, parseJuliaProject } from "../../src/detect/julia-project.js";
import { expectConfigError } from "./helpers.js";

describe("parseJuliaProject", () => {
  it("reads [compat] julia, as written and as ranges, with its line", () => {
    const p = parseJuliaProject('name = "X"\r\n[deps]\r\nDataFrames = "a93c6f00-e57d-5684-b7b6-d8193f3e46c0"\r\n\r\n[compat]\r\njulia = "1.9"\r\n');
    expect(p).toEqual({ julia: "1.9", compat: [{ lower: [1, 9, 0], upper: [2, 0, 0] }], compatLine: 6, localReferences: [] });
  });

  it("no compat, or a [compat] without julia → null", () => {
    const none = { julia: null, compat: null, compatLine: null, localReferences: [] };
    expect(parseJuliaProject("[deps]\n")).toEqual(none);
    expect(parseJuliaProject("")).toEqual(none);
    expect(parseJuliaProject('[compat]\nJSON = "0.21"\n')).toEqual(none);
  });

  it("bad TOML → error at its line", () => {
    expectConfigError(() => parseJuliaProject('[deps]\nX = "1"\n[compat\n', "binder/Project.toml"), { file: "binder/Project.toml", line: 3, message: /is not valid TOML/ });
  });

  it("a julia bound Pkg would refuse is an error at its line, naming the part", () => {
    expectConfigError(() => parseJuliaProject('[compat]\njulia = "1.6, > 1.8"\n'), {
      file: "Project.toml",
      line: 2,
      message: /\[compat\] julia = "1\.6, > 1\.8" is not a version specifier Pkg accepts: "> 1\.8" is not a Pkg version specifier/,
    });
    expectConfigError(() => parseJuliaProject('[compat]\njulia = "1.6,"\n'), { file: "Project.toml", line: 2, message: /an empty specifier/ });
    expectConfigError(() => parseJuliaProject('[compat]\njulia = ""\n'), { file: "Project.toml", line: 2, message: /an empty specifier/ });
  });

  it("records what ties the environment to files beside it: [sources] paths, a manifest key, a [workspace]", () => {
    const text = ['manifest = "../Manifest.toml"', "[sources]", 'Local = { path = "dev/Local" }', 'Remote = { url = "https://example.org/Remote.jl" }', "[workspace]", 'projects = ["test"]'].join("\n");
    expect(parseJuliaProject(text).localReferences).toEqual(['[sources] Local (path "dev/Local")', 'manifest = "../Manifest.toml"', "[workspace]"]);
    expect(parseJuliaProject('[sources]\nRemote = { url = "https://example.org/R.jl", rev = "main" }\n').localReferences).toEqual([]);
  });
});

describe("parseJuliaProject: types of what r2d reads", () => {
  it("[compat] that is not a table, or a julia that is not a string, is an error at its line", () => {
    expectConfigError(() => parseJuliaProject('name = "X"\ncompat = 3\n'), { file: "Project.toml", line: 2, message: /\[compat\] must be a table, not the number 3/ });
    expectConfigError(() => parseJuliaProject('[deps]\n\n[compat]\njulia = 1.9\n'), { file: "Project.toml", line: 4, message: /\[compat\] julia must be a version string, not the number 1\.9/ });
  });
});

describe("parseJuliaManifest", () => {
  it("reads the Julia that resolved a v2 manifest, and the packages it takes from local paths", () => {
    const text = [
      'julia_version = "1.10.4"',
      'manifest_format = "2.0"',
      "[[deps.JSON]]",
      'uuid = "682c06a0-de6a-54ab-a142-c8b1cf79cde6"',
      'version = "0.21.4"',
      "[[deps.Mine]]",
      'path = "dev/Mine"',
      'uuid = "5c1a3e9a-2f41-4f36-9d38-1a0f9b7d7c11"',
    ].join("\n");
    expect(parseJuliaManifest(text)).toEqual({ juliaVersion: "1.10.4", localPackages: ["Mine"] });
  });

  it("reads v1 manifests (entries at the top level, no julia_version)", () => {
    const text = '[[JSON]]\nuuid = "682c06a0-de6a-54ab-a142-c8b1cf79cde6"\n\n[[Mine]]\npath = ".."\nuuid = "5c1a3e9a-2f41-4f36-9d38-1a0f9b7d7c11"\n';
    expect(parseJuliaManifest(text)).toEqual({ juliaVersion: null, localPackages: ["Mine"] });
  });

  it("keeps julia_version only when it is a version (it reaches messages)", () => {
    expect(parseJuliaManifest('julia_version = "1.11.0-rc2"\n').juliaVersion).toBe("1.11.0-rc2");
    expect(parseJuliaManifest('julia_version = "1.10.4\\n\\u001b[2Jforged"\n').juliaVersion).toBeNull();
    expect(parseJuliaManifest("julia_version = 1.10\n").juliaVersion).toBeNull();
  });

  it("bad TOML → error at its line, naming the manifest", () => {
    expectConfigError(() => parseJuliaManifest("[[deps.JSON]\n", "binder/Manifest.toml"), { file: "binder/Manifest.toml", line: 1, message: /is not valid TOML/ });
  });
});
