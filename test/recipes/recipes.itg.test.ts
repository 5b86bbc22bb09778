/**
 * Every recipe of docs/recipes/ runs as written: its ```sh blocks, in order, in one bash session
 * (a `cd` or a variable carries to the next block), in a copy of the example workspace under
 * test/recipes/workspaces/<recipe>/, against the real engine. What the machines lack is given
 * through r2d's documented environment variables, never by editing the commands:
 *
 *   R2D_BASE_IMAGE     the local Python base image (no Docker Hub here)
 *   R2D_PIP_INDEX_URL  the local pip index (no PyPI)
 *   R2D_BUILD_NETWORK  host, so build steps reach that index on 127.0.0.1
 *
 * Blocks fenced as ```sh skip are shown to readers and not run (a step another test covers, such
 * as `r2d freeze`, which writes into the repository).
 *
 * `r2d` on the PATH is the compiled CLI and `docker` the engine's client. One substitution is
 * textual: a registry host in the recipe (docker.synapse.org) becomes a registry this test starts.
 * Then each recipe's results are checked: the files its runs wrote, the grade, the push.
 */
import { cp, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeRegistry, type FakeRegistry } from "../action/fake-registry.js";
import { loadInfra, REPO_ROOT, type Infra } from "../helpers/infra.js";
import { TempFiles } from "../helpers/repo.js";
import { CLI, compileCli } from "../integration/helpers.js";

const WORKSPACES = fileURLToPath(new URL("./workspaces/", import.meta.url));
const temp = new TempFiles();
let infra: Infra;
let registry: FakeRegistry;
let bin: string;
const images = new Set<string>();

beforeAll(async () => {
  infra = await loadInfra();
  await compileCli();
  registry = await startFakeRegistry();
  bin = await temp.dir("r2d-recipe-bin-");
  await writeFile(path.join(bin, "r2d"), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`, { mode: 0o755 });
  await symlink(infra.docker, path.join(bin, "docker"));
});
afterAll(async () => {
  if (images.size) await execa(infra.docker, ["image", "rm", "--force", ...images], { reject: false });
  await registry?.close();
  await temp.cleanup();
});

/** The ```sh blocks of a Markdown file, in order. */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

interface RecipeRun {
  dir: string;
  exitCode: number;
  output: string;
}

/** Runs a recipe's blocks in a fresh copy of its workspace. */
async function runRecipe(name: string): Promise<RecipeRun> {
  const markdown = await readFile(path.join(REPO_ROOT, "docs/recipes", `${name}.md`), "utf8");
  const script = shellBlocks(markdown).join("\n").replaceAll("docker.synapse.org", registry.host);
  expect(script.trim(), `docs/recipes/${name}.md has no sh block`).not.toBe("");
  for (const m of script.matchAll(/--image-name\s+(\S+)/g)) images.add(m[1]!);
  const dir = path.join(await temp.dir(`r2d-recipe-${name}-`), "workspace");
  await mkdir(dir);
  await cp(path.join(WORKSPACES, name), dir, { recursive: true });
  const env = {
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    R2D_BASE_IMAGE: infra.basePython,
    R2D_PIP_INDEX_URL: infra.pipIndex,
    R2D_BUILD_NETWORK: "host",
  };
  const r = await execa("bash", ["-euo", "pipefail", "-c", script], { cwd: dir, env, reject: false, all: true, stdin: "ignore" });
  return { dir, exitCode: r.exitCode ?? -1, output: String(r.all ?? "") };
}

describe("docs/recipes run as written", () => {
  it("synapse: grades the model like Synapse (inputs and expected outputs), then pushes it", async () => {
    const r = await runRecipe("synapse");
    expect(r.exitCode, r.output).toBe(0);
    expect(r.output).toMatch(/r2d grade \(synapse\): PASSED/);
    expect(r.output).toMatch(/pass +expected-outputs/);
    expect(registry.pushed.map((p) => p.ref)).toContain("syn12345/my-model:v1");
  });

  it("crowdai: builds as crowdai (uid 1001), passes the grader, and the guide's docker run writes its output", async () => {
    const r = await runRecipe("crowdai");
    expect(r.exitCode, r.output).toBe(0);
    expect(r.output).toMatch(/r2d grade \(crowdai\): PASSED/);
    expect(r.output).not.toContain("PermissionError");
    expect(await readFile(path.join(r.dir, "starter-kit/out/output.csv"), "utf8")).toBe("track,genre\n001.txt,electric\n002.txt,strings\n");
  });

  it("course: a train and a predict image from one repository with shared code; each runs its own default command", async () => {
    const r = await runRecipe("course");
    expect(r.exitCode, r.output).toBe(0);
    expect(r.output).toContain("trained on 6 values");
    expect(await readFile(path.join(r.dir, "mlops/models/model.txt"), "utf8")).toBe("3.5\n");
    expect(await readFile(path.join(r.dir, "mlops/predictions/predictions.csv"), "utf8")).toBe("value,above_mean\n2.0,False\n5.0,True\n");
    const cmd = async (image: string) => (await execa(infra.docker, ["image", "inspect", "--format", "{{json .Config.Cmd}}", image])).stdout;
    expect(await cmd("course/train:v1")).toBe('["python","-u","src/train.py"]');
    expect(await cmd("course/predict:v1")).toBe('["python","-u","src/predict.py"]');
  });

  it("cresset: runtime and dev images from dependencies/, a job with code, data and output mounts; freeze is shown, not run", async () => {
    const r = await runRecipe("cresset");
    expect(r.exitCode, r.output).toBe(0);
    const blocks = shellBlocks(await readFile(path.join(REPO_ROOT, "docs/recipes/cresset.md"), "utf8")).join("\n");
    expect(blocks).toContain("--target dev");
    expect(blocks).not.toContain("r2d freeze");
    const report = await readFile(path.join(r.dir, "outputs/report.txt"), "utf8");
    // postBuild wrote into the environment; data/ was mounted; the sdist was compiled in the builder, and the image has no gcc.
    expect(report).toContain("epochs=2\nn=3\njq: /usr/bin/jq\ngcc: None\n");
    const inDev = await execa(infra.docker, ["run", "--rm", "project:dev", "bash", "-c", "command -v strace && python -c 'import r2d_greet, r2d_cext'"], { reject: false });
    expect(inDev.exitCode, inDev.stderr).toBe(0);
    const inRuntime = await execa(infra.docker, ["run", "--rm", "project:runtime", "bash", "-c", "command -v strace || echo none"]);
    expect(inRuntime.stdout.trim()).toBe("none");
  });

  it("modzy: the whole container contract passes under model.yaml's limits", async () => {
    const r = await runRecipe("modzy");
    expect(r.exitCode, r.output).toBe(0);
    expect(r.output).toMatch(/r2d grade \(modzy\): PASSED/);
  });
});
