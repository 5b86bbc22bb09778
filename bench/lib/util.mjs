// Small helpers shared by the benchmark scripts: processes, statistics, formatting.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * Run a command and wait for it. Returns exit code, captured output and wall time in ms
 * (spawn to exit, so the process start is included, as a person timing the command sees it).
 */
export function run(cmd, args, { env, cwd, timeoutMs = 0, input, quiet = true, onStdoutLine } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      env: env ? { ...process.env, ...env } : process.env,
      cwd,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let partial = "";
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d) => {
      stdout += d;
      if (onStdoutLine) {
        const now = performance.now() - t0;
        const lines = (partial + d).split("\n");
        partial = lines.pop();
        for (const l of lines) onStdoutLine(l, now);
      }
      if (!quiet) process.stderr.write(d);
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      if (!quiet) process.stderr.write(d);
    });
    if (input !== undefined) child.stdin.end(input);
    let timer;
    if (timeoutMs > 0) timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** Like run(), but a non-zero exit is an error that shows the command and its output's tail. */
export async function must(cmd, args, opts = {}) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    const tail = (r.stderr + r.stdout).trim().split("\n").slice(-25).join("\n");
    throw new Error(`${cmd} ${args.join(" ")} exited with ${r.code ?? r.signal}\n${tail}`);
  }
  return r;
}

export function median(xs) {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function minmax(xs) {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x));
  return v.length ? [Math.min(...v), Math.max(...v)] : [NaN, NaN];
}

export function fmtBytes(n) {
  if (!Number.isFinite(n)) return "n/a";
  const u = ["B", "kB", "MB", "GB"];
  let i = 0;
  let x = n;
  while (x >= 1000 && i < u.length - 1) {
    x /= 1000;
    i++;
  }
  return `${x >= 100 || i === 0 ? x.toFixed(0) : x.toFixed(x >= 10 ? 1 : 2)} ${u[i]}`;
}

export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return "n/a";
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

export function fmtRatio(r) {
  return Number.isFinite(r) ? `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×` : "n/a";
}

/** BuildKit's "transferring context: 1.07GB" sizes (decimal units, as go-units prints them). */
export function parseHumanBytes(s) {
  const m = /^([\d.]+)\s*([kKMGT]?B)$/.exec(s.trim());
  if (!m) return NaN;
  const mult = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 }[m[2]];
  return Number(m[1]) * mult;
}

/** The last "transferring context: N" figure of a --progress=plain build log (the final total). */
export function transferredContext(log) {
  let last = NaN;
  for (const m of log.matchAll(/transferring context: ([\d.]+\s*[kKMGT]?B)/g)) last = parseHumanBytes(m[1]);
  return last;
}

/** KEY=VALUE lines (comments and blanks skipped). */
export function readEnvFile(file) {
  const out = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

export function log(msg) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Paired ratios a[i]/b[i] for runs that both produced a figure. */
export function pairedRatios(a, b) {
  const out = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i]) && b[i] > 0) out.push(a[i] / b[i]);
  }
  return out;
}
