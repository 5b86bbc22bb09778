import type { BuildRepoResult, R2dEvent } from "../build-repo.js";
import { formatBytes } from "../context/index.js";
import type { BuildPlan } from "../plan/types.js";

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
export function createReporter(opts: { tty: boolean; debug: boolean; write: (s: string) => void }): (e: R2dEvent) => void {
  const { write } = opts;
  let live = false;
  const clear = () => {
    if (live) write("\r\x1b[2K");
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
