import { describe, expect, it } from "vitest";
import { parsePipfile, parsePipfileLock } from "../../src/detect/pipfile.js";
import { expectConfigError } from "./helpers.js";

const PIPFILE = `[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
numpy = "*"
requests = {version = ">=2", extras = ["socks"]}

[dev-packages]
pytest = "*"

[requires]
python_version = "3.11"
`;

describe("parsePipfile", () => {
  it("reads python_version; version tables without path are not local", () => {
    expect(parsePipfile(PIPFILE)).toEqual({ python: "3.11", hasLocalReferences: false });
  });

  it("CRLF line endings", () => {
    expect(parsePipfile(PIPFILE.replace(/\n/g, "\r\n"))).toEqual({ python: "3.11", hasLocalReferences: false });
  });

  it("python_full_version is cut to X.Y", () => {
    expect(parsePipfile('[requires]\npython_full_version = "3.9.18"\n').python).toBe("3.9");
  });

  it("python_version wins over python_full_version", () => {
    expect(parsePipfile('[requires]\npython_version = "3.10"\npython_full_version = "3.9.18"\n').python).toBe("3.10");
  });

  it("a bare major maps like runtime.txt (3 → 3.10, 2 → 2.7)", () => {
    expect(parsePipfile('[requires]\npython_version = "3"\n').python).toBe("3.10");
    expect(parsePipfile('[requires]\npython_version = "2"\n').python).toBe("2.7");
  });

  it("no [requires] → null", () => {
    expect(parsePipfile('[packages]\nnumpy = "*"\n')).toEqual({ python: null, hasLocalReferences: false });
    expect(parsePipfile("")).toEqual({ python: null, hasLocalReferences: false });
  });

  it("a path dependency (packages or dev-packages) is local", () => {
    expect(parsePipfile('[packages]\nmypkg = {path = ".", editable = true}\n').hasLocalReferences).toBe(true);
    expect(parsePipfile('[dev-packages]\nlib = {path = "./lib"}\n').hasLocalReferences).toBe(true);
    expect(parsePipfile('[packages]\npath = "*"\n').hasLocalReferences).toBe(false);
  });

  it("bad TOML is an error at its line", () => {
    const e = expectConfigError(() => parsePipfile('[packages]\nnumpy = "*"\nbad line here\n'), { file: "Pipfile", line: 3, message: /is not valid TOML/ });
    expect(e.hint).toMatch(/pipenv/i);
  });

  it("a python_version that is not a version is refused", () => {
    expectConfigError(() => parsePipfile('[requires]\npython_version = "latest"\n', "binder/Pipfile"), { file: "binder/Pipfile", message: /python_version "latest" is not a Python version/ });
  });
});

const LOCK = JSON.stringify(
  {
    _meta: { hash: { sha256: "x" }, requires: { python_version: "3.12" }, sources: [] },
    default: { numpy: { version: "==1.26.4", hashes: [] } },
    develop: {},
  },
  null,
  4,
);

describe("parsePipfileLock", () => {
  it("reads _meta.requires.python_version", () => {
    expect(parsePipfileLock(LOCK)).toEqual({ python: "3.12", hasLocalReferences: false });
  });

  it("CRLF line endings", () => {
    expect(parsePipfileLock(LOCK.replace(/\n/g, "\r\n"))).toEqual({ python: "3.12", hasLocalReferences: false });
  });

  it("no _meta → null", () => {
    expect(parsePipfileLock("{}")).toEqual({ python: null, hasLocalReferences: false });
  });

  it("path entries in default or develop are local", () => {
    expect(parsePipfileLock('{"default": {"mypkg": {"path": ".", "editable": true}}}').hasLocalReferences).toBe(true);
    expect(parsePipfileLock('{"develop": {"lib": {"path": "./lib"}}}').hasLocalReferences).toBe(true);
  });

  it("bad JSON is an error at the line of the problem", () => {
    const text = '{\n  "_meta": {},\n  "default": {,\n}\n';
    const e = expectConfigError(() => parsePipfileLock(text), { file: "Pipfile.lock", line: 3, message: /is not valid JSON/ });
    expect(e.hint).toMatch(/pipenv lock/);
  });

  it("bad JSON with CRLF still gets the right line", () => {
    const text = '{\r\n  "_meta": {},\r\n\r\n  "default": {,\r\n}\r\n';
    expectConfigError(() => parsePipfileLock(text), { file: "Pipfile.lock", line: 4, message: /is not valid JSON/ });
  });

  it("an empty file is an error (no line to point at)", () => {
    expectConfigError(() => parsePipfileLock(""), { file: "Pipfile.lock", line: undefined, message: /is not valid JSON/ });
  });

  it.each([["null"], ["[]"], ['"text"'], ["42"]])("valid JSON that is not an object (%s) is a ConfigError, not a crash", (text) => {
    expectConfigError(() => parsePipfileLock(text), { file: "Pipfile.lock", line: 1, message: /must be a JSON object/ });
  });

  it("a python_version that is not a version is refused", () => {
    expectConfigError(() => parsePipfileLock('{"_meta": {"requires": {"python_version": "3.x"}}}'), { file: "Pipfile.lock", message: /"3\.x" is not a Python version/ });
  });
});

describe("Pipfile and Pipfile.lock: types of what r2d reads, with lines", () => {
  it.each([
    ['[requires]\npython_version = 3.11\n', 2, /python_version must be a string, not the number 3\.11/],
    ['requires = "3.11"\n', 1, /\[requires\] must be a table, not the string "3\.11"/],
    ['packages = ["numpy"]\n', 1, /\[packages\] must be a table, not an array/],
    ['[packages]\nnumpy = "*"\npandas = 2\n', 3, /\[packages\] pandas must be a version string or a table, not the number 2/],
    ['[dev-packages]\nlib = {path = 1}\n', 2, /\[dev-packages\] lib: path must be a string, not the number 1/],
    ['[requires]\npython_version = "3.99"\n', 2, /python_version "3\.99": Python 3\.99 is not a version r2d can provide/],
  ])("%j → error at line %i", (text, line, message) => {
    expectConfigError(() => parsePipfile(text), { file: "Pipfile", line, message });
  });

  it("an impossible Python names the nearest in the hint", () => {
    expect(expectConfigError(() => parsePipfile('[requires]\npython_version = "3.2"\n'), { file: "Pipfile", line: 2, message: /3\.2/ }).hint).toMatch(/use "3\.5" \(the nearest\)/);
  });

  it.each([
    ['{"_meta": []}', /_meta must be an object/],
    ['{"_meta": {"requires": {"python_version": 3.11}}}', /_meta\.requires\.python_version must be a string/],
    ['{\n"default": [1]\n}', /default must be an object/],
  ])("Pipfile.lock %s → error", (text, message) => {
    expectConfigError(() => parsePipfileLock(text), { file: "Pipfile.lock", message });
  });

  it("the JSON error message is cut, whatever the input", () => {
    const e = expectConfigError(() => parsePipfileLock(`{"a": ${"x".repeat(1000)}}`), { file: "Pipfile.lock", message: /is not valid JSON/ });
    expect(e.message.split("\n")[0]!.length).toBeLessThan(250);
  });
});
