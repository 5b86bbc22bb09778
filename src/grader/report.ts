/**
 * The grade as people read it (a short pass/fail line per check, with the reason and a hint)
 * and as programs read it (the GradeResult itself, as JSON).
 */
import { humanBytes, humanDuration, tailLines } from "./checks.js";
import type { GradeResult } from "./types.js";

/** The human report: headline, one line per check, hints under failures, the output tail when it failed. */
export function formatGradeReport(g: GradeResult, opts: { logLines?: number } = {}): string {
  const failed = g.checks.filter((c) => !c.passed);
  const lines: string[] = [];
  lines.push(`r2d grade (${g.profile}): ${g.passed ? "PASSED" : `FAILED, ${failed.length} of ${g.checks.length} checks`} — ${g.image}`);
  const facts = [
    g.user ? `user ${g.user.name ?? "?"} (uid ${g.user.uid ?? "?"})` : null,
    `ran ${humanDuration(g.durationMs)}`,
    g.peakMemoryBytes !== null ? `peak memory ${humanBytes(g.peakMemoryBytes)}${g.limits.memory ? ` of ${g.limits.memory}` : ""}` : "peak memory not measured",
    g.exitCode !== null ? `exit ${g.exitCode}` : null,
  ].filter(Boolean);
  lines.push(`  ${facts.join(", ")}`);
  const width = Math.max(...g.checks.map((c) => c.name.length), 8);
  for (const c of g.checks) {
    lines.push(`  ${c.passed ? "pass" : "FAIL"}  ${c.name.padEnd(width)}  ${c.reason}`);
    if (!c.passed && c.hint) lines.push(`        ${" ".repeat(width)}  hint: ${c.hint}`);
  }
  if (!g.passed) {
    const n = opts.logLines ?? 10;
    const out = [g.logs.stderr.trim() && `stderr:\n${indent(tailLines(g.logs.stderr, n))}`, g.logs.stdout.trim() && `stdout:\n${indent(tailLines(g.logs.stdout, n))}`].filter(Boolean);
    if (out.length) lines.push(`  last lines of the container's output:`, ...out.map((o) => indent(String(o))));
    if (g.command) lines.push(`  to run it by hand: ${g.command}`);
  }
  return lines.join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}

/** The JSON form: the result as is (stable field names, bytes and milliseconds as numbers). */
export function gradeJson(g: GradeResult): string {
  return JSON.stringify(g, null, 2);
}
