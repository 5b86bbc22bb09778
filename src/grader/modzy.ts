/**
 * A Modzy-style marketplace: the image's default command must serve the container
 * specification's HTTP API on $PSC_MODEL_PORT. r2d waits for GET /status, posts each test
 * case to POST /run, checks the error answers (415 for a body that is not JSON, 400 for a bad
 * job, 422 for invalid inputs), then POST /shutdown and expects exit code 0. Resources and
 * timeouts come from model.yaml when the repository has one.
 *
 * The client talks only to 127.0.0.1: the container port is published on 127.0.0.1, or, when
 * the engine has no bridge network (dockerd --bridge=none), the container uses the host network
 * with a free port and PSC_MODEL_HOST=127.0.0.1 (servers that honour it stay on loopback).
 */
import { copyFile, mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { ConfigError } from "../errors.js";
import type { RunRequest } from "../engine/types.js";
import { clip, expectedCheck, humanDuration, lastLine, listSome, memoryCheck, timeoutCheck } from "./checks.js";
import { compareOutputs } from "./compare.js";
import { publishedPort, startContainer, type ContainerOutcome, type RunningContainer } from "./container.js";
import { hasBridgeNetwork } from "../engine/index.js";
import { findModzyCases, listFiles, readInside, type ModzyCase } from "./data.js";
import { parseModelYaml, type ModelYaml } from "./model-yaml.js";
import { byHand, writableDir, type GradeContext, type GraderProfile, type ProfileRun } from "./profile.js";
import type { GradeCheck } from "./types.js";

/** The port inside the container when it is published (Modzy's templates default to 45000). */
export const CONTAINER_PORT = 45000;
export const JOBS_ROOT = "/r2d-grader";
const DEFAULT_STATUS_TIMEOUT_MS = 60_000;
const DEFAULT_RUN_TIMEOUT_MS = 60_000;
const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** The limits Modzy's container tests use (`--memory 512m --cpus 1 --shm-size 0m`) when model.yaml and the flags say nothing. */
export const MODZY_DEFAULT_LIMITS = { memory: "512m", cpus: "1", shmSize: "0m" };

export interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
  json?: unknown;
}

export type HttpResult = HttpAnswer | { error: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One request to the model server (loopback only); connection errors come back as `{ error }`. */
export async function call(base: string, method: "GET" | "POST", route: string, body: { json?: unknown; text?: string } | undefined, timeoutMs: number): Promise<HttpResult> {
  const url = new URL(route, base);
  if (url.hostname !== "127.0.0.1") return { error: `refusing to call ${url.host}: the grader talks to 127.0.0.1 only` };
  const headers: Record<string, string> = {};
  let payload: string | undefined;
  if (body?.json !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body.json);
  } else if (body?.text !== undefined) {
    headers["content-type"] = "text/plain";
    payload = body.text;
  }
  try {
    const res = await fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", text, json };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === "TimeoutError" || e.name === "AbortError") return { error: `no answer within ${humanDuration(timeoutMs)}` };
    return { error: e.cause?.code ?? e.cause?.message ?? e.message };
  }
}

/** Problems with a response body against the spec's `{statusCode, status, message}` (null when it fits). */
export function shapeProblem(answer: HttpAnswer): string | null {
  const j = answer.json as Record<string, unknown> | undefined;
  if (!j || typeof j !== "object" || Array.isArray(j)) return `the body is not the JSON object {statusCode, status, message}: ${JSON.stringify(clip(answer.text, 80))}`;
  const missing = [
    typeof j.statusCode === "number" ? null : "statusCode (a number)",
    typeof j.status === "string" ? null : "status (a string)",
    typeof j.message === "string" ? null : "message (a string)",
  ].filter(Boolean);
  if (missing.length) return `the JSON body lacks ${missing.join(", ")}`;
  if (j.statusCode !== answer.status) return `the body says statusCode ${String(j.statusCode)} but the HTTP status is ${answer.status}`;
  return null;
}

function describe(r: HttpResult): string {
  if ("error" in r) return r.error;
  const msg = (r.json as { message?: unknown } | undefined)?.message;
  return `HTTP ${r.status}${typeof msg === "string" && msg ? ` (${clip(msg, 120)})` : ""}`;
}

/** An answer with the wanted status and a well-formed body. */
export function expectStatus(name: string, r: HttpResult, want: number, what: string, hint: string): GradeCheck {
  if ("error" in r) return { name, passed: false, reason: `${what}: ${r.error}`, hint };
  if (r.status !== want) return { name, passed: false, reason: `${what}: expected HTTP ${want}, got ${describe(r)}`, hint };
  const shape = shapeProblem(r);
  if (shape) return { name, passed: false, reason: `${what}: HTTP ${want}, but ${shape}`, hint: "every route answers application/json {\"statusCode\": <HTTP status>, \"status\": \"OK\", \"message\": \"...\"}" };
  return { name, passed: true, reason: `${what}: HTTP ${want}` };
}

