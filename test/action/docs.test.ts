/**
 * action.yml, the entry point's inputs and docs/action.md tell the same story.
 * R2D_UPDATE_DOCS=1 rewrites the generated tables of docs/action.md.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { INPUT_NAMES } from "../../src/action/inputs.js";
import { actionOutputs } from "../../src/action/outputs.js";
import type { BuildRepoResult } from "../../src/build-repo.js";
import { INPUT_ROWS, inputDefault, inputDescription } from "../../src/options/index.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DOC = path.join(ROOT, "docs/action.md");

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: { id?: string; run: string; env?: Record<string, string>; "working-directory"?: string }[] };
}

const action = parse(readFileSync(path.join(ROOT, "action.yml"), "utf8")) as ActionYml;

const md = (s: string) => s.replace(/\|/g, "\\|").replace(/</g, "&lt;");

function inputsTable(a: ActionYml): string {
  const rows = Object.entries(a.inputs).map(([name, i]) => `| \`${name}\` | ${i.default ? `\`${md(i.default)}\`` : ""} | ${md(i.description)} |`);
  return ["| Input | Default | Description |", "|---|---|---|", ...rows].join("\n");
}

function outputsTable(a: ActionYml): string {
  const rows = Object.entries(a.outputs).map(([name, o]) => `| \`${name}\` | ${md(o.description)} |`);
  return ["| Output | Description |", "|---|---|", ...rows].join("\n");
}

/** Replaces what is between `<!-- NAME:start ... -->` and `<!-- NAME:end -->`. */
function section(doc: string, name: string, body?: string): string {
  const re = new RegExp(`(<!-- ${name}:start[^>]*-->\\n)([\\s\\S]*?)(<!-- ${name}:end -->)`);
  const m = re.exec(doc);
  if (!m) throw new Error(`docs/action.md has no ${name} section`);
  return body === undefined ? (m[2] ?? "").trimEnd() : doc.replace(re, `$1${body}\n$3`);
}

describe("action.yml", () => {
  it("is a composite action that installs r2d's runtime dependencies only, then runs dist/action/main.js", () => {
    expect(action.runs.using).toBe("composite");
    const [install, build] = action.runs.steps;
    expect(install?.run).toContain("npm ci --omit=dev --ignore-scripts");
    // Nothing compiles on the runner: a release ref carries dist/ (scripts/release-action.sh).
    expect(install?.run).not.toMatch(/--include=dev|npm run|npm install|tsc/);
    expect(install?.run).toMatch(/if \[ ! -f dist\/action\/main\.js \]; then\n\s+echo "::error title=r2d::[^"]*release tag/);
    expect(install?.["working-directory"]).toBe("${{ github.action_path }}");
    expect(build?.id).toBe("r2d");
    expect(build?.run).toBe('node "$GITHUB_ACTION_PATH/dist/action/main.js"');
  });

  it("declares exactly the inputs the entry point reads", () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...INPUT_NAMES].sort());
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(name, "kebab-case").toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(input.description, name).toBeTruthy();
      expect(input.required, name).toBe(false);
    }
  });

  it("has the option table's inputs, each with the table's default and description, and no other", () => {
    const fromTable = Object.fromEntries(INPUT_ROWS.flatMap((row) => (row.input ? [[row.input.name, { default: inputDefault(row), description: inputDescription(row) }]] : [])));
    const fromYml = Object.fromEntries(Object.entries(action.inputs).map(([name, i]) => [name, { default: i.default ?? "", description: i.description }]));
    expect(fromYml).toEqual(fromTable);
  });

  it("passes every input to the entry point as an INPUT_ variable, and nothing is spliced into the script", () => {
    const build = action.runs.steps.find((s) => s.id === "r2d");
    const expected = Object.fromEntries(Object.keys(action.inputs).map((n) => [`INPUT_${n.toUpperCase().replace(/-/g, "_")}`, `\${{ inputs.${n} }}`]));
    expect(build?.env).toEqual(expected);
    for (const step of action.runs.steps) expect(step.run).not.toMatch(/\$\{\{\s*inputs\./);
  });

  it("declares exactly the outputs the entry point writes, from the r2d step", () => {
    const written = Object.keys(actionOutputs({ result: { plan: { buildpack: "python", baseImage: "b" }, imageName: "x", dockerfile: "" } as unknown as BuildRepoResult, refs: [] }));
    expect(Object.keys(action.outputs).sort()).toEqual(written.sort());
    for (const [name, o] of Object.entries(action.outputs)) expect(o.value).toBe(`\${{ steps.r2d.outputs.${name} }}`);
    for (const name of ["imageid", "digest", "metadata"]) expect(action.outputs).toHaveProperty(name);
  });

  it("booleans default to the string false", () => {
    for (const name of ["push", "no-cache", "pull"]) expect(action.inputs[name]?.default).toBe("false");
  });
});

describe("docs/action.md", () => {
  it("has the inputs and outputs tables of action.yml", () => {
    let doc = readFileSync(DOC, "utf8");
    if (process.env.R2D_UPDATE_DOCS === "1") {
      doc = section(section(doc, "inputs", inputsTable(action)), "outputs", outputsTable(action));
      writeFileSync(DOC, doc);
    }
    expect(section(doc, "inputs"), "run R2D_UPDATE_DOCS=1 npx vitest run test/action/docs.test.ts").toBe(inputsTable(action));
    expect(section(doc, "outputs"), "run R2D_UPDATE_DOCS=1 npx vitest run test/action/docs.test.ts").toBe(outputsTable(action));
  });

  it("shows a workflow that logs in with docker/login-action before r2d", () => {
    const doc = readFileSync(DOC, "utf8");
    const workflow = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";
    const steps = (parse(workflow) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }> }).jobs.build?.steps ?? [];
    const login = steps.findIndex((s) => s.uses?.startsWith("docker/login-action"));
    const r2d = steps.findIndex((s) => s.with && "image-name" in s.with);
    expect(login).toBeGreaterThanOrEqual(0);
    expect(r2d).toBeGreaterThan(login);
    for (const key of Object.keys(steps[r2d]?.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
  });
});
