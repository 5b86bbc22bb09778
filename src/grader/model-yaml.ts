/**
 * Modzy's `model.yaml`: the parts a grader uses (resources, timeouts, input and output file
 * names). Pure parsing; every error names the field and shows an accepted value.
 */
import { lazyYaml } from "../detect/yaml.js";
import { ConfigError } from "../errors.js";

export interface ModelYaml {
  /** Docker `--memory` value, e.g. "512m". */
  memory?: string;
  memoryBytes?: number;
  /** Docker `--cpus` value, e.g. "1". */
  cpus?: string;
  gpus?: number;
  /** timeout.status: how long /status may take to answer 200 (ms). */
  statusTimeoutMs?: number;
  /** timeout.run: how long one POST /run may take (ms). */
  runTimeoutMs?: number;
  /** File names the model reads from the input directory. */
  inputs: string[];
  /** File names the model writes to the output directory. */
  outputs: string[];
}

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `512M`, `512Mi`, `1G`, `1.5GB`, `268435456` → bytes (binary units, as Docker and Kubernetes read them). */
export function parseMemorySize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b?)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? "").toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}

/** Bytes → Docker's `--memory` syntax, in the largest whole unit. */
export function dockerMemory(bytes: number): string {
  for (const [suffix, unit] of [["g", 1024 ** 3], ["m", 1024 ** 2], ["k", 1024]] as const) {
    if (bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return `${bytes}b`;
}

/** `20s`, `1m30s`, `500ms`, `2h`, `90` (seconds) → ms. */
export function parseDuration(text: string): number | undefined {
  const t = String(text).trim();
  if (/^\d+(?:\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    const n = Number(m[1]);
    total += m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : m[2] === "m" ? n * 60_000 : n * 3_600_000;
    end = re.lastIndex;
  }
  return end > 0 && end === t.length ? Math.round(total) : undefined;
}

function bad(field: string, got: unknown, example: string): ConfigError {
  return new ConfigError(`${field} must be like ${example}, got ${JSON.stringify(got)}`, {
    location: { file: "model.yaml" },
    hint: `for example ${field.split(".").pop()}: ${example}`,
  });
}

function get(obj: unknown, ...keys: string[]): unknown {
  let cur = obj;
  for (const k of keys) {
    if (!cur || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function names(section: unknown): string[] {
  if (Array.isArray(section)) return section.map((s) => (typeof s === "string" ? s : scalarText(get(s, "name")))).filter(Boolean);
  if (section && typeof section === "object") return Object.keys(section);
  return [];
}

/** Parses the text of a model.yaml (Modzy specification 0.3). */
export function parseModelYaml(text: string): ModelYaml {
  let doc: unknown;
  try {
    doc = lazyYaml().parse(text);
  } catch (err) {
    throw new ConfigError(`model.yaml is not valid YAML: ${(err as Error).message.split("\n")[0]}`, { location: { file: "model.yaml" }, cause: err });
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new ConfigError("model.yaml must be a mapping (resources:, timeout:, inputs:, outputs:)", { location: { file: "model.yaml" } });
  }
  const out: ModelYaml = { inputs: names(get(doc, "inputs")), outputs: names(get(doc, "outputs")) };

  const mem = get(doc, "resources", "memory", "size") ?? get(doc, "resources", "memory");
  if (mem !== undefined && mem !== null && typeof mem !== "object") {
    const bytes = parseMemorySize(scalarText(mem));
    if (bytes === undefined || bytes <= 0) throw bad("resources.memory.size", mem, "512M");
    out.memoryBytes = bytes;
    out.memory = dockerMemory(bytes);
  }
  const cpu = get(doc, "resources", "cpu", "count") ?? get(doc, "resources", "cpu");
  if (cpu !== undefined && cpu !== null && typeof cpu !== "object") {
    const n = Number(cpu);
    if (!Number.isFinite(n) || n <= 0) throw bad("resources.cpu.count", cpu, "1");
    out.cpus = String(n);
  }
  const gpu = get(doc, "resources", "gpu", "count");
  if (gpu !== undefined && gpu !== null) {
    const n = Number(gpu);
    if (!Number.isInteger(n) || n < 0) throw bad("resources.gpu.count", gpu, "0");
    out.gpus = n;
  }
  for (const [key, field] of [["status", "statusTimeoutMs"], ["run", "runTimeoutMs"]] as const) {
    const v = get(doc, "timeout", key);
    if (v === undefined || v === null) continue;
    const ms = parseDuration(scalarText(v));
    if (ms === undefined || ms <= 0) throw bad(`timeout.${key}`, v, "20s");
    out[field] = ms;
  }
  return out;
}

/** A YAML scalar as text (a mapping or list as JSON, never "[object Object]"). */
export function scalarText(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}
