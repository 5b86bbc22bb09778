import { describe, expect, it } from "vitest";
import type { BuildRepoOptions } from "../../src/build-repo.js";
import { ConfigError } from "../../src/errors.js";
import {
  getInput,
  parseBoolean,
  parseList,
  parsePairs,
  planAction,
  readInputs,
  secretValues,
  toBuildOptions,
  type Env,
} from "../../src/action/inputs.js";

const WS = "/home/runner/work/model/model";

/** Inputs as a runner sets them for a JavaScript action: INPUT_ + upper-cased name, hyphens kept. */
function env(inputs: Record<string, string>, extra: Env = {}): Env {
  const out: Env = { GITHUB_WORKSPACE: WS, ...extra };
  for (const [k, v] of Object.entries(inputs)) out[`INPUT_${k.toUpperCase()}`] = v;
  return out;
}

/** What every build gets when no input is set. */
const DEFAULTS: BuildRepoOptions = {
  ref: undefined,
  subdir: undefined,
  imageName: undefined,
  push: false,
  run: false,
  command: undefined,
  runStdio: "pipe",
  platform: undefined,
  buildArgs: {},
  labels: {},
  cacheFrom: [],
  cacheTo: [],
  noCache: false,
  pull: false,
  excludes: [],
  includes: [],
  baseImage: undefined,
  gpu: false,
  // jovyan/1000 in CI unless the inputs say otherwise.
  userId: "1000",
  userName: "jovyan",
  targetRepoDir: undefined,
  load: false,
  pipIndexUrl: undefined,
  pipExtraIndexUrls: [],
  cranMirror: undefined,
  buildNetwork: undefined,
  engine: undefined,
};

describe("inputs → buildRepo options", () => {
  const rows: { name: string; inputs: Record<string, string>; repo?: string; options: Partial<BuildRepoOptions> }[] = [
    { name: "nothing set", inputs: {}, repo: WS, options: {} },
    { name: "the default repo input", inputs: { repo: WS }, repo: WS, options: {} },
    { name: "relative repo", inputs: { repo: "models/a" }, repo: `${WS}/models/a`, options: {} },
    { name: "absolute repo", inputs: { repo: "/srv/repo" }, repo: "/srv/repo", options: {} },
    { name: "git URL and ref", inputs: { repo: "https://github.com/o/r.git", ref: "v1" }, repo: "https://github.com/o/r.git", options: { ref: "v1" } },
    { name: "subdir", inputs: { subdir: "binder" }, options: { subdir: "binder" } },
    { name: "image-name", inputs: { "image-name": "ghcr.io/o/m:v1" }, options: { imageName: "ghcr.io/o/m:v1" } },
    { name: "tags alone: the first names the build", inputs: { tags: "ghcr.io/o/m:v1,ghcr.io/o/m:latest" }, options: { imageName: "ghcr.io/o/m:v1" } },
    { name: "image-name comes before tags", inputs: { "image-name": "a/m:1", tags: "a/m:latest" }, options: { imageName: "a/m:1" } },
    { name: "push", inputs: { "image-name": "a/m:1", push: "true" }, options: { imageName: "a/m:1", push: true, run: false } },
    { name: "push False", inputs: { "image-name": "a/m:1", push: "False" }, options: { imageName: "a/m:1" } },
    {
      name: "run check",
      inputs: { "run-check": 'python -c "import r2d_greet"' },
      options: { run: true, command: ["sh", "-c", 'python -c "import r2d_greet"'] },
    },
    {
      name: "run check with push: the build runs the check and does not push",
      inputs: { "image-name": "a/m:1", push: "true", "run-check": "true" },
      options: { imageName: "a/m:1", push: false, run: true, command: ["sh", "-c", "true"] },
    },
    { name: "platforms", inputs: { platforms: "linux/amd64" }, options: { platform: "linux/amd64" } },
    { name: "build-args one per line", inputs: { "build-args": "A=1\nB=x,y\n\nC==z" }, options: { buildArgs: { A: "1", B: "x,y", C: "=z" } } },
    { name: "labels", inputs: { labels: "org.opencontainers.image.source=https://x/y\nteam=ml" }, options: { labels: { "org.opencontainers.image.source": "https://x/y", team: "ml" } } },
    {
      name: "cache specs keep their commas",
      inputs: { "cache-from": "type=registry,ref=a/m:cache\nuser/app:cache", "cache-to": "type=registry,ref=a/m:cache,mode=max" },
      options: { cacheFrom: ["type=registry,ref=a/m:cache", "user/app:cache"], cacheTo: ["type=registry,ref=a/m:cache,mode=max"] },
    },
    { name: "no-cache and pull", inputs: { "no-cache": "true", pull: "TRUE" }, options: { noCache: true, pull: true } },
    { name: "exclude and include, commas and lines", inputs: { exclude: "weights, *.ckpt\nlogs", include: "data/small.csv" }, options: { excludes: ["weights", "*.ckpt", "logs"], includes: ["data/small.csv"] } },
    { name: "base-image", inputs: { "base-image": "r2d-test/python:bookworm" }, options: { baseImage: "r2d-test/python:bookworm" } },
    { name: "gpu", inputs: { gpu: "true" }, options: { gpu: true } },
    {
      name: "gpu with a run check on a runner without GPUs: gpus none",
      inputs: { gpu: "true", gpus: "none", "run-check": "python -V" },
      options: { gpu: true, run: true, command: ["sh", "-c", "python -V"], runOptions: { gpus: "none" } },
    },
    { name: "user", inputs: { "user-id": "1000", "user-name": "jovyan" }, options: { userId: "1000", userName: "jovyan" } },
    { name: "target-repo-dir", inputs: { "target-repo-dir": "/srv/repo" }, options: { targetRepoDir: "/srv/repo" } },
    {
      name: "package indexes",
      inputs: { "pip-index-url": "http://127.0.0.1:38123/simple", "pip-extra-index-url": "https://a/simple\nhttps://b/simple", "cran-mirror": "http://127.0.0.1:38124" },
      options: { pipIndexUrl: "http://127.0.0.1:38123/simple", pipExtraIndexUrls: ["https://a/simple", "https://b/simple"], cranMirror: "http://127.0.0.1:38124" },
    },
    { name: "build-network host", inputs: { "build-network": "host" }, options: { buildNetwork: "host" } },
    { name: "build-network default adds nothing", inputs: { "build-network": "default" }, options: {} },
    { name: "engine auto", inputs: { engine: "auto" }, options: {} },
    { name: "engine buildctl", inputs: { engine: "buildctl" }, options: { engine: "buildctl" } },
    { name: "values are trimmed", inputs: { "image-name": "  a/m:1 \n", engine: " docker " }, options: { imageName: "a/m:1", engine: "docker" } },
  ];

  it.each(rows)("$name", ({ inputs, repo, options }) => {
    const read = readInputs(env(inputs), "/elsewhere");
    if (repo) expect(read.repo).toBe(repo);
    expect(toBuildOptions(read)).toEqual({ ...DEFAULTS, ...options });
  });

  it("takes the underscore names a composite step sets", () => {
    const read = readInputs({ INPUT_IMAGE_NAME: "a/m:1", INPUT_RUN_CHECK: "true", INPUT_BUILD_NETWORK: "host" }, "/w");
    expect(toBuildOptions(read)).toMatchObject({ imageName: "a/m:1", run: true, buildNetwork: "host" });
  });

  it("falls back to the current directory without GITHUB_WORKSPACE", () => {
    expect(readInputs({}, "/cwd").repo).toBe("/cwd");
    expect(readInputs({ INPUT_REPO: "sub" }, "/cwd").repo).toBe("/cwd/sub");
  });
});

