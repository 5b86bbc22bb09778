/** Requirement lines pip would refuse are refused before the build, naming the line; what pip reads in ways r2d does not judge passes. */
import { describe, expect, it } from "vitest";
import { parseEnvironmentYml } from "../../src/detect/environment-yml.js";
import { parseRequirementsTxt } from "../../src/detect/requirements-txt.js";
import { ConfigError } from "../../src/errors.js";

const refusal = (text: string): ConfigError | undefined => {
  try {
    parseRequirementsTxt(text, "binder/requirements.txt");
    return undefined;
  } catch (e) {
    return e as ConfigError;
  }
};

describe("requirement lines", () => {
  it.each([
    "numpy",
    "numpy==1.26.4",
    "numpy>=1.2,<2",
    'pandas[excel,parquet]>=2; python_version > "3.8"',
    "foo @ https://example.org/foo-1.0.tar.gz",
    "git+https://github.com/x/y#egg=y",
    "./pkg",
    "-e .",
    ".",
    "~/pkgs/mine",
    "--index-url https://example.org/simple",
    "scikit-learn==1.0 --hash=sha256:0123abcd --hash=sha256:4567ef",
    "foo (>=1.0)",
    "torch==2.1.0+cpu",
    "numpy~=1.26.0",
    "Django==4.*",
    "zope.interface===5.0",
    "wheels/foo-1.0-py3-none-any.whl",
    "foo-1.0.tar.gz",
    "${PKG}==1.0",
    "requests \\\n  ==2.31",
  ])("%s passes", (line) => expect(refusal(line)).toBeUndefined());

  it.each([
    ["numpy==", /give a version after the operator/],
    ["numpy=1.26", /pin a version with ==/],
    ["numpy==1.0,", /ends with a comma/],
    ["foo bar", /one requirement per line/],
    ["numpy[ssl==1", /one requirement per line/],
  ])("%s is refused with the file, the line and a hint", (line, hint) => {
    const e = refusal(`# pinned\nsix\n${line}\n`);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e!.location).toEqual({ file: "binder/requirements.txt", line: 3 });
    expect(e!.message).toContain("is not a requirement pip can read");
    expect(e!.hint).toMatch(hint);
  });
});

describe("the pip: list of environment.yml", () => {
  it("is checked entry by entry, naming the entry's line", () => {
    const text = "dependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - requests==2.31\n    - numpy=1.26\n";
    expect(() => parseEnvironmentYml(text, "binder/environment.yml")).toThrow(expect.objectContaining({ location: { file: "binder/environment.yml", line: 6 }, hint: expect.stringMatching(/pin a version with ==/) }));
    expect(() => parseEnvironmentYml(text.replace("numpy=1.26", "numpy==1.26"), "binder/environment.yml")).not.toThrow();
  });
});
