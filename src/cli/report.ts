import type { BuildRepoResult, R2dEvent } from "../build-repo.js";
import { formatBytes } from "../context/index.js";
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

/** What r2d found, used and ignored: the answer to "why did it do that?". */
export function planSummary(plan: BuildPlan): string {
  const lines = [
    `buildpack: ${plan.buildpack}${plan.python ? `, Python ${plan.python}` : ""}${plan.r ? `, R ${plan.r}` : ""}; base image ${plan.baseImage}; user ${plan.user.name} (uid ${plan.user.uid})`,
  ];
  for (const d of plan.detected) lines.push(`  uses    ${d.path}: ${d.use}`);
  for (const i of plan.ignored) lines.push(`  ignores ${i.path}: ${i.reason}`);
  return lines.join("\n");
}

/**
 * Turns pipeline events into stderr output: a live line per running step on a terminal,
 * one line per finished step otherwise. Build logs are kept for failures (and --debug).
 */
export function createReporter(opts: { tty: boolean; debug: boolean; write: (s: string) => void; control?: (s: string) => void }): (e: R2dEvent) => void {
  const { write } = opts;
  // The reporter's own escape sequence goes around the writer, which escapes any in the text.
  const control = opts.control ?? write;
  let live = false;
  const clear = () => {
    if (live) control("\r\x1b[2K");
    live = false;
  };
  const line = (s: string) => {
    clear();
    write(`${s}\n`);
  };
  return (e) => {
    switch (e.type) {
      case "message":
        if (e.level !== "debug" || opts.debug) line(`r2d: ${e.level === "warn" ? "warning: " : ""}${e.text}`);
        break;
      case "engine":
        line(`r2d: building with ${e.kind} (${e.client}): ${e.reason}`);
        break;
      case "context":
        line(`r2d: context: ${e.summary}`);
        break;
      case "phase":
        if (e.phase === "pushing" || e.phase === "running") line(`r2d: ${e.phase}…`);
        break;
      case "progress": {
        const p = e.event;
        if (p.type === "warning") line(`r2d: builder warning: ${p.text}`);
        else if (p.type === "log") {
          if (opts.debug) line(`    ${p.text}`);
        } else {
          const pos = p.index !== undefined && p.total !== undefined ? `step ${p.index}/${p.total} ` : "";
          const time = p.durationMs !== undefined ? ` ${(p.durationMs / 1000).toFixed(1)}s` : "";
          const name = p.name.replace(/^\[[^\]]*\]\s*/, "").replace(/--mount=\S+\s+/g, "").replace(/\s+/g, " ").slice(0, 100);
          if (p.status === "started") {
            if (opts.tty) {
              clear();
              write(`  … ${pos}${name}`);
              live = true;
            }
          } else {
            const mark = { done: "done", cached: "cached", error: "ERROR", canceled: "canceled" }[p.status];
            if (p.status === "done" && !pos && !opts.debug) break; // internal steps (context transfer, metadata)
            line(`  ${mark.padEnd(6)} ${pos}${name}${time}`);
          }
        }
        break;
      }
    }
  };
}

export function resultSummary(r: BuildRepoResult): string {
  const parts = [`r2d: built ${r.imageName}`];
  if (r.imageId) parts.push(r.imageId.replace(/^sha256:/, "").slice(0, 12));
  if (r.imageSize !== undefined) parts.push(formatBytes(r.imageSize));
  if (r.build) parts.push(`in ${(r.build.durationMs / 1000).toFixed(1)}s`);
  if (r.digest) parts.push(`pushed ${r.digest}`);
  return parts.join(", ");
}
