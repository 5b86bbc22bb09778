/**
 * What the action tells the runner: workflow commands on stdout (`::add-mask::`, `::error::`...),
 * step outputs appended to $GITHUB_OUTPUT, and a markdown build summary appended to
 * $GITHUB_STEP_SUMMARY. The formatting functions are pure; the writers append to files.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import type { BuildRepoResult } from "../build-repo.js";
import { formatBytes } from "../context/describe.js";
import type { ExcludedReason } from "../context/types.js";
import type { BuildStep } from "../engine/types.js";
import { stepPosition } from "../engine/progress-plain.js";

// ------------------------------------------------------------------ workflow commands

/** Escapes the message of a workflow command, as the runner decodes it. */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escapes a property value of a workflow command (`title=...`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** `::name key=value,...::message` plus a newline. */
export function workflowCommand(name: string, message: string, props: Record<string, string | undefined> = {}): string {
  const p = Object.entries(props)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== "")
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(",");
  return `::${name}${p ? ` ${p}` : ""}::${escapeData(message)}\n`;
}

/**
 * `::add-mask::` lines for each secret. A secret that spans lines is masked line by line (the
 * runner masks per line of output), and every non-empty line is masked whatever its length.
 */
export function maskCommands(secrets: string[]): string {
  const lines = new Set<string>();
  for (const s of secrets) {
    for (const line of s.split(/\r?\n/)) {
      const t = line.trim();
      if (t) lines.add(t);
    }
  }
  return [...lines].map((s) => workflowCommand("add-mask", s)).join("");
}

// ------------------------------------------------------------------ GITHUB_OUTPUT

/**
 * One output in the file-command format the runner reads from $GITHUB_OUTPUT:
 * `name<<DELIMITER`, the value, `DELIMITER`. Used for every value, so multi-line values
 * (the metadata JSON) need no special case. The delimiter must occur in neither.
 */
export function formatOutput(name: string, value: string, delimiter = `ghadelimiter_${randomUUID()}`): string {
  if (name.includes(delimiter) || value.includes(delimiter)) {
    throw new Error(`output ${name}: the value contains the delimiter ${delimiter}`);
  }
  if (/[\r\n]/.test(name)) throw new Error(`output name ${JSON.stringify(name)} has a line break`);
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** Appends outputs to $GITHUB_OUTPUT; returns what was written (empty when the variable is unset). */
export function writeOutputs(file: string | undefined, outputs: Record<string, string>): string {
  const text = Object.entries(outputs)
    .map(([k, v]) => formatOutput(k, v))
    .join("");
  if (file) appendFileSync(file, text);
  return file ? text : "";
}

/** Reads a GITHUB_OUTPUT file back (for tests and for checking the format): name → value. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = "", delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? "");
      if (i >= lines.length) throw new Error(`output ${name}: no closing delimiter ${delimiter}`);
      out[name] = value.join("\n");
    } else if (line.includes("=")) {
      const j = line.indexOf("=");
      out[line.slice(0, j)] = line.slice(j + 1);
    } else if (line !== "") {
      throw new Error(`unexpected line in an output file: ${line}`);
    }
  }
  return out;
}

// ------------------------------------------------------------------ outputs of a build

export interface ActionOutcome {
  result: BuildRepoResult;
  /** Every reference the image got. */
  refs: string[];
  /** Digest of the pushed image (from the push builds when a check came first). */
  digest?: string;
  /** Engine metadata of the push build when there was one, else of the build. */
  metadata?: Record<string, unknown>;
  check?: { command: string; exitCode: number; stdout: string; stderr: string };
  /** The grader's report as text (scrubbed), when the image was graded. */
  gradeReport?: string;
}

/**
 * The metadata output: the engine's metadata file (what docker/build-push-action outputs), with
 * the keys a classic docker client does not write filled in, plus r2d's own findings.
 */
export function metadataOf(o: ActionOutcome): Record<string, unknown> {
  const r = o.result;
  const md: Record<string, unknown> = { ...(o.metadata ?? r.metadata ?? {}) };
  md["image.name"] ??= o.refs.join(",") || r.imageName;
  if (r.imageId) md["containerimage.config.digest"] ??= r.imageId;
  if (o.digest) md["containerimage.digest"] ??= o.digest;
  md["r2d.buildpack"] = r.plan.buildpack;
  md["r2d.base-image"] = r.plan.baseImage;
  if (r.engine) md["r2d.engine"] = r.engine.kind;
  if (r.context) md["r2d.context"] = { files: r.context.fileCount, bytes: r.context.bytes };
  if (r.imageSize !== undefined) md["r2d.image-size"] = r.imageSize;
  if (r.grade) md["r2d.grade"] = { profile: r.grade.profile, passed: r.grade.passed, failed: r.grade.checks.filter((c) => !c.passed).map((c) => c.name) };
  return md;
}

/** The step's outputs (names as in action.yml). */
export function actionOutputs(o: ActionOutcome): Record<string, string> {
  const r = o.result;
  return {
    imageid: r.imageId ?? "",
    digest: o.digest ?? "",
    metadata: JSON.stringify(metadataOf(o), null, 2),
    "image-name": r.imageName,
    buildpack: r.plan.buildpack,
    "context-bytes": r.context ? String(r.context.bytes) : "",
    "context-files": r.context ? String(r.context.fileCount) : "",
    "image-size": r.imageSize !== undefined ? String(r.imageSize) : "",
    grade: r.grade ? (r.grade.passed ? "passed" : "failed") : "",
  };
}

// ------------------------------------------------------------------ step summary

const REASON: Record<ExcludedReason, string> = {
  data: "data directory (use `include` to send it)",
  git: "version control",
  exclude: "`exclude` input",
  dockerignore: ".dockerignore",
  "symlink-outside": "symlink outside the repository",
  special: "socket, FIFO or device",
};

