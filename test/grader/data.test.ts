import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { findDataFolders, findModzyCases, listFiles } from "../../src/grader/data.js";
import { TempFiles, writeTree, type Tree } from "../helpers/repo.js";

const temp = new TempFiles();
let root: string;
beforeEach(async () => {
  root = await temp.repo({}, "r2d-data-");
});
afterEach(() => temp.cleanup());

const files = (tree: Tree) => writeTree(root, tree);

describe("findDataFolders", () => {
  it("takes the first input convention that exists, with its paired expected folder", async () => {
    await files({ "tests/input/a.csv": "1", "tests/expected/p.csv": "x", "input/b.csv": "2" });
    expect(await findDataFolders(root, {})).toEqual({
      input: path.join(root, "tests/input"),
      expected: path.join(root, "tests/expected"),
      source: "input tests/input/ (repository convention), expected tests/expected/",
    });
  });

  it("sample_data/ comes first and pairs with sample_output/", async () => {
    await files({ "sample_data/a.csv": "1", "sample_output/p.csv": "x", "test_data/b.csv": "2" });
    const d = await findDataFolders(root, {});
    expect(d.input).toBe(path.join(root, "sample_data"));
    expect(d.expected).toBe(path.join(root, "sample_output"));
  });

  it("an explicit input folder wins, and then no convention's expected folder is guessed", async () => {
    await files({ "sample_data/a.csv": "1", "sample_output/p.csv": "x", "other/c.csv": "3" });
    const d = await findDataFolders(root, { inputDir: path.join(root, "other") });
    expect(d).toEqual({ input: path.join(root, "other"), expected: undefined, source: `input ${path.join(root, "other")} (--grader-input)` });
  });

  it("nothing found: no input, and the source says so", async () => {
    expect(await findDataFolders(root, {})).toEqual({ expected: undefined, source: "no input folder found" });
  });

  it("a missing explicit folder is a ConfigError naming the flag", async () => {
    await expect(findDataFolders(root, { inputDir: path.join(root, "nope") })).rejects.toThrow(ConfigError);
    await expect(findDataFolders(root, { expectedDir: path.join(root, "nope") })).rejects.toThrow(/--grader-expected/);
  });
});

describe("findModzyCases", () => {
  const model = { inputs: ["input.txt"], outputs: ["results.json"] };

  it("flat cases: model.yaml's names split inputs from expected outputs; validation-error cases carry message.txt", async () => {
    await files({
      "tests/data/examples/0001/input.txt": "1 2",
      "tests/data/examples/0001/results.json": "{}",
      "tests/data/examples/0001/notes.md": "ignored: neither an input nor an output name",
      "tests/data/validation-error/empty/input.txt": "",
      "tests/data/validation-error/empty/message.txt": "input.txt is empty\n",
    });
    const c = await findModzyCases(root, model, {});
    expect(c.source).toBe("1 case(s) in tests/data/examples/, 1 validation-error case(s)");
    expect(c.examples).toEqual([
      { name: "0001", inputs: [[path.join(root, "tests/data/examples/0001/input.txt"), "input.txt"]], expected: new Map([["results.json", path.join(root, "tests/data/examples/0001/results.json")]]) },
    ]);
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]!.errorMessage).toBe("input.txt is empty");
  });

  it("input/ + output/ cases under test/data/<case>/", async () => {
    await files({ "test/data/case-a/input/img.png": "x", "test/data/case-a/output/results.json": "{}" });
    const c = await findModzyCases(root, { inputs: [], outputs: [] }, {});
    expect(c.examples.map((e) => [e.name, e.inputs.map((i) => i[1]), [...e.expected.keys()]])).toEqual([["case-a", ["img.png"], ["results.json"]]]);
  });

  it("--grader-input makes one case named 'input', with --grader-expected as its expected files", async () => {
    await files({ "in/input.txt": "1", "exp/results.json": "{}" });
    const c = await findModzyCases(root, model, { inputDir: path.join(root, "in"), expectedDir: path.join(root, "exp") });
    expect(c.examples).toHaveLength(1);
    expect(c.examples[0]!.name).toBe("input");
    expect([...c.examples[0]!.expected.keys()]).toEqual(["results.json"]);
  });

  it("no cases: the source says so", async () => {
    expect(await findModzyCases(root, model, {})).toEqual({ examples: [], errors: [], source: "no test cases found" });
  });
});

describe("listFiles", () => {
  it("lists regular files recursively as sorted posix paths, skipping hidden ones", async () => {
    await files({ "d/b.txt": "", "d/a/c.txt": "", "d/.hidden": "" });
    expect(await listFiles(path.join(root, "d"))).toEqual(["a/c.txt", "b.txt"]);
    expect(await listFiles(path.join(root, "missing"))).toEqual([]);
  });
});
