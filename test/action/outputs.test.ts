import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { BuildRepoResult } from "../../src/build-repo.js";
import type { BuildPlan } from "../../src/plan/types.js";
import {
  actionOutputs,
  escapeData,
  formatOutput,
  maskCommands,
  metadataOf,
  orderSteps,
  parseOutputFile,
  renderSummary,
  workflowCommand,
  writeOutputs,
  writeSummary,
  type ActionOutcome,
} from "../../src/action/outputs.js";
import { inActionTerms, runAction } from "../../src/action/run.js";
import { TempFiles } from "../helpers/repo.js";

const temp = new TempFiles();
afterAll(() => temp.cleanup());
const tmp = () => temp.dir("r2d-action-test-");

function result(over: Partial<BuildRepoResult> = {}): BuildRepoResult {
  const plan = { buildpack: "python", python: "3.11", r: null, baseImage: "r2d-test/python:bookworm" } as unknown as BuildPlan;
  const facts = { root: "/repo", configDir: "", files: {}, ignored: [], suspicious: [], credentials: [] };
  return {
    facts,
    plan,
    dockerfile: "FROM x\n",
    imageName: "r2d-demo:latest",
    imageId: "sha256:1111",
    metadata: {},
    imageSize: 123_456_789,
    context: {
      fileCount: 3,
      bytes: 2048,
      summary: "sent 3 files, 2.0 kB; left out: data/ (data directory)",
      excluded: [
        { path: "data", reason: "data", kind: "dir" },
        { path: ".git", reason: "git", kind: "dir" },
        { path: "weights.ckpt", reason: "exclude", detail: "*.ckpt", kind: "file" },
        { path: "a|b.txt", reason: "dockerignore", detail: "a|b.txt (.dockerignore)", kind: "file" },
      ],
    },
    build: {
      durationMs: 12_345,
      steps: [
        { name: "[internal] load build definition from Dockerfile", status: "done", durationMs: 100 },
        { name: "[2/5] RUN --mount=type=secret,id=pip pip install -r requirements.txt", status: "done", durationMs: 8_000 },
        { name: "[3/5] COPY src/ /home/jovyan", status: "cached" },
      ],
    },
    engine: { kind: "docker", client: "/usr/bin/docker", reason: "classic client" },
    ...over,
  };
}

describe("workflow commands", () => {
  it("escapes %, CR and LF in messages, and : , in properties", () => {
    expect(escapeData("100% done\r\nnext")).toBe("100%25 done%0D%0Anext");
    expect(workflowCommand("error", "a\nb", { title: "r2d: x,y" })).toBe("::error title=r2d%3A x%2Cy::a%0Ab\n");
    expect(workflowCommand("endgroup", "")).toBe("::endgroup::\n");
  });

  it("masks each secret once, line by line", () => {
    expect(maskCommands(["s3cret", "s3cret", "multi\nline", " "])).toBe("::add-mask::s3cret\n::add-mask::multi\n::add-mask::line\n");
    expect(maskCommands(["50%off"])).toBe("::add-mask::50%25off\n");
  });
});

describe("GITHUB_OUTPUT", () => {
  it("writes name<<DELIMITER blocks", () => {
    expect(formatOutput("imageid", "sha256:1", "EOF_1")).toBe("imageid<<EOF_1\nsha256:1\nEOF_1\n");
    expect(formatOutput("empty", "", "D")).toBe("empty<<D\n\nD\n");
  });

  it("a random delimiter each time, never one inside the value", () => {
    const a = formatOutput("x", "1");
    const b = formatOutput("x", "1");
    expect(a).toMatch(/^x<<ghadelimiter_[0-9a-f-]{36}\n1\nghadelimiter_[0-9a-f-]{36}\n$/);
    expect(a).not.toBe(b);
    expect(() => formatOutput("x", "line\nD\nmore", "D")).toThrow(/contains the delimiter/);
  });

  it("multi-line metadata survives the round trip", async () => {
    const dir = await tmp();
    const file = path.join(dir, "output");
    writeFileSync(file, "earlier=1\n");
    const outputs = actionOutputs({ result: result(), refs: ["r2d-demo:latest"] });
    expect(outputs.metadata?.split("\n").length).toBeGreaterThan(3);
    writeOutputs(file, outputs);
    const back = parseOutputFile(readFileSync(file, "utf8"));
    expect(back).toEqual({ earlier: "1", ...outputs });
    expect(JSON.parse(back.metadata ?? "")).toMatchObject({ "image.name": "r2d-demo:latest", "r2d.buildpack": "python" });
  });

  it("writes nothing without GITHUB_OUTPUT", () => {
    expect(writeOutputs(undefined, { a: "1" })).toBe("");
  });
});

describe("outputs of a build", () => {
  it("every output of action.yml", () => {
    expect(actionOutputs({ result: result(), refs: ["r2d-demo:latest"] })).toEqual({
      imageid: "sha256:1111",
      digest: "",
      metadata: expect.any(String),
      "image-name": "r2d-demo:latest",
      buildpack: "python",
      "context-bytes": "2048",
      "context-files": "3",
      "image-size": "123456789",
      grade: "",
    });
  });

  it("metadata: the engine's keys win; missing ones are filled in", () => {
    const buildx = { "containerimage.digest": "sha256:d1", "image.name": "a/m:1,a/m:latest", "buildx.build.ref": "b/x" };
    const md = metadataOf({ result: result({ metadata: buildx }), refs: ["a/m:1"], digest: "sha256:other" });
    expect(md).toMatchObject({ ...buildx, "containerimage.config.digest": "sha256:1111", "r2d.engine": "docker", "r2d.context": { files: 3, bytes: 2048 } });
    const classic = metadataOf({ result: result(), refs: ["a/m:1", "a/m:2"], digest: "sha256:d2" });
    expect(classic).toMatchObject({ "image.name": "a/m:1,a/m:2", "containerimage.digest": "sha256:d2", "r2d.image-size": 123_456_789 });
  });

  it("metadata of the push build when there was one", () => {
    const md = metadataOf({ result: result({ metadata: { from: "build" } }), refs: ["a"], metadata: { from: "push" } });
    expect(md.from).toBe("push");
  });
});

