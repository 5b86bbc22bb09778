/**
 * The action as a release ref runs it: tracked files plus the compiled dist/, set up by action.yml's
 * own install step (runtime dependencies only), then a build graded by the synapse grader against
 * the real engine, its package index given as a secret file.
 */
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseOutputFile } from "../../src/action/outputs.js";
import { loadInfra, REPO_ROOT, type Infra } from "../helpers/infra.js";
import { tmpRepo } from "../helpers/repo.js";

const IMAGE = "r2d-action-grader-itg:1";
const PASSWORD = "gr4der-Index-Pa55";

let infra: Infra;
let root: string;
let removeRoot: (() => Promise<void>) | undefined;
let actionDir: string;
let workspace: string;

/** action.yml's install step, as the runner runs it. */
async function installStep(): Promise<string> {
  const action = parse(await readFile(path.join(REPO_ROOT, "action.yml"), "utf8")) as { runs: { steps: { run: string }[] } };
  return action.runs.steps[0]!.run;
}

beforeAll(async () => {
  infra = await loadInfra();
  await execa("npx", ["tsc", "-p", "."], { cwd: REPO_ROOT });
  const made = await tmpRepo({}, "r2d-action-release-");
  root = made.root;
  removeRoot = made.cleanup;
  // A release ref: the tracked files and dist/, no node_modules.
  actionDir = path.join(root, "action");
  const files = (await execa("git", ["ls-files", "-z"], { cwd: REPO_ROOT })).stdout.split("\0").filter((f) => f && existsSync(path.join(REPO_ROOT, f)));
  for (const f of files) {
    await mkdir(path.dirname(path.join(actionDir, f)), { recursive: true });
    await cp(path.join(REPO_ROOT, f), path.join(actionDir, f));
  }
  await cp(path.join(REPO_ROOT, "dist"), path.join(actionDir, "dist"), { recursive: true });
  // The npm cache already holds the packages; the registry is asked only when it does not.
  await execa("bash", ["-c", await installStep()], { cwd: actionDir, env: { npm_config_prefer_offline: "true", GITHUB_ACTION_PATH: actionDir }, timeout: 300_000 });

  workspace = path.join(root, "ws");
  await cp(path.join(REPO_ROOT, "test/grader/repos/synapse-ok"), path.join(workspace, "model"), { recursive: true });
  const index = new URL(infra.pipIndex);
  index.username = "ci";
  index.password = PASSWORD; // the local index ignores it; it must never be printed or kept
  await writeFile(path.join(workspace, "pip.conf"), `[global]\nindex-url = ${index.toString()}\n`, { mode: 0o600 });
  await mkdir(path.join(workspace, "wrong"));
  await writeFile(path.join(workspace, "wrong/predictions.csv"), "file,count,sum\n");
}, 600_000);

afterAll(async () => {
  if (infra) await execa(infra.docker, ["rmi", "-f", IMAGE], { reject: false });
  await removeRoot?.();
});

async function runAction(inputs: Record<string, string>, name: string) {
  const dir = path.join(root, name);
  await mkdir(dir);
  const outputFile = path.join(dir, "output");
  const summaryFile = path.join(dir, "summary.md");
  await writeFile(outputFile, "");
  await writeFile(summaryFile, "");
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("INPUT_") && !k.startsWith("GITHUB_")) env[k] = v;
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase().replace(/-/g, "_")}`] = v;
  Object.assign(env, { GITHUB_WORKSPACE: workspace, GITHUB_ACTION_PATH: actionDir, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, R2D_DOCKER: infra.docker });
  const r = await execa("node", [path.join(actionDir, "dist/action/main.js")], { cwd: workspace, env, extendEnv: false, reject: false, stdin: "ignore" });
  return { exitCode: r.exitCode, stdout: `${r.stdout}\n${r.stderr}`, outputs: parseOutputFile(await readFile(outputFile, "utf8")), summary: await readFile(summaryFile, "utf8") };
}

const graderInputs = (expected: string) => ({
  repo: "model",
  "image-name": IMAGE,
  "base-image": infra.basePython,
  "build-network": "host",
  "secret-files": "r2d-pip-conf=pip.conf",
  grader: "synapse",
  "grader-input": "model/sample_data",
  "grader-expected": expected,
  memory: "256m",
  cpus: "1",
  timeout: "2m",
});

describe("the action from a release ref", () => {
  it("its set-up installed the runtime dependencies only", () => {
    const modules = path.join(actionDir, "node_modules");
    expect(existsSync(path.join(modules, "commander"))).toBe(true);
    expect(existsSync(path.join(modules, "typescript"))).toBe(false);
    expect(existsSync(path.join(modules, "vitest"))).toBe(false);
  });

  it("builds with the index from a secret file and grades the image: passed", async () => {
    const run = await runAction(graderInputs("model/sample_output"), "pass");
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toContain("r2d grade (synapse): PASSED");
    expect(run.stdout).toContain("user jovyan (uid 1000)");
    expect(run.outputs.grade).toBe("passed");
    expect(JSON.parse(run.outputs.metadata ?? "{}")).toMatchObject({ "r2d.grade": { profile: "synapse", passed: true, failed: [] } });
    expect(run.summary).toMatch(/\| Grader \| ✅ passed \(synapse, \d+ checks\) \|/);
    for (const text of [run.stdout, run.summary, JSON.stringify(run.outputs)]) expect(text).not.toContain(PASSWORD);
    const history = await execa(infra.docker, ["history", "--no-trunc", "--format", "{{.CreatedBy}}", IMAGE]);
    expect(history.stdout).not.toContain(PASSWORD);
    const inImage = await execa(infra.docker, ["run", "--rm", "--entrypoint", "sh", IMAGE, "-c", `grep -rs ${PASSWORD} /etc /home /tmp /root /run || true`]);
    expect(inImage.stdout).toBe("");
  }, 600_000);

  it("fails the step when a check fails, naming it, with the outputs still written", async () => {
    const run = await runAction(graderInputs("wrong"), "fail");
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^::error title=r2d grader::the synapse grader failed: expected-outputs$/m);
    expect(run.outputs.grade).toBe("failed");
    expect(run.summary).toContain("❌ failed: `expected-outputs`");
  }, 600_000);
});