describe("bad inputs", () => {
  const bad: { name: string; inputs: Record<string, string>; message: RegExp }[] = [
    { name: "a boolean that is not one", inputs: { push: "yes" }, message: /^input push: must be true or false, got "yes"/ },
    { name: "push without a name", inputs: { push: "true" }, message: /push needs an image name/ },
    { name: "two platforms", inputs: { platforms: "linux/amd64,linux/arm64" }, message: /one platform at a time/ },
    { name: "unknown engine", inputs: { engine: "podman" }, message: /input engine: must be auto, buildx, docker or buildctl/ },
    { name: "user-id not a number", inputs: { "user-id": "root" }, message: /input user-id: must be a number/ },
    { name: "build-arg without =", inputs: { "build-args": "A=1\nOOPS" }, message: /input build-args: expects NAME=VALUE/ },
    { name: "label without a name", inputs: { labels: "=x" }, message: /input labels: expects NAME=VALUE/ },
    { name: "bad image-name", inputs: { "image-name": "Upper/Case" }, message: /input image-name: "Upper\/Case" is not a valid image name/ },
    { name: "bad tag", inputs: { tags: "ok/m:1,bad name" }, message: /input tags: "bad name" is not a valid image name/ },
  ];

  it.each(bad)("rejects $name", ({ inputs, message }) => {
    const attempt = () => readInputs(env(inputs), "/w");
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });
});

describe("the action plan", () => {
  const plan = (inputs: Record<string, string>) => planAction(readInputs(env(inputs), "/w"));

  it("no push: one build, further tags given locally", () => {
    const p = plan({ tags: "a/m:1\na/m:latest\na/m:1" });
    expect(p.build.imageName).toBe("a/m:1");
    expect(p.pushes).toEqual([]);
    expect(p.localTags).toEqual(["a/m:latest"]);
  });

  it("push: the build pushes the first reference, a cached push build each further one", () => {
    const p = plan({ tags: "a/m:1,a/m:latest", push: "true", "no-cache": "true" });
    expect(p.build).toMatchObject({ imageName: "a/m:1", push: true, run: false, noCache: true });
    expect(p.pushes.map((o) => [o.imageName, o.push, o.run, o.noCache])).toEqual([["a/m:latest", true, false, false]]);
    expect(p.localTags).toEqual([]);
  });

  it("push with a run check: build and check first, then push every reference", () => {
    const p = plan({ "image-name": "a/m:1", tags: "a/m:latest", push: "true", "run-check": "pytest -q" });
    expect(p.build).toMatchObject({ imageName: "a/m:1", push: false, run: true, command: ["sh", "-c", "pytest -q"] });
    expect(p.pushes.map((o) => [o.imageName, o.push, o.run, o.command])).toEqual([
      ["a/m:1", true, false, undefined],
      ["a/m:latest", true, false, undefined],
    ]);
  });
});

