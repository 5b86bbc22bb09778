import { describe, expect, it } from "vitest";
import { pythonForRequires, pythonFromRequires, requiresAllows } from "../../src/buildpacks/shared.js";
import { expectConfigError } from "../detect/helpers.js";

describe("pythonFromRequires: the newest of 3.8–3.14 that fits", () => {
  it.each([
    [">=3.9", "3.14"],
    [">=3.9,<3.13", "3.12"],
    [">= 3.9 , < 3.13", "3.12"],
    ["==3.11.*", "3.11"],
    ["==3.11", "3.11"],
    ["==3.10.5", "3.10"],
    ["~=3.10", "3.14"],
    ["~=3.10.2", "3.10"],
    ["~=3.8.0", "3.8"],
    ["<3.8", null],
    [">=3.15", null],
    ["<3.11", "3.10"],
    ["<=3.11", "3.11"],
    [">3.13", "3.14"],
    ["==3.*", "3.14"],
    ["==2.7", null],
    [">=3.8,!=3.14.*", "3.13"],
    ["!=3.14.*", "3.13"],
    ["!=3.14", "3.14"],
    ["<3.13,!=3.12.*", "3.11"],
    ["!=3.12.*,<3.13", "3.11"],
    ["<3.12,!=3.11.*", "3.10"],
    [">=3.9,<3.10,!=3.9.*", null],
    [">3.10.5,<3.10.3", null],
  ])("%s → %s", (spec, expected) => {
    expect(pythonFromRequires(spec, "pyproject.toml")).toBe(expected);
  });

  it.each([["^3.9"], ["3.9"], [">=three"], ["===3.9"], [">=3.9,foo"], ["python>=3.9"], [">=3.9;<4"]])("%j is refused", (spec) => {
    const e = expectConfigError(() => pythonFromRequires(spec, "sub/pyproject.toml"), { file: "sub/pyproject.toml", line: undefined, message: /requires-python ".*" is not a version specifier r2d understands/ });
    expect(e.message).toContain(`"${spec}"`);
    expect(e.hint).toMatch(/requires-python = ">=3\.9"/);
  });
});

describe("pythonForRequires: the default 3.10 when allowed, else the newest allowed", () => {
  it.each([
    [">=3.8", "3.10"],
    [">=3.9,<3.13", "3.10"],
    ["==3.10.*", "3.10"],
    ["~=3.10", "3.10"],
    [">=3.11", "3.14"],
    [">=3.11,<3.13", "3.12"],
    ["<3.10", "3.9"],
    ["==3.9.*", "3.9"],
    ["!=3.10.*", "3.14"],
    ["<3.8", null],
  ])("%s → %s", (spec, expected) => {
    expect(pythonForRequires(spec, "pyproject.toml")).toBe(expected);
  });
});

describe("requiresAllows: any release of the X.Y line", () => {
  it.each([
    [">=3.6", "3.7", true],
    [">=3.6", "2.7", false],
    [">=2.7,<3", "2.7", true],
    ["==2.7.*", "2.7", true],
    ["!=3.7.*", "3.7", false],
    [">3.10.5,<3.11", "3.10", true],
  ])("%s allows %s: %s", (spec, version, allowed) => {
    expect(requiresAllows(spec, version, "pyproject.toml")).toBe(allowed);
  });
});
