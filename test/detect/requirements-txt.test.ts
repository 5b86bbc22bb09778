import { describe, expect, it } from "vitest";
import { parseRequirementsTxt, redactIndexUrl } from "../../src/detect/requirements-txt.js";

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

describe("parseRequirementsTxt: includes and index options, with their lines", () => {
  it("records -r/-c in every spelling, and the index options", () => {
    const text = [
      "numpy",
      "-r base.txt",
      "-rdev.txt",
      "--requirement=extra/more.txt",
      "-c constraints.txt",
      "--constraint c2.txt",
      "-i https://alice:pw@idx.example/simple",
      "--extra-index-url=https://extra.example/simple",
      "-f ./wheels",
      "--no-index",
      "--trusted-host idx.example",
      "--pre",
    ].join("\n");
    const r = parseRequirementsTxt(text, "binder/requirements.txt");
    expect(r.includes).toEqual([
      { file: "binder/requirements.txt", line: 2, option: "-r", target: "base.txt" },
      { file: "binder/requirements.txt", line: 3, option: "-r", target: "dev.txt" },
      { file: "binder/requirements.txt", line: 4, option: "-r", target: "extra/more.txt" },
      { file: "binder/requirements.txt", line: 5, option: "-c", target: "constraints.txt" },
      { file: "binder/requirements.txt", line: 6, option: "-c", target: "c2.txt" },
    ]);
    expect(r.indexOptions).toEqual([
      { file: "binder/requirements.txt", line: 7, option: "--index-url", value: "https://alice:pw@idx.example/simple" },
      { file: "binder/requirements.txt", line: 8, option: "--extra-index-url", value: "https://extra.example/simple" },
      { file: "binder/requirements.txt", line: 9, option: "--find-links", value: "./wheels" },
      { file: "binder/requirements.txt", line: 10, option: "--no-index", value: "" },
      { file: "binder/requirements.txt", line: 11, option: "--trusted-host", value: "idx.example" },
    ]);
  });

  it("a continuation line joins with the next; the option keeps the first line's number", () => {
    const r = parseRequirementsTxt("numpy\n--index-url \\\n  https://idx.example/simple\npandas\n");
    expect(r.indexOptions).toEqual([{ file: "requirements.txt", line: 2, option: "--index-url", value: "https://idx.example/simple" }]);
    expect(r.requirements).toEqual(["numpy", "--index-url   https://idx.example/simple", "pandas"]);
  });

  it("commented-out options are not options", () => {
    expect(parseRequirementsTxt("# -r other.txt\n# --index-url https://x\n")).toMatchObject({ includes: [], indexOptions: [] });
  });
});

describe("redactIndexUrl", () => {
  it.each([
    ["https://alice:s3cret@idx.example/simple", "https://alice:****@idx.example/simple"],
    ["https://ghp_abcdefghijklmnop@idx.example/simple", "https://****@idx.example/simple"],
    ["https://idx.example/simple?token=abc", "https://idx.example/simple?****"],
    ["https://idx.example/simple", "https://idx.example/simple"],
    ["./wheels", "./wheels"],
  ])("%s → %s", (url, shown) => {
    expect(redactIndexUrl(url)).toBe(shown);
  });
});
