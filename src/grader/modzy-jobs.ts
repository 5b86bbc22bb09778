/**
 * The Modzy grader's test cases: model.yaml read (or its problem reported as a check), each case's
 * inputs copied into a job folder mounted in the container, and the answer to each job judged.
 */
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { clip, expectedCheck, humanDuration, listSome } from "./checks.js";
import { compareOutputs } from "./compare.js";
import { listFiles, readInside, type ModzyCase } from "./data.js";
import { parseModelYaml, scalarText, type ModelYaml } from "./model-yaml.js";
import { call, expectStatus } from "./modzy-http.js";
import { writableDir } from "./profile.js";
import type { GradeCheck } from "./types.js";

/** Where the job folders are mounted in the container. */
export const JOBS_ROOT = "/r2d-grader";

export async function loadModel(repoRoot: string): Promise<{ model: ModelYaml | null; check?: GradeCheck }> {
  let text: string;
  try {
    // A regular file of the repository only: model.yaml -> /etc/… is never read (its errors quote it).
    const buf = await readInside(repoRoot, "model.yaml");
    if (buf === null) return { model: null };
    text = buf.toString("utf8");
  } catch {
    return { model: null };
  }
  try {
    const model = parseModelYaml(text);
    return { model, check: { name: "model-yaml", passed: true, reason: `model.yaml: ${[model.memory && `memory ${model.memory}`, model.cpus && `${model.cpus} cpu`, model.statusTimeoutMs && `status timeout ${humanDuration(model.statusTimeoutMs)}`, model.runTimeoutMs && `run timeout ${humanDuration(model.runTimeoutMs)}`].filter(Boolean).join(", ") || "no resources or timeouts"}` } };
  } catch (err) {
    const hint = err instanceof ConfigError ? err.hint : undefined;
    return { model: null, check: { name: "model-yaml", passed: false, reason: (err as Error).message.split("\n")[0] ?? "model.yaml is invalid", hint: hint ?? "see docs/graders.md for the fields r2d reads" } };
  }
}

export interface PreparedCase {
  c: ModzyCase;
  dir: string;
  job: { type: "file"; input: string; output: string };
}

export async function prepareCases(tmp: string, cases: ModzyCase[], prefix: string): Promise<{ prepared: PreparedCase[]; volumes: string[] }> {
  const prepared: PreparedCase[] = [];
  const volumes: string[] = [];
  for (const [i, c] of cases.entries()) {
    const id = `${prefix}${i + 1}`;
    const dir = path.join(tmp, "jobs", id);
    const input = path.join(dir, "input");
    await mkdir(input, { recursive: true, mode: 0o755 });
    for (const [src, rel] of c.inputs) {
      await mkdir(path.dirname(path.join(input, rel)), { recursive: true, mode: 0o755 });
      await copyFile(src, path.join(input, rel));
    }
    const output = await writableDir(path.join(dir, "output"));
    volumes.push(`${input}:${JOBS_ROOT}/${id}/input:ro`, `${output}:${JOBS_ROOT}/${id}/output:rw`);
    prepared.push({ c, dir, job: { type: "file", input: `${JOBS_ROOT}/${id}/input`, output: `${JOBS_ROOT}/${id}/output` } });
  }
  return { prepared, volumes };
}


export async function runCase(base: string, p: PreparedCase, runTimeoutMs: number, model: ModelYaml | null): Promise<GradeCheck> {
  const name = `run:${p.c.name}`;
  const r = await call(base, "POST", "/run", { json: p.job }, runTimeoutMs);
  const first = expectStatus(name, r, 200, `POST /run ${JSON.stringify(p.job)}`, "the model must read the job's input folder, write its outputs to the output folder, and answer 200");
  if (!first.passed) return first;
  const outDir = path.join(p.dir, "output");
  const written = await listFiles(outDir);
  if (p.c.expected.size) {
    const check = expectedCheck(await compareOutputs(p.c.expected, outDir), p.c.expected.size, `test case ${p.c.name}`, name);
    return check.passed ? { ...check, reason: `HTTP 200; ${check.reason}` } : check;
  }
  const wanted = model?.outputs ?? [];
  const missing = wanted.filter((f) => !written.includes(f));
  if (missing.length) {
    return { name, passed: false, reason: `HTTP 200, but ${listSome(missing)} (model.yaml outputs) not written${written.length ? `; wrote ${listSome(written)}` : ""}`, hint: "write every file named under outputs: in model.yaml to the job's output folder before answering" };
  }
  if (!written.length) return { name, passed: false, reason: "HTTP 200, but nothing was written to the output folder", hint: "write the results to the job's output folder before answering" };
  return { name, passed: true, reason: `HTTP 200; wrote ${listSome(written)}` };
}

export async function runErrorCase(base: string, p: PreparedCase, runTimeoutMs: number): Promise<GradeCheck> {
  const name = `validation-error:${p.c.name}`;
  const r = await call(base, "POST", "/run", { json: p.job }, runTimeoutMs);
  const check = expectStatus(name, r, 422, "POST /run with an invalid input", "inputs the model cannot process get HTTP 422 with a message that says why");
  const want = p.c.errorMessage ?? "";
  if (!check.passed || !want) return check;
  const msg = scalarText((("error" in r ? {} : r.json) as { message?: unknown } | undefined)?.message);
  if (!msg.includes(want)) {
    return { name, passed: false, reason: `HTTP 422, but the message ${JSON.stringify(clip(msg, 100))} does not contain ${JSON.stringify(clip(want, 100))}`, hint: "the expected text comes from the case's message.txt" };
  }
  return { name, passed: true, reason: `HTTP 422 with the expected message` };
}
