/** extra-args: shell-like words never read by a shell, and only r2d's own flags, checked by the option table. */
import { describe, expect, it } from "vitest";
import { mergeExtraArgs, readExtraArgs, splitWords } from "../../src/action/extra-args.js";
import { readInputs, toBuildOptions } from "../../src/action/inputs.js";
import { ConfigError } from "../../src/errors.js";

describe("splitWords", () => {
  it.each([
    ["", []],
    ["--target dev", ["--target", "dev"]],
    ["  a \n\t b  ", ["a", "b"]],
    ["--appendix 'RUN echo $HOME; ls | wc'", ["--appendix", "RUN echo $HOME; ls | wc"]],
    ['--label "team=ml ops" x\\ y', ["--label", "team=ml ops", "x y"]],
    ['"a\\"b" \'it\'\\\'\'s\'', ['a"b', "it's"]],
    ["''", [""]],
  ])("%j", (text, words) => {
    expect(splitWords(text)).toEqual(words);
  });

  it.each([
    ["--label x=$(id)", /"\$" would be shell syntax/],
    ["--label `id`", /"`" would be shell syntax/],
    ['--label "x=$HOME"', /"\$" would be shell syntax/],
    ["a; rm -rf /", /";" would be shell syntax/],
    ["a | b", /"\|" would be shell syntax/],
    ["--appendix 'RUN x", /a single quote is not closed/],
    ['--label "x', /a double quote is not closed/],
  ])("refuses %j", (text, message) => {
    expect(() => splitWords(text)).toThrow(ConfigError);
    expect(() => splitWords(text)).toThrow(message);
  });
});

describe("readExtraArgs", () => {
  it("reads flags through the option table, as the command line does", () => {
    expect(readExtraArgs("--target dev --appendix 'RUN echo hi' --label a=1 --label b=2 --memory 1g -e X=1")).toEqual({
      target: "dev",
      appendix: "RUN echo hi",
      labels: { a: "1", b: "2" },
      memory: "1g",
      env: ["X=1"],
    });
  });

  it("ignores the environment variables the CLI would read (only the words count)", () => {
    process.env.R2D_BASE_IMAGE = "from-env:1";
    try {
      expect(readExtraArgs("--target dev")).toEqual({ target: "dev" });
    } finally {
      delete process.env.R2D_BASE_IMAGE;
    }
  });

  it.each([
    ["--json", /--json is not for the action/],
    ["--no-run", /--no-run is not for the action/],
    ["--push", /--push is not for the action/],
    ["-E", /--editable is not for the action/],
    ["--progress plain", /--progress is not for the action/],
    ["--target prod", /argument 'prod' is invalid/],
    ["--user-id root", /--user-id <uid>' argument 'root' is invalid/],
    ["--frobnicate", /unknown option '--frobnicate'/],
    ["--target dev python x.py", /takes flags only, not "python"/],
  ])("refuses %j, naming the input", (text, message) => {
    const attempt = () => readExtraArgs(text);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(/^input extra-args: /);
  });

  it("a setting given both as an input and in extra-args is an error", () => {
    expect(() => mergeExtraArgs({ target: "runtime" }, { target: "dev" })).toThrow(/input extra-args: --target is set by an input too/);
    expect(() => mergeExtraArgs({ platforms: ["linux/amd64"] }, { platform: "linux/arm64" })).toThrow(/--platform is set by an input too/);
  });
});

describe("extra-args through the action's inputs", () => {
  const env = (inputs: Record<string, string>): Record<string, string> => {
    const out: Record<string, string> = { GITHUB_WORKSPACE: "/ws" };
    for (const [k, v] of Object.entries(inputs)) out[`INPUT_${k.toUpperCase()}`] = v;
    return out;
  };

  it("adds flags that have no input, and the table's rules hold for them", () => {
    const o = toBuildOptions(readInputs(env({ "extra-args": "--target dev --shm-size 64m --mount-data", "image-name": "a/m:1" }), "/x"));
    expect(o).toMatchObject({ target: "dev", imageName: "a/m:1", mountData: true });
    expect(() => readInputs(env({ "extra-args": "--grader-input d" }), "/x")).toThrow(/grader-input only applies with grader/);
  });
});
