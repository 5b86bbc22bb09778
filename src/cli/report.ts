import type { BuildRepoResult, R2dEvent } from "../build-repo.js";
import { formatBytes } from "../context/describe.js";
import type { ImageFacts } from "../image-facts.js";
import type { BuildPlan } from "../plan/types.js";

// C0 controls but tab and newline (a CR only before LF: CRLF files), DEL, C1 controls (0x9b is CSI
// on many terminals), and the bidirectional overrides and isolates ("Trojan source").
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/gu;
// What JSON.stringify leaves raw of those (it escapes C0 itself), plus the line separators.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text for a terminal: whatever a terminal would act on (escape sequences, bidi overrides) shown as
 * `\x1b` / `\u{202e}`. Everything r2d prints goes through it, so a file name, a Dockerfile line or
 * build output from a hostile repository can neither forge output nor drive the terminal.
 */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (c) => {
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/** JSON.stringify, with the characters it leaves raw that terminals act on written as \u escapes (still the same JSON value). */
export function jsonText(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

type PlanFacts = Pick<BuildPlan, "buildpack" | "python" | "r" | "baseImageOverridden" | "user">;

/** The last USER of a Dockerfile's final stage ("" when it has none: the image runs as root). */
export function dockerfileUser(text: string): string {
  let user = "";
  for (const line of text.split(/\r?\n/)) {
    const from = /^\s*FROM\s/i.test(line);
    const m = /^\s*USER\s+(\S+)/i.exec(line);
    if (from) user = "";
    else if (m) user = m[1] ?? "";
  }
  return user;
}

/**
 * The language versions and the user, as true as r2d knows them: from the built image when there
 * is one; a replaced base image brings whatever Python or R it ships; a repository's own
 * Dockerfile decides its user.
 */
export function runtimeWords(plan: PlanFacts, image?: ImageFacts, dockerfileText?: string | null): string {
  const version = (declared: string | null | undefined, planned: string | null) => declared ?? (plan.baseImageOverridden || plan.buildpack === "dockerfile" ? "from the base image" : planned);
  const parts: string[] = [];
  if (plan.python) parts.push(`Python ${version(image?.python, plan.python)}`);
  if (plan.r) parts.push(`R ${version(image?.r, plan.r)}`);
  if (plan.buildpack === "dockerfile") {
    const user = image ? image.user : dockerfileUser(dockerfileText ?? "");
    parts.push(user ? `user ${user} (the Dockerfile's USER)` : "user root (the Dockerfile sets no USER)");
  } else {
    parts.push(`user ${plan.user.name} (uid ${plan.user.uid})`);
  }
  return parts.join(", ");
}

/** What r2d found, used and ignored: the answer to "why did it do that?". */
export function planSummary(plan: BuildPlan): string {
  const lines = [`buildpack: ${plan.buildpack}; base image ${plan.baseImage}; ${runtimeWords(plan, undefined, plan.dockerfileText)}`];
  for (const d of plan.detected) lines.push(`  uses    ${d.path}: ${d.use}`);
  for (const i of plan.ignored) lines.push(`  ignores ${i.path}: ${i.reason}`);
  return lines.join("\n");
}

/** `r2d: built NAME (ID, SIZE) in 19.1s, pushed DIGEST: Python 3.11.2, user jovyan (uid 1000)`. */
export function builtSummary(b: Extract<R2dEvent, { type: "built" }>): string {
  const about = [b.imageId?.replace(/^sha256:/, "").slice(0, 12), b.imageSize !== undefined ? formatBytes(b.imageSize) : undefined].filter(Boolean);
  const pushed = b.digest ? `, pushed ${b.digest}` : "";
  return `r2d: built ${b.imageName}${about.length ? ` (${about.join(", ")})` : ""} in ${(b.durationMs / 1000).toFixed(1)}s${pushed}: ${runtimeWords(b.plan, b.image)}`;
}

/** The line an event of r2d's own prints (none for progress, the plan, and debug messages without --debug). */
export function eventLine(e: R2dEvent, debug: boolean): string | undefined {
  switch (e.type) {
    case "message":
      if (e.level === "debug" && !debug) return undefined;
      return `r2d: ${e.level === "warn" ? "warning: " : ""}${e.text}`;
    case "engine":
      return `r2d: building with ${e.kind} (${e.client}): ${e.reason}`;
    case "context":
      return `r2d: context: ${e.summary}`;
    case "phase":
      return e.phase === "pushing" ? "r2d: pushing…" : e.phase === "running" ? "r2d: running…" : undefined;
    case "built":
      return builtSummary(e);
    default:
      return undefined;
  }
}

/** For API users and tests: the summary of a finished build (the CLI prints the `built` event's line). */
export function resultSummary(r: BuildRepoResult): string {
  return builtSummary({ type: "built", plan: r.plan, imageName: r.imageName, imageId: r.imageId, imageSize: r.imageSize, digest: r.digest, image: r.image, durationMs: r.build?.durationMs ?? 0 });
}