describe("list and boolean parsing", () => {
  it.each([
    ["", []],
    ["a", ["a"]],
    ["a,b", ["a", "b"]],
    ["a, b ,c", ["a", "b", "c"]],
    ["a\nb\r\nc", ["a", "b", "c"]],
    ["a,b\nc", ["a", "b", "c"]],
    ["a,,b,\n\n", ["a", "b"]],
    ["# a comment\na", ["a"]],
    ['"x,y",z', ["x,y", "z"]],
  ])("list %j", (value, expected) => {
    expect(parseList(value)).toEqual(expected);
  });

  it("one item per line when commas belong to items", () => {
    expect(parseList("type=local,src=/a\n  type=gha  \n", { commas: false })).toEqual(["type=local,src=/a", "type=gha"]);
  });

  it.each([
    ["true", true],
    ["True", true],
    ["TRUE", true],
    ["false", false],
    ["False", false],
    ["FALSE", false],
  ])("boolean %s", (value, expected) => {
    expect(parseBoolean(value, "push")).toBe(expected);
  });

  it("boolean: empty is the default, anything else an error", () => {
    expect(parseBoolean("", "push")).toBe(false);
    expect(parseBoolean("", "push", true)).toBe(true);
    for (const v of ["1", "yes", "on", "tRuE"]) expect(() => parseBoolean(v, "push")).toThrow(/input push: must be true or false/);
  });

  it("pairs: later wins, values keep = and spaces", () => {
    expect(parsePairs(["A=1", "A=2", "B= x=y "], "build-args")).toEqual({ A: "2", B: " x=y " });
  });

  it("getInput: upper-cased name, hyphen or underscore, trimmed", () => {
    expect(getInput({ "INPUT_IMAGE-NAME": " a " }, "image-name")).toBe("a");
    expect(getInput({ INPUT_IMAGE_NAME: "b" }, "image-name")).toBe("b");
    expect(getInput({ "INPUT_IMAGE-NAME": "a", INPUT_IMAGE_NAME: "b" }, "image-name")).toBe("a");
    expect(getInput({}, "image-name")).toBe("");
  });
});

describe("secrets to mask", () => {
  it("the password of the pip index URL, raw and percent-decoded", () => {
    const s = secretValues(env({ "pip-index-url": "https://__token__:p%40ss%2Fw0rd@pypi.example.org/simple" }));
    expect(s).toEqual(["p%40ss%2Fw0rd", "p@ss/w0rd"]);
  });

  it("a token standing alone as the user of a URL, but not git@", () => {
    expect(secretValues(env({ repo: "https://ghp_abc123@github.com/o/r.git" }))).toEqual(["ghp_abc123"]);
    expect(secretValues(env({ repo: "ssh://git@github.com/o/r.git" }))).toEqual([]);
  });

  it("URLs anywhere in an input: extra indexes, CRAN mirror", () => {
    const s = secretValues(env({ "pip-extra-index-url": "https://u:one@a/simple\nhttps://u:two@b/simple", "cran-mirror": "https://u:three@cran.example.org" }));
    expect(s.sort()).toEqual(["one", "three", "two"]);
  });

  it("values of secret-looking NAME=VALUE items, not of others", () => {
    const s = secretValues(
      env({
        "build-args": "HF_TOKEN=hf_abcdef\nPYTHON_VERSION=3.11\nDB_PASSWORD=hunter22",
        labels: "org.opencontainers.image.authors=Jane\napi_key=k-123",
        "cache-to": "type=s3,region=eu,bucket=b,access_key_id=AKIA0001,secret_access_key=sEcReT",
      }),
    );
    expect(s.sort()).toEqual(["AKIA0001", "hf_abcdef", "hunter22", "k-123", "sEcReT"].sort());
  });

  it("the whole value of an input whose name looks secret", () => {
    expect(secretValues({ "INPUT_GITHUB-TOKEN": " ghs_xyz ", INPUT_NAME: "public" })).toEqual(["ghs_xyz"]);
  });

  it("nothing for plain inputs, and never an empty string", () => {
    expect(secretValues(env({ "pip-index-url": "http://127.0.0.1:38123/simple", "build-args": "TOKEN=", "image-name": "a/m:1" }))).toEqual([]);
  });
});
