/**
 * The GitHub Action as a runner runs it: `node dist/action/main.js` with INPUT_* variables and
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, against the real engine of test/infra.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOutputFile } from "../../src/action/outputs.js";
import { loadInfra, REPO_ROOT, type Infra } from "../helpers/infra.js";
import { tmpRepo, writeTree } from "../helpers/repo.js";
import { startFakeRegistry, type FakeRegistry } from "./fake-registry.js";

const IMAGE = "r2d-action-itg:latest";
const EXTRA_TAG = "r2d-action-itg:extra";
const PASSWORD = "s3cret-Pa55word";
const MAIN = path.join(REPO_ROOT, "dist/action/main.js");

let infra: Infra;
let work: string;
let repo: string;
let removeWork: (() => Promise<void>) | undefined;
const cleanupTags: string[] = [];

beforeAll(async () => {
  infra = await loadInfra();
  // The entry point runs from dist/, as in the action; compile it from the current sources.
  const tsc = await execa("npx", ["tsc", "-p", "."], { cwd: REPO_ROOT, reject: false, all: true });
  const actionErrors = String(tsc.all ?? "").split("\n").filter((l) => l.startsWith("src/action/"));
  if (tsc.exitCode !== 0 && (actionErrors.length > 0 || !existsSync(MAIN))) throw new Error(`npx tsc -p . failed:\n${tsc.all}`);

  // The workspace holds the repository and, next to it, one folder per run for its output files.
  const made = await tmpRepo({ "requirements.txt": `${infra.pyPkg}\n`, "hello.py": `import ${infra.pyPkgModule}\n`, "data/big.csv": "x\n".repeat(10_000) }, "r2d-action-itg-");
  repo = made.root;
  work = path.dirname(repo);
  removeWork = made.cleanup;
});

afterAll(async () => {
  if (infra) await execa(infra.docker, ["rmi", "-f", IMAGE, EXTRA_TAG, ...cleanupTags], { reject: false });
  await removeWork?.();
});

interface ActionRun {
  exitCode: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Runs the entry point with these inputs, in an environment like a runner's (no stray INPUT_*). */
async function runAction(inputs: Record<string, string>, name: string): Promise<ActionRun> {
  const dir = path.join(work, name);
  await mkdir(dir);
  const outputFile = path.join(dir, "output");
  const summaryFile = path.join(dir, "summary.md");
  await writeFile(outputFile, "");
  await writeFile(summaryFile, "");
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("INPUT_") && !k.startsWith("GITHUB_")) env[k] = v;
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  Object.assign(env, {
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: work,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    R2D_DOCKER: infra.docker,
  });
  const r = await execa("node", [MAIN], { cwd: work, env, extendEnv: false, reject: false, stdin: "ignore" });
  return {
    exitCode: r.exitCode ?? -1,
    stdout: `${r.stdout}\n${r.stderr}`,
    outputs: parseOutputFile(await readFile(outputFile, "utf8")),
    summary: await readFile(summaryFile, "utf8"),
  };
}

function inputs(runCheck: string): Record<string, string> {
  const index = new URL(infra.pipIndex);
  index.username = "ci";
  index.password = PASSWORD; // the local index ignores it; the action must mask it
  return {
    repo: "repo", // relative to GITHUB_WORKSPACE
    "image-name": IMAGE,
    tags: EXTRA_TAG,
    "base-image": infra.basePython,
    "build-network": "host",
    "pip-index-url": index.toString(),
    "run-check": runCheck,
  };
}