describe("step summary", () => {
  const o: ActionOutcome = { result: result(), refs: ["r2d-demo:latest"], check: { command: 'python -c "import x"', exitCode: 0, stdout: "", stderr: "" } };
  const md = renderSummary(o);

  it("has the buildpack, size, context, check and timings", () => {
    expect(md).toContain("| Buildpack | python (Python 3.11) |");
    expect(md).toContain("| Image size | 123 MB |");
    expect(md).toContain("| Build context | 3 files, 2.0 kB |");
    expect(md).toContain("| Build time | 12.3 s |");
    expect(md).toContain('| Run check | ✅ passed: `python -c "import x"` |');
    expect(md).toContain("| `[2/5] RUN pip install -r requirements.txt` | done | 8.0 s |");
    expect(md).toContain("| `[3/5] COPY src/ /home/jovyan` | cached |  |");
  });

  it("lists what was left out of the context, pipes escaped", () => {
    expect(md).toContain("| `data/` | data directory (use `include` to send it) |");
    expect(md).toContain("| `.git/` | version control |");
    expect(md).toContain("| `weights.ckpt` | `exclude` input; `*.ckpt` |");
    expect(md).toContain("| `a\\|b.txt` | .dockerignore; `a\\|b.txt (.dockerignore)` |");
  });

  it("lists steps in Dockerfile order, internal steps first, exporting last", () => {
    const steps = [
      { name: "[internal] load build definition", status: "done" as const },
      { name: "[stage-0 1/3] FROM base", status: "done" as const },
      { name: "[stage-0 3/3] COPY src/ /home/jovyan", status: "done" as const },
      { name: "[stage-0 2/3] RUN pip install x", status: "done" as const },
      { name: "[internal] settings cache mount permissions", status: "cached" as const },
      { name: "exporting to image", status: "done" as const },
    ];
    expect(orderSteps(steps).map((s) => s.name)).toEqual([
      "[internal] load build definition",
      "[internal] settings cache mount permissions",
      "[stage-0 1/3] FROM base",
      "[stage-0 2/3] RUN pip install x",
      "[stage-0 3/3] COPY src/ /home/jovyan",
      "exporting to image",
    ]);
  });

  it("no language version when another base image replaced the buildpack's", () => {
    const r = result();
    const md2 = renderSummary({ result: { ...r, plan: { ...r.plan, baseImageOverridden: true } }, refs: [] });
    expect(md2).toContain("| Buildpack | python |");
  });

  it("says when nothing was left out, and when the check failed", () => {
    const r = result();
    const md2 = renderSummary({ result: { ...r, context: { ...r.context!, excluded: [] } }, refs: [], check: { command: "false", exitCode: 3, stdout: "", stderr: "" } });
    expect(md2).toContain("Nothing: the whole repository was sent.");
    expect(md2).toContain("❌ failed (exit code 3)");
  });

  it("appends to GITHUB_STEP_SUMMARY", async () => {
    const file = path.join(await tmp(), "summary.md");
    writeFileSync(file, "before\n");
    writeSummary(file, md);
    expect(readFileSync(file, "utf8")).toBe(`before\n${md}`);
  });
});

describe("runAction without an engine", () => {
  it("masks secrets before reporting a bad input, fails with ::error:: and a summary", async () => {
    const dir = await tmp();
    const summary = path.join(dir, "summary.md");
    const output = path.join(dir, "output");
    let log = "";
    const code = await runAction(
      {
        "INPUT_PIP-INDEX-URL": "https://user:hunter22@pypi.example.org/simple",
        INPUT_PUSH: "hunter22",
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_OUTPUT: output,
      },
      { write: (s) => void (log += s), cwd: dir },
    );
    expect(code).toBe(1);
    const lines = log.split("\n");
    expect(lines[0]).toBe("::add-mask::hunter22");
    expect(log).toMatch(/^::error title=r2d::input push: must be true or false, got "hunter22"$/m);
    expect(readFileSync(summary, "utf8")).toContain("r2d: build failed");
  });

  it("a repository that does not exist fails the step", async () => {
    const dir = await tmp();
    let log = "";
    const code = await runAction({ INPUT_REPO: "missing", GITHUB_WORKSPACE: dir }, { write: (s) => void (log += s), cwd: dir });
    expect(code).toBe(1);
    expect(log).toMatch(/^::error/m);
  });
});

describe("messages in the action's terms", () => {
  it.each([
    ["r2d runs as root; pass --user-id/--user-name to choose", "r2d runs as root; pass user-id/user-name to choose"],
    ['--user-name: --user-name "X" is not valid', 'user-name: user-name "X" is not valid'],
    ["left out: x (--exclude)", "left out: x (exclude)"],
    ["add --no-run, or --debug", "add --no-run, or --debug"],
  ])("%s", (cli, action) => {
    expect(inActionTerms(cli)).toBe(action);
  });
});
