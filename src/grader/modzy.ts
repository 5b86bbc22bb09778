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
import path from "node:path";
import { publishedPort, startContainer, type ContainerOutcome, type RunningContainer } from "../engine/container.js";
import type { RunRequest } from "../engine/types.js";
import { clip, lastLine, humanDuration, memoryCheck, timeoutCheck } from "./checks.js";
import { findModzyCases } from "./data.js";
import type { ModelYaml } from "./model-yaml.js";
import { call, describeAnswer, expectStatus, freePort, shapeProblem, type HttpResult } from "./modzy-http.js";
import { JOBS_ROOT, loadModel, prepareCases, runCase, runErrorCase, type PreparedCase } from "./modzy-jobs.js";
import { GRADER_PLATFORM, byHand, type GradeContext, type GraderProfile, type ProfileRun } from "./profile.js";
import type { GradeCheck, GradeLimits, GraderOptions } from "./types.js";

export { JOBS_ROOT };
/** The port inside the container when it is published (Modzy's templates default to 45000). */
export const CONTAINER_PORT = 45000;
const DEFAULT_STATUS_TIMEOUT_MS = 60_000;
const DEFAULT_RUN_TIMEOUT_MS = 60_000;
const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** The limits Modzy's container tests use (`--memory 512m --cpus 1 --shm-size 0m`) when model.yaml and the flags say nothing. */
export const MODZY_DEFAULT_LIMITS = { memory: "512m", cpus: "1", shmSize: "0m" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  const seen = last ? `; last answer: ${describeAnswer(last)}` : "";
  return { base: url, check: { name, passed: false, reason: `nothing answered GET /status 200 on ${url ?? "the published port"} within ${humanDuration(timeoutMs)}${seen}`, hint } };
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

/** Limits and timeouts: the flags, else model.yaml, else Modzy's defaults. */
function settings(options: GraderOptions, model: ModelYaml | null, cases: { examples: unknown[]; errors: unknown[] }) {
  const memory = options.memory ?? model?.memory ?? MODZY_DEFAULT_LIMITS.memory;
  const cpus = options.cpus ?? model?.cpus ?? MODZY_DEFAULT_LIMITS.cpus;
  const shmSize = options.shmSize ?? MODZY_DEFAULT_LIMITS.shmSize;
  const memorySource = options.memory ? "--memory" : model?.memory ? "resources.memory.size in model.yaml" : "--memory, or resources.memory.size in model.yaml";
  const statusTimeoutMs = model?.statusTimeoutMs ?? DEFAULT_STATUS_TIMEOUT_MS;
  const runTimeoutMs = model?.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  const requests = cases.examples.length + cases.errors.length + 2;
  const timeoutMs = options.timeoutMs ?? statusTimeoutMs + runTimeoutMs * requests + graceMs + 30_000;
  return { memory, cpus, shmSize, memorySource, statusTimeoutMs, runTimeoutMs, graceMs, timeoutMs };
}

/** The requests of a server that answered /status: each case, each invalid case, the error answers, then /shutdown. */
async function exercise(url: string, c: RunningContainer, jobs: { examples: PreparedCase[]; errors: PreparedCase[] }, model: ModelYaml | null, s: ReturnType<typeof settings>): Promise<GradeCheck[]> {
  const checks: GradeCheck[] = [];
  for (const p of jobs.examples) checks.push(await runCase(url, p, s.runTimeoutMs, model));
  for (const p of jobs.errors) checks.push(await runErrorCase(url, p, s.runTimeoutMs));
  checks.push(
    expectStatus("not-json-415", await call(url, "POST", "/run", { text: "this is not JSON" }, s.runTimeoutMs), 415, "POST /run with a text/plain body", "a body that is not application/json gets HTTP 415"),
    expectStatus(
      "bad-job-400",
      await call(url, "POST", "/run", { json: { type: "file", input: `${JOBS_ROOT}/does-not-exist/input`, output: `${JOBS_ROOT}/does-not-exist/output` } }, s.runTimeoutMs),
      400,
      "POST /run with folders that do not exist",
      "a job whose input or output folder is missing (or a malformed job) gets HTTP 400",
    ),
  );
  checks.push((await shutdown(url, c, s.graceMs)).check);
  return checks;
}

/** How the client reaches the server: a port published on 127.0.0.1, or the host network with a free port. */
async function reach(ctx: GradeContext): Promise<{ mode: "publish" | "host"; port: number }> {
  const wanted = ctx.options.modzyNetwork ?? "auto";
  const mode = wanted === "auto" ? ((await ctx.engine.capabilities.bridgeNetwork) ? "publish" : "host") : wanted;
  return { mode, port: mode === "host" ? await freePort() : CONTAINER_PORT };
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
  const s = settings(options, model, cases);
  if (model?.gpus && !options.gpus) ctx.say(`model.yaml asks for ${model.gpus} GPU(s); pass --gpus to give them`);
  const ex = await prepareCases(ctx.tmp, cases.examples, "case");
  const er = await prepareCases(ctx.tmp, cases.errors, "invalid");
  const { mode, port } = await reach(ctx);
  const req: RunRequest = {
    image: ctx.image,
    command: [],
    env: [`PSC_MODEL_PORT=${port}`, ...(mode === "host" ? ["PSC_MODEL_HOST=127.0.0.1"] : [])],
    publish: mode === "publish" ? [`127.0.0.1::${CONTAINER_PORT}`] : [],
    volumes: [...ex.volumes, ...er.volumes],
    network: mode === "host" ? "host" : undefined,
    memory: s.memory,
    cpus: s.cpus,
    shmSize: s.shmSize,
    gpus: options.gpus,
    platform: ctx.platform,
    remove: false,
    interactive: false,
    tty: false,
  };
  const network = mode === "host" ? `host (port ${port} on 127.0.0.1)` : `published on 127.0.0.1`;
  const limits: GradeLimits = { memory: s.memory, cpus: s.cpus, shmSize: s.shmSize, gpus: options.gpus, timeoutMs: s.timeoutMs, network, platform: ctx.platform };
  ctx.say(`starting ${ctx.image} as a Modzy model server (PSC_MODEL_PORT=${port}, ${mode === "host" ? "host network" : "port published on 127.0.0.1"})`);
  const c = startContainer(ctx.engine, req, { timeoutMs: s.timeoutMs, signal: options.signal, onDebug: ctx.debug });
  let outcome: ContainerOutcome | null = null;
  try {
    const base = async (): Promise<string | null> => {
      if (mode === "host") return `http://127.0.0.1:${port}`;
      const addr = await publishedPort(ctx.engine, c.name, CONTAINER_PORT, { onDebug: ctx.debug });
      return addr ? `http://${addr}` : null;
    };
    const status = await waitForStatus(c, base, s.statusTimeoutMs);
    checks.push(status.check);
    if (status.check.passed && status.base) checks.push(...(await exercise(status.base, c, { examples: ex.prepared, errors: er.prepared }, model, s)));
    else await c.kill();
    outcome = await c.done;
    checks.push(memoryCheck(outcome, { memory: s.memory }, s.memorySource), timeoutCheck(outcome, s.timeoutMs));
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

export const modzy: GraderProfile<"modzy"> = {
  name: "modzy",
  summary: "Modzy-style marketplace: HTTP server on $PSC_MODEL_PORT (/status, /run, /shutdown), model.yaml resources",
  defaultTimeoutMs: 10 * 60_000,
  platform: GRADER_PLATFORM,
  buildDefaults: () => ({}),
  passEnv: [],
  run,
};