/** A free TCP port on 127.0.0.1 (for the host-network mode). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function loadModel(repoRoot: string): Promise<{ model: ModelYaml | null; check?: GradeCheck }> {
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

interface PreparedCase {
  c: ModzyCase;
  dir: string;
  job: { type: "file"; input: string; output: string };
}

async function prepareCases(tmp: string, cases: ModzyCase[], prefix: string): Promise<{ prepared: PreparedCase[]; volumes: string[] }> {
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

/** Waits until GET /status answers 200, the container exits, or the deadline passes. */
async function waitForStatus(
  c: RunningContainer,
  base: () => Promise<string | null>,
  timeoutMs: number,
): Promise<{ check: GradeCheck; base: string | null }> {
  const name = "status";
  const hint = "the image's default command must start an HTTP server on $PSC_MODEL_PORT that answers GET /status with 200 once the model is loaded";
  const deadline = Date.now() + timeoutMs;
  let last: HttpResult | null = null;
  let url: string | null = null;
  while (Date.now() < deadline && !c.exited()) {
    url ??= await base();
    if (url) {
      last = await call(url, "GET", "/status", undefined, Math.max(500, Math.min(5000, deadline - Date.now())));
      if (!("error" in last) && last.status === 200) {
        const shape = shapeProblem(last);
        return {
          base: url,
          check: shape
            ? { name, passed: false, reason: `GET /status: HTTP 200, but ${shape}`, hint: "answer {\"statusCode\": 200, \"status\": \"OK\", \"message\": \"ready\"}" }
            : { name, passed: true, reason: "GET /status: HTTP 200" },
        };
      }
    }
    await sleep(250);
  }
  if (c.exited()) {
    const o = await c.done;
    const line = lastLine(o.stderr) || lastLine(o.stdout);
    return { base: url, check: { name, passed: false, reason: `the server exited (code ${o.exitCode ?? "?"}) before /status answered${line ? `: ${clip(line)}` : ""}`, hint } };
  }
  const seen = last ? `; last answer: ${describe(last)}` : "";
  return { base: url, check: { name, passed: false, reason: `nothing answered GET /status 200 on ${url ?? "the published port"} within ${humanDuration(timeoutMs)}${seen}`, hint } };
}

