import { describe, expect, it } from "vitest";
import { parseRequirementsTxt } from "../../src/detect/requirements-txt.js";

describe("parseRequirementsTxt", () => {
  it("plain pins are not local; comments, blanks and CRLF are dropped from the list", () => {
    const r = parseRequirementsTxt("# deps\r\nnumpy==1.26.4\r\n\r\npandas>=2  # dataframes\r\nrequests[socks]\r\n");
    expect(r).toEqual({ hasLocalReferences: false, requirements: ["numpy==1.26.4", "pandas>=2", "requests[socks]"], includes: [], indexOptions: [] });
  });

  it("an empty file has no requirements", () => {
    const none = { hasLocalReferences: false, requirements: [], includes: [], indexOptions: [] };
    expect(parseRequirementsTxt("")).toEqual(none);
    expect(parseRequirementsTxt("\n# only a comment\n")).toEqual(none);
  });

  it("a # inside a token (URL fragment) is kept, as pip does", () => {
    const r = parseRequirementsTxt("git+https://github.com/org/pkg.git#egg=pkg\n");
    expect(r.requirements).toEqual(["git+https://github.com/org/pkg.git#egg=pkg"]);
    expect(r.hasLocalReferences).toBe(false);
  });

  it.each([
    "-e .",
    "--editable .",
    "-e ./sub/pkg",
    "--editable ./pkg",
    "./pkg",
    ".",
    "../sibling",
    "/abs/path/pkg",
    "-r other.txt",
    "--requirement other.txt",
    "--requirement=other.txt",
    "-c constraints.txt",
    "--constraint c.txt",
    "--constraint=c.txt",
    "file:///wheels/pkg.whl",
    "pkg @ file:///src/pkg",
    // repo2docker's own reading of option lines (repo2docker/utils.py is_local_pip_requirement):
    "-e.",
    "--editable=.",
    "--editable=./pkg",
    "-rother.txt",
    "-cconstraints.txt",
    "-f ./wheels",
    "--find-links=./wheels",
  ])("%j is a local reference", (line) => {
    expect(parseRequirementsTxt(`numpy\n${line}\n`).hasLocalReferences).toBe(true);
  });

  it.each([
    "numpy",
    "numpy==1.0",
    "-e git+https://github.com/org/pkg.git#egg=pkg",
    "--index-url https://pypi.example/simple",
    "--index-url=https://pypi.example/simple",
    "-i https://pypi.example/simple",
    "--extra-index-url https://x",
    "--pre",
    "--only-binary :all:",
    "pkg @ https://example.org/pkg.whl",
    "# -e .",
    "numpy  # see ./notes",
    "--config-settings=x=y",
  ])("%j is not a local reference", (line) => {
    expect(parseRequirementsTxt(`${line}\n`).hasLocalReferences).toBe(false);
  });

  it("CRLF does not hide a local reference", () => {
    expect(parseRequirementsTxt("numpy\r\n-e .\r\n").hasLocalReferences).toBe(true);
    expect(parseRequirementsTxt("numpy\r\n-e .\r\n").requirements).toEqual(["numpy", "-e ."]);
  });
});
