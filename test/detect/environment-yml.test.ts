import { describe, expect, it } from "vitest";
import { parseEnvironmentYml } from "../../src/detect/environment-yml.js";
import { makePlan } from "../../src/plan/index.js";
import { expectConfigError } from "./helpers.js";

const EMPTY = { python: null, hasR: false, rBase: null, pipHasLocalReferences: false, channels: [], warnings: [] };

describe("parseEnvironmentYml", () => {
  it("a typical file: name ignored, channels kept, python=X.Y", () => {
    const text = "name: demo\nchannels:\n  - conda-forge\n  - bioconda\ndependencies:\n  - python=3.11\n  - numpy\n";
    expect(parseEnvironmentYml(text)).toEqual({ python: "3.11", hasR: false, rBase: null, pipHasLocalReferences: false, channels: ["conda-forge", "bioconda"], warnings: [] });
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

  it.each([
    ["r-base=4.3", "4.3"],
    ["r-base==4.3.2", "4.3.2"],
    ["r-base =4.4.1", "4.4.1"],
    ["r-base=4.2.*", "4.2"],
    ["r-base=4.3.1=h1234_0", "4.3.1"],
    ["r-base>=4.2", null],
    ["r-base", null],
    ["r-ggplot2=3.4", null],
  ])("%s → the r-base pin %s", (dep, pin) => {
    expect(parseEnvironmentYml(`dependencies:\n  - ${dep}\n`).rBase).toBe(pin);
  });

  it("the first r-base pin wins", () => {
    expect(parseEnvironmentYml("dependencies:\n  - r-base=4.2\n  - r-base=4.4\n").rBase).toBe("4.2");
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

describe("parseEnvironmentYml: meaning checked at plan time", () => {
  it.each([
    ["dependencies is a string", "name: x\ndependencies: numpy\n", 2, /`dependencies` must be a list, not "numpy"/],
    ["dependencies is a mapping", "dependencies:\n  numpy: 1\n", 2, /`dependencies` must be a list, not a mapping/],
    ["a number entry", "dependencies:\n  - numpy\n  - 3.9\n", 3, /dependencies entry the number "3\.9" is not a conda package spec/],
    ["a mapping entry other than pip", "dependencies:\n  - python: 3.9\n", 2, /dependencies entry a mapping is not a conda package spec/],
    ["an empty entry", "dependencies:\n  - numpy\n  -\n  - pandas\n", 3, /dependencies entry an empty value/],
    ["a boolean entry", "dependencies:\n  - yes\n  - true\n", 3, /the boolean true/],
    ["a nested list", "dependencies:\n  - [a, b]\n", 2, /a list is not a conda package spec/],
    ["pip is not a list", "dependencies:\n  - pip: requests\n", 2, /`pip` must be a list, not "requests"/],
    ["a pip entry that is a number", "dependencies:\n  - pip:\n    - requests\n    - 1.5\n", 4, /pip entry the number "1\.5" is not a pip requirement/],
    ["a second pip list", "dependencies:\n  - pip:\n    - a\n  - pip:\n    - b\n", 4, /a second `pip:` list \(the first is at line 2\)/],
    ["channels is a string", "channels: conda-forge\ndependencies: []\n", 1, /`channels` must be a list, not "conda-forge"/],
    ["a channel that is a number", "channels:\n  - conda-forge\n  - 42\n", 3, /channels entry the number "42" is not a channel name/],
    ["a shell-ish spec", "dependencies:\n  - numpy; rm -rf /\n", 2, /"numpy; rm -rf \/" is not a conda package spec/],
    ["a pip requirement among conda specs", "dependencies:\n  - -e .\n", 2, /"-e \." is not a conda package spec/],
    ["an operator with no version", "dependencies:\n  - numpy=\n", 2, /"numpy=" is not a conda package spec/],
    ["python=banana", "dependencies:\n  - numpy\n  - python=banana\n", 3, /"python=banana": "=banana" is not a Python version/],
    ["python>=three", "dependencies:\n  - python>=three\n", 2, /is not a Python version/],
    ["python=3.99", "dependencies:\n  - python=3.99\n", 2, /"python=3\.99": Python 3\.99 is not a version r2d can provide/],
  ])("%s → error at its line", (_, text, line, message) => {
    expectConfigError(() => parseEnvironmentYml(text), { file: "environment.yml", line, message });
  });

  it("the hint for an impossible Python names the nearest valid version and the range", () => {
    expect(expectConfigError(() => parseEnvironmentYml("dependencies:\n  - python=3.99\n"), { file: "environment.yml", line: 2, message: /3\.99/ }).hint).toBe(
      "use python=3.14 (the nearest); r2d can provide 2.7 and 3.5 to 3.14",
    );
    expect(expectConfigError(() => parseEnvironmentYml("dependencies:\n  - python==3.1\n"), { file: "environment.yml", line: 2, message: /3\.1 is not/ }).hint).toMatch(/python=3\.5 \(the nearest\)/);
    expect(expectConfigError(() => parseEnvironmentYml("dependencies:\n  - pip:\n    - -e .\n  - numpy; x\n"), { file: "environment.yml", line: 4, message: /not a conda/ }).hint).toMatch(/- pip:/);
    expect(expectConfigError(() => parseEnvironmentYml("dependencies:\n  - git+https://x/y\n"), { file: "environment.yml", line: 2, message: /not a conda/ }).hint).toMatch(/looks like a pip requirement/);
  });

  it.each([
    "numpy", "numpy=1.26", "numpy==1.26.4", "numpy>=1.2,<2", "numpy >=1.2", "numpy 1.26.*", "numpy=1.26=py311h1_0", "numpy 1.26 py311*",
    "conda-forge::numpy", "pytorch::pytorch-cuda=11.8", "conda-forge/linux-64::numpy=1.26", "numpy[build_number=3]", "numpy[version='>=1.2']",
    "python=3.11", "python==3.10.*", "python>=3.8,<3.12", "python=3.11=h1_0_cpython", "python 3.12.*", "python=3", "r-base>=4.3", "pip", "ca-certificates",
    "https://conda.anaconda.org/conda-forge::numpy", "python_abi=3.11=*_cp311", "libgcc-ng>=12",
  ])("%s is a valid spec", (spec) => {
    expect(() => parseEnvironmentYml(`dependencies:\n  - "${spec.replace(/"/g, '\\"')}"\n`)).not.toThrow();
  });

  it("another platform's subdir is a warning with its line, not an error; linux and noarch are fine", () => {
    const env = parseEnvironmentYml("dependencies:\n  - numpy\n  - conda-forge/osx-64::libcxx\n  - conda-forge/noarch::tqdm\n  - conda-forge/linux-aarch64::zlib\n  - pkgs/main/win-64::vs2015_runtime\n");
    expect(env.warnings).toEqual([
      { line: 3, text: expect.stringMatching(/"conda-forge\/osx-64::libcxx" asks for the osx-64 subdir, but the image is Linux/) },
      { line: 6, text: expect.stringMatching(/win-64 subdir/) },
    ]);
  });

  it("channels: null and dependencies: null are empty; other top-level keys are not checked", () => {
    expect(parseEnvironmentYml("name: x\nchannels:\ndependencies:\nprefix: /opt/x\nvariables:\n  A: 1\n")).toEqual(EMPTY);
  });

  it("aliases within reason are fine; an alias bomb is an error with the file and the line of the first alias", () => {
    expect(parseEnvironmentYml("x: &v numpy\ndependencies:\n  - *v\n  - pandas\n").warnings).toEqual([]);
    let bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n';
    let prev = "a";
    for (let i = 0; i < 9; i++) {
      bomb += `b${i}: &b${i} [${Array(9).fill(`*${prev}`).join(",")}]\n`;
      prev = `b${i}`;
    }
    const e = expectConfigError(() => parseEnvironmentYml(bomb, "binder/environment.yml"), { file: "binder/environment.yml", line: 2, message: /aliases \(\*name\) expand to more than 100 nodes/ });
    expect(e.hint).toMatch(/write the values out/);
  });

  it("deep nesting is an error naming the file, not a crash", () => {
    const text = `dependencies: ${"[".repeat(20000)}${"]".repeat(20000)}\n`;
    expectConfigError(() => parseEnvironmentYml(text), { file: "environment.yml", message: /nested too deeply/ });
  });

  it("a second YAML document is an error at its line", () => {
    expectConfigError(() => parseEnvironmentYml("dependencies: []\n---\ndependencies: [numpy]\n"), { file: "environment.yml", line: 2, message: /more than one YAML document/ });
  });

  it("a long hostile entry is cut and its control characters escaped in the message", () => {
    const evil = `numpy;${"A".repeat(5000)}\u001b[2J\u202e`;
    const e = expectConfigError(() => parseEnvironmentYml(`dependencies:\n  - "${evil.replace(/\u001b/g, "\\e").replace(/\u202e/g, "\\u202e")}"\n`), { file: "environment.yml", line: 2, message: /is not a conda package spec/ });
    expect(e.message.length).toBeLessThan(500);
    expect(e.message).toContain("…");
    expect(e.message).not.toMatch(/[\u001b\u202e]/);
  });
});

describe("environment.yml warnings reach the plan", () => {
  const facts = (path: string, text: string, extra: Record<string, unknown> = {}) =>
    ({ root: "/r", configDir: "", files: { environment: { path, data: parseEnvironmentYml(text, path) }, ...extra }, ignored: [], suspicious: [], credentials: [] }) as Parameters<typeof makePlan>[0];
  const text = "dependencies:\n  - python=3.11\n  - conda-forge/osx-arm64::libcxx\n";

  it("as a warning with the file and line when the conda pack uses the file", () => {
    const plan = makePlan(facts("binder/environment.yml", text), { invoking: { uid: 0, name: "root" } });
    expect(plan.messages).toContainEqual({ level: "warn", text: expect.stringMatching(/^binder\/environment\.yml:3: "conda-forge\/osx-arm64::libcxx" asks for the osx-arm64 subdir/) });
  });

  it("not when a Dockerfile wins and the file is ignored", () => {
    const plan = makePlan(facts("environment.yml", text, { dockerfile: { path: "Dockerfile", data: { from: ["x"], legacyBinderBase: false, finalUser: null, text: "FROM x\n" } } }), { invoking: { uid: 0, name: "root" } });
    expect(plan.messages.some((m) => m.text.includes("osx-arm64"))).toBe(false);
  });
});