describe("the action's entry point against the real engine", () => {
  let run: ActionRun;

  beforeAll(async () => {
    run = await runAction(inputs(`python -c "import ${infra.pyPkgModule}; print('check ok')"`), "pass");
  });

  it("succeeds and prints the run check's output", () => {
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toContain("check ok");
    expect(run.stdout).not.toMatch(/^::error/m);
  });

  it("masks the index password first, and never prints it otherwise", () => {
    expect(run.stdout.split("\n")[0]).toBe(`::add-mask::${PASSWORD}`);
    expect(run.stdout.split(PASSWORD).length - 1).toBe(1);
  });

  it("writes imageid, metadata, buildpack and context outputs", async () => {
    const o = run.outputs;
    const id = (await execa(infra.docker, ["image", "inspect", "-f", "{{.Id}}", IMAGE])).stdout.trim();
    expect(o.imageid).toBe(id);
    expect(o.digest).toBe(""); // not pushed
    expect(o.buildpack).toBe("python");
    expect(o["image-name"]).toBe(IMAGE);
    // requirements.txt and hello.py; data/ stays out.
    const sent = `${infra.pyPkg}\n`.length + `import ${infra.pyPkgModule}\n`.length;
    expect(o["context-bytes"]).toBe(String(sent));
    expect(o["context-files"]).toBe("2");
    expect(Number(o["image-size"])).toBeGreaterThan(10_000_000);
    const metadata = JSON.parse(o.metadata ?? "") as Record<string, unknown>;
    expect(o.metadata).toContain("\n"); // multi-line, through the heredoc format
    expect(metadata).toMatchObject({
      "image.name": `${IMAGE},${EXTRA_TAG}`,
      "containerimage.config.digest": id,
      "r2d.buildpack": "python",
      "r2d.context": { files: 2, bytes: sent },
    });
  });

  it("gives the image its further tags", async () => {
    const extra = (await execa(infra.docker, ["image", "inspect", "-f", "{{.Id}}", EXTRA_TAG])).stdout.trim();
    expect(extra).toBe(run.outputs.imageid);
  });

  it("installed the package from the index in the image", async () => {
    const r = await execa(infra.docker, ["run", "--rm", IMAGE, "python", "-c", `import ${infra.pyPkgModule} as m; print(m.__name__)`]);
    expect(r.stdout.trim()).toBe(infra.pyPkgModule);
  });

  it("writes the build summary", () => {
    const s = run.summary;
    expect(s).toContain(`### r2d: \`${IMAGE}\``);
    expect(s).toContain("| Buildpack | python |"); // no Python version: base-image replaced the buildpack's
    expect(s).toContain(`| Base image | \`${infra.basePython}\` |`);
    expect(s).toMatch(/\| Image size \| [\d.]+ MB \|/);
    expect(s).toContain("| Build context | 2 files,");
    expect(s).toContain("| `data/` | data directory");
    expect(s).toContain("| Run check | ✅ passed");
    expect(s).toMatch(/\| `\[[\w-]+ \d+\/\d+\] RUN .*pip install.*` \| (done|cached) \|/);
    expect(s).toMatch(/\| `exporting to image` \| done \| [\d.]+ s \|\n\n<\/details>/);
    expect(s).not.toContain(PASSWORD);
  });

  it("a failing run check fails the step, with outputs and summary still written", async () => {
    const failed = await runAction(inputs("python -c 'import no_such_module_r2d'"), "fail");
    expect(failed.exitCode, failed.stdout).toBe(1);
    expect(failed.stdout).toMatch(/^::error title=r2d run check::the run check failed with exit code 1: /m);
    expect(failed.stdout).toContain("No module named 'no_such_module_r2d'");
    expect(failed.outputs.imageid).toBe(run.outputs.imageid); // same image, from the cache
    expect(failed.summary).toContain("❌ failed (exit code 1)");
  });
});

describe("a build that fails", () => {
  it("a failing build fails the step with ::error:: and the builder's output", async () => {
    await writeTree(path.join(work, "broken"), { "requirements.txt": "r2d-package-that-does-not-exist\n" });
    const failed = await runAction({ repo: "broken", "image-name": "r2d-action-itg:broken", "base-image": infra.basePython, "build-network": "host", "pip-index-url": infra.pipIndex }, "broken-build");
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toMatch(/^::error title=r2d::/m);
    expect(failed.stdout).toContain("r2d-package-that-does-not-exist");
    expect(failed.summary).toContain("r2d: build failed");
    expect(failed.outputs).toEqual({});
  });
});

describe("pushing, with a run check first", () => {
  let registry: FakeRegistry;

  beforeAll(async () => {
    registry = await startFakeRegistry();
  });

  afterAll(async () => {
    await registry?.close();
  });

  it("checks, then pushes every reference, and outputs the digest", async () => {
    const first = `${registry.host}/r2d/action-itg:1`;
    const latest = `${registry.host}/r2d/action-itg:latest`;
    cleanupTags.push(first, latest);
    const run = await runAction({ ...inputs(`python -c "import ${infra.pyPkgModule}"`), "image-name": first, tags: latest, push: "true" }, "push");
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout.indexOf("::group::r2d: run check (exit code 0)")).toBeLessThan(run.stdout.indexOf(`::group::r2d: push ${first}`));
    expect(registry.pushed.map((p) => p.ref)).toEqual(["r2d/action-itg:1", "r2d/action-itg:latest"]);
    const digest = registry.pushed[0]!.digest;
    expect(run.outputs.digest).toBe(digest);
    expect(JSON.parse(run.outputs.metadata ?? "")).toMatchObject({ "containerimage.digest": digest, "image.name": `${first},${latest}` });
    expect(run.summary).toContain(`| Digest | \`${digest}\` |`);
  });

  it("pushes nothing when the check fails", async () => {
    const before = registry.pushed.length;
    const ref = `${registry.host}/r2d/action-itg:failed`;
    cleanupTags.push(ref);
    const run = await runAction({ ...inputs("exit 3"), "image-name": ref, tags: "", push: "true" }, "push-fail");
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^::error title=r2d run check::the run check failed with exit code 3: exit 3 \(nothing was pushed\)$/m);
    expect(registry.pushed.length).toBe(before);
    expect(run.outputs.digest).toBe("");
  });
});