/** Text for a markdown table cell: no line breaks, pipes escaped. */
function cell(s: string, max = 120): string {
  const one = s.replace(/\s+/g, " ").trim();
  const short = one.length > max ? `${one.slice(0, max - 1)}…` : one;
  return short.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;");
}

/** Inline code that survives backticks in the text. */
function code(s: string): string {
  const t = cell(s);
  return t.includes("`") ? `\`\` ${t} \`\`` : `\`${t}\``;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? "" : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Build steps in Dockerfile order: BuildKit reports them as they start, which is not the order
 * of the file when steps run in parallel. What comes before the first numbered step (loading
 * the context and base image) stays first; the rest (exporting) last.
 */
export function orderSteps(steps: BuildStep[]): BuildStep[] {
  let seenNumbered = false;
  const keyed = steps.map((s, i) => {
    const { index } = stepPosition(s.name);
    if (index !== undefined) seenNumbered = true;
    const early = s.name.startsWith("[internal]") || !seenNumbered;
    return { s, i, key: index ?? (early ? -1 : Number.POSITIVE_INFINITY) };
  });
  return keyed.sort((a, b) => a.key - b.key || a.i - b.i).map((k) => k.s);
}

/** A step's name without the mount flags that hide its command. */
function stepName(name: string): string {
  return name.replace(/--mount=\S+\s+/g, "");
}

/** At most this many excluded paths and build steps are listed; the rest are counted. */
const MAX_ROWS = 50;

/** The markdown build summary. */
export function renderSummary(o: ActionOutcome): string {
  const r = o.result;
  const plan = r.plan;
  const lines: string[] = [];
  lines.push(`### r2d: ${code(r.imageName)}`, "");
  // With another base image, the image has whatever Python or R that image ships.
  const lang = plan.baseImageOverridden ? "" : [plan.python ? `Python ${plan.python}` : "", plan.r ? `R ${plan.r}` : ""].filter(Boolean).join(", ");
  const rows: [string, string][] = [
    ["Buildpack", `${plan.buildpack}${lang ? ` (${lang})` : ""}`],
    ["Base image", code(plan.baseImage)],
    ["References", o.refs.length ? o.refs.map(code).join(", ") : code(r.imageName)],
    ["Image ID", r.imageId ? code(r.imageId) : "—"],
  ];
  if (o.digest) rows.push(["Digest", code(o.digest)]);
  rows.push(["Image size", r.imageSize !== undefined ? formatBytes(r.imageSize) : "—"]);
  if (r.context) rows.push(["Build context", `${r.context.fileCount} ${r.context.fileCount === 1 ? "file" : "files"}, ${formatBytes(r.context.bytes)}`]);
  if (r.engine) rows.push(["Engine", `${r.engine.kind} (${code(r.engine.client)})`]);
  if (r.build) rows.push(["Build time", seconds(r.build.durationMs)]);
  const grade = r.grade;
  if (grade) {
    const failed = grade.checks.filter((c) => !c.passed).map((c) => code(c.name));
    rows.push(["Grader", `${grade.passed ? "✅ passed" : `❌ failed: ${failed.join(", ")}`} (${grade.profile}, ${grade.checks.length} checks)`]);
  }
  if (o.check) {
    rows.push(["Run check", `${o.check.exitCode === 0 ? "✅ passed" : `❌ failed (exit code ${o.check.exitCode})`}: ${code(o.check.command)}`]);
  }
  lines.push("| | |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v} |`), "");

  const excluded = r.context?.excluded ?? [];
  lines.push("#### Left out of the build context", "");
  if (excluded.length === 0) {
    lines.push("Nothing: the whole repository was sent.", "");
  } else {
    lines.push("| Path | Reason |", "|---|---|");
    for (const e of excluded.slice(0, MAX_ROWS)) {
      const name = e.kind === "dir" ? `${e.path}/` : e.path;
      const why = [REASON[e.reason], e.detail && e.reason !== "data" && e.reason !== "git" ? code(e.detail) : "", e.keptInside ? `${e.keptInside} paths inside kept` : ""]
        .filter(Boolean)
        .join("; ");
      lines.push(`| ${code(name)} | ${why} |`);
    }
    if (excluded.length > MAX_ROWS) lines.push(`| … | ${excluded.length - MAX_ROWS} more |`);
    lines.push("");
  }

  if (o.gradeReport) lines.push("<details><summary>Grader report</summary>", "", "```", o.gradeReport.replace(/`{3,}/g, "'''"), "```", "", "</details>", "");

  const steps = r.build?.steps ?? [];
  if (steps.length) {
    lines.push("<details><summary>Build steps</summary>", "", "| Step | Status | Time |", "|---|---|---:|");
    for (const s of orderSteps(steps).slice(0, MAX_ROWS)) lines.push(`| ${code(stepName(s.name))} | ${s.status} | ${seconds(s.durationMs)} |`);
    if (steps.length > MAX_ROWS) lines.push(`| … ${steps.length - MAX_ROWS} more | | |`);
    lines.push("", "</details>", "");
  }
  return `${lines.join("\n")}\n`;
}

/** The summary of a failed run: what failed, and where to look. */
export function renderFailureSummary(message: string): string {
  return `### r2d: build failed\n\n\`\`\`\n${message.replace(/`{3,}/g, "'''")}\n\`\`\`\n\nThe step log has the builder's output.\n\n`;
}

/** Appends markdown to $GITHUB_STEP_SUMMARY (nothing when the variable is unset). */
export function writeSummary(file: string | undefined, markdown: string): void {
  if (file) appendFileSync(file, markdown);
}
