import { describe, expect, it } from "vitest";
import { parseEnvironmentYml } from "../../src/detect/environment-yml.js";
import { expectConfigError } from "./helpers.js";

const EMPTY = { python: null, hasR: false, pipHasLocalReferences: false, channels: [], warnings: [] };

describe("parseEnvironmentYml", () => {
  it("a typical file: name ignored, channels kept, python=X.Y", () => {
    const text = "name: demo\nchannels:\n  - conda-forge\n  - bioconda\ndependencies:\n  - python=3.11\n  - numpy\n";
    expect(parseEnvironmentYml(text)).toEqual({ python: "3.11", hasR: false, pipHasLocalReferences: false, channels: ["conda-forge", "bioconda"], warnings: [] });
  });

  it("CRLF and comments", () => {
    const text = "# env\r\ndependencies:\r\n  # the interpreter\r\n  - python=3.12 # pinned\r\n  - pip\r\n";
    expect(parseEnvironmentYml(text).python).toBe("3.12");
  });

  it.each([
    ["python=3.11", "3.11"],
    ["python==3.9.1", "3.9"],
    ["python=3.10.*", "3.10"],
    ["python =3.8", "3.8"],
    ["python>=3.8", null],
    ["python<3.12", null],
    ["python", null],
    ["python=3", null],
    ["pythonnet=3.0", null],
    ["ipython=8.1", null],
  ])("%s → python %s", (dep, python) => {
    expect(parseEnvironmentYml(`dependencies:\n  - ${dep}\n`).python).toBe(python);
  });

  it("the first python pin wins", () => {
    expect(parseEnvironmentYml("dependencies:\n  - python=3.9\n  - python=3.12\n").python).toBe("3.9");
  });

  it.each([["r-base"], ["r-base=4.3"], ["r-ggplot2"], ["R-irkernel"]])("%s → hasR", (dep) => {
    expect(parseEnvironmentYml(`dependencies:\n  - numpy\n  - ${dep}\n`).hasR).toBe(true);
  });

  it.each([["numpy"], ["rpy2"], ["r"], ["ruamel.yaml"]])("%s → no R", (dep) => {
    expect(parseEnvironmentYml(`dependencies:\n  - ${dep}\n`).hasR).toBe(false);
  });

  it("pip: local references are detected, plain pip packages are not", () => {
    expect(parseEnvironmentYml("dependencies:\n  - pip\n  - pip:\n    - requests\n    - -e .\n").pipHasLocalReferences).toBe(true);
    expect(parseEnvironmentYml("dependencies:\n  - pip:\n    - ./pkg\n").pipHasLocalReferences).toBe(true);
    expect(parseEnvironmentYml("dependencies:\n  - pip:\n    - -r requirements.txt\n").pipHasLocalReferences).toBe(true);
    expect(parseEnvironmentYml("dependencies:\n  - pip:\n    - requests\n    - torch==2.3\n").pipHasLocalReferences).toBe(false);
  });

  it("empty and comment-only files are allowed", () => {
    expect(parseEnvironmentYml("")).toEqual(EMPTY);
    expect(parseEnvironmentYml("# nothing yet\n")).toEqual(EMPTY);
    expect(parseEnvironmentYml("name: x\n")).toEqual(EMPTY);
    expect(parseEnvironmentYml("dependencies:\n")).toEqual(EMPTY);
  });

  it("a list at the top level is refused", () => {
    const e = expectConfigError(() => parseEnvironmentYml("- python=3.11\n- numpy\n"), { file: "environment.yml", line: 1, message: /must be a mapping with `dependencies:`/ });
    expect(e.hint).toMatch(/dependencies:/);
  });

  it("a scalar at the top level is refused", () => {
    expectConfigError(() => parseEnvironmentYml("python=3.11\n", "binder/environment.yaml"), { file: "binder/environment.yaml", line: 1, message: /must be a mapping/ });
  });

  it("bad indentation is a YAML error at its line", () => {
    const text = "name: x\ndependencies:\n  - numpy\n - pandas\n";
    const e = expectConfigError(() => parseEnvironmentYml(text), { file: "environment.yml", line: 4, message: /is not valid YAML/ });
    expect(e.hint).toMatch(/indentation/);
    expect(e.message).not.toMatch(/at line \d+, column \d+/);
  });

  it("a block sequence used as a key (the error-bad-yaml fixture) is reported at line 3", () => {
    const text = "dependencies:\n  - numpy\n - pandas\n";
    expectConfigError(() => parseEnvironmentYml(text), { file: "environment.yml", line: 3, message: /is not valid YAML: A block sequence may not be used as an implicit map key/ });
  });

  it("the YAML error line counts CRLF lines", () => {
    const text = "name: x\r\n\r\ndependencies:\r\n  - numpy\r\n - pandas\r\n";
    expectConfigError(() => parseEnvironmentYml(text), { file: "environment.yml", line: 5, message: /is not valid YAML/ });
  });

  it("duplicate keys are an error", () => {
    expectConfigError(() => parseEnvironmentYml("dependencies: []\ndependencies: []\n"), { file: "environment.yml", line: 2, message: /is not valid YAML/ });
  });
});