async function runCase(base: string, p: PreparedCase, runTimeoutMs: number, model: ModelYaml | null): Promise<GradeCheck> {
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

async function runErrorCase(base: string, p: PreparedCase, runTimeoutMs: number): Promise<GradeCheck> {
  const name = `validation-error:${p.c.name}`;
  const r = await call(base, "POST", "/run", { json: p.job }, runTimeoutMs);
  const check = expectStatus(name, r, 422, "POST /run with an invalid input", "inputs the model cannot process get HTTP 422 with a message that says why");
  const want = p.c.errorMessage ?? "";
  if (!check.passed || !want) return check;
  const msg = String((("error" in r ? {} : r.json) as { message?: unknown } | undefined)?.message ?? "");
  if (!msg.includes(want)) {
    return { name, passed: false, reason: `HTTP 422, but the message ${JSON.stringify(clip(msg, 100))} does not contain ${JSON.stringify(clip(want, 100))}`, hint: "the expected text comes from the case's message.txt" };
  }
  return { name, passed: true, reason: `HTTP 422 with the expected message` };
}

async function shutdown(base: string, c: RunningContainer, graceMs: number): Promise<{ check: GradeCheck; o: ContainerOutcome | null }> {
  const name = "shutdown";
  const r = await call(base, "POST", "/shutdown", undefined, 5000);
  const answered = "error" in r ? `no answer (${r.error})` : `HTTP ${r.status}`;
  const exited = await Promise.race([c.done.then(() => true), sleep(graceMs).then(() => false)]);
  if (!exited) {
    await c.kill();
    return {
      check: { name, passed: false, reason: `POST /shutdown: ${answered}, but the container was still running ${humanDuration(graceMs)} later`, hint: "on POST /shutdown the server process must exit with code 0 (answer 202 first, then exit)" },
      o: null,
    };
  }
  const o = await c.done;
  if (o.exitCode !== 0) {
    return { check: { name, passed: false, reason: `POST /shutdown: ${answered}; the container exited with code ${o.exitCode}`, hint: "exit with code 0 after a shutdown request" }, o };
  }
  return { check: { name, passed: true, reason: `POST /shutdown: ${answered}; the container exited 0` }, o };
}

async function run(ctx: GradeContext): Promise<ProfileRun> {
  const { options } = ctx;
  const checks: GradeCheck[] = [];
  const { model, check: modelCheck } = await loadModel(ctx.repoRoot);
  if (modelCheck) checks.push(modelCheck);
  const cases = await findModzyCases(ctx.repoRoot, { inputs: model?.inputs ?? [], outputs: model?.outputs ?? [] }, options);
  checks.push(
    cases.examples.length
      ? { name: "input-data", passed: true, reason: cases.source }
      : { name: "input-data", passed: false, reason: "no test case: looked for tests/data/examples/<case>/ (and test/data/<case>/input)", hint: "add tests/data/examples/<case>/ with the input files named in model.yaml and the expected outputs, or pass --grader-input DIR" },
  );
  const memory = options.memory ?? model?.memory ?? MODZY_DEFAULT_LIMITS.memory;
  const cpus = options.cpus ?? model?.cpus ?? MODZY_DEFAULT_LIMITS.cpus;
  const shmSize = options.shmSize ?? MODZY_DEFAULT_LIMITS.shmSize;
  const memorySource = options.memory ? "--memory" : model?.memory ? "resources.memory.size in model.yaml" : "--memory, or resources.memory.size in model.yaml";
  if (model?.gpus && !options.gpus) ctx.say(`model.yaml asks for ${model.gpus} GPU(s); pass --gpus to give them`);
  const statusTimeoutMs = model?.statusTimeoutMs ?? DEFAULT_STATUS_TIMEOUT_MS;
  const runTimeoutMs = model?.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  const requests = cases.examples.length + cases.errors.length + 2;
  const timeoutMs = options.timeoutMs ?? statusTimeoutMs + runTimeoutMs * requests + graceMs + 30_000;

  const ex = await prepareCases(ctx.tmp, cases.examples, "case");
  const er = await prepareCases(ctx.tmp, cases.errors, "invalid");
  const wanted = options.modzyNetwork ?? "auto";
  const mode = wanted === "auto" ? ((await hasBridgeNetwork(ctx.engine)) ? "publish" : "host") : wanted;
  const port = mode === "host" ? await freePort() : CONTAINER_PORT;
  const req: RunRequest = {
    image: ctx.image,
    command: [],
    env: [`PSC_MODEL_PORT=${port}`, ...(mode === "host" ? ["PSC_MODEL_HOST=127.0.0.1"] : [])],
    publish: mode === "publish" ? [`127.0.0.1::${CONTAINER_PORT}`] : [],
    volumes: [...ex.volumes, ...er.volumes],
    network: mode === "host" ? "host" : undefined,
    memory,
    cpus,
    shmSize,
    gpus: options.gpus,
    platform: ctx.platform,
    remove: false,
    interactive: false,
    tty: false,
  };
  const limits = { memory, cpus, shmSize, gpus: options.gpus, timeoutMs, network: mode === "host" ? `host (port ${port} on 127.0.0.1)` : `published on 127.0.0.1`, platform: ctx.platform };
  ctx.say(`starting ${ctx.image} as a Modzy model server (PSC_MODEL_PORT=${port}, ${mode === "host" ? "host network" : "port published on 127.0.0.1"})`);
  const c = startContainer(ctx.engine, req, { timeoutMs, signal: options.signal, onDebug: ctx.debug });
  let outcome: ContainerOutcome | null = null;
  try {
    const base = async (): Promise<string | null> => {
      if (mode === "host") return `http://127.0.0.1:${port}`;
      const addr = await publishedPort(ctx.engine, c.name, CONTAINER_PORT);
      return addr ? `http://${addr}` : null;
    };
    const status = await waitForStatus(c, base, statusTimeoutMs);
    checks.push(status.check);
    if (status.check.passed && status.base) {
      const url = status.base;
      for (const p of ex.prepared) checks.push(await runCase(url, p, runTimeoutMs, model));
      for (const p of er.prepared) checks.push(await runErrorCase(url, p, runTimeoutMs));
      checks.push(
        expectStatus("not-json-415", await call(url, "POST", "/run", { text: "this is not JSON" }, runTimeoutMs), 415, "POST /run with a text/plain body", "a body that is not application/json gets HTTP 415"),
        expectStatus(
          "bad-job-400",
          await call(url, "POST", "/run", { json: { type: "file", input: `${JOBS_ROOT}/does-not-exist/input`, output: `${JOBS_ROOT}/does-not-exist/output` } }, runTimeoutMs),
          400,
          "POST /run with folders that do not exist",
          "a job whose input or output folder is missing (or a malformed job) gets HTTP 400",
        ),
      );
      const sd = await shutdown(url, c, graceMs);
      checks.push(sd.check);
    } else {
      await c.kill();
    }
    outcome = await c.done;
    checks.push(memoryCheck(outcome, { memory }, memorySource), timeoutCheck(outcome, timeoutMs));
    if (outcome.startError) checks.push({ name: "exit-code", passed: false, reason: `the container did not start: ${clip(outcome.startError)}`, hint: "check the image's default command" });
  } finally {
    await c.remove();
  }
  return {
    checks,
    outcome,
    limits,
    data: { input: cases.examples[0]?.inputs[0] ? path.dirname(cases.examples[0].inputs[0][0]) : undefined, source: cases.source },
    command: byHand(ctx.engine, { ...req, extra: ["-d"] }, ctx.tmp),
  };
}

export const modzy: GraderProfile = {
  name: "modzy",
  summary: "Modzy-style marketplace: HTTP server on $PSC_MODEL_PORT (/status, /run, /shutdown), model.yaml resources",
  defaultTimeoutMs: 10 * 60_000,
  run,
};

