/**
 * describeSelection: one line for humans, e.g.
 * "sent 12 files, 34.5 kB; left out: data/ (data directory), .git (version control),
 *  2 paths (.dockerignore), secrets.txt -> /etc/passwd (symlink outside the repository)"
 */

import type { ContextSelection, ExcludedEntry, ExcludedReason } from "./types.js";

/** Decimal units, as Docker prints context sizes. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

const LABEL: Record<ExcludedReason, string> = {
  data: "data directory",
  git: "version control",
  dockerignore: ".dockerignore",
  exclude: "--exclude",
  "symlink-outside": "symlink outside the repository",
  special: "socket, FIFO or device",
};
const ORDER: ExcludedReason[] = ["data", "git", "exclude", "dockerignore", "symlink-outside", "special"];
/** Up to this many entries of one reason are named; more are counted. Skipped symlinks are worth naming. */
const nameAtMost = (reason: ExcludedReason) => (reason === "symlink-outside" ? 3 : 1);

function shorten(s: string, max = 40): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function name(e: ExcludedEntry): string {
  const base = e.kind === "dir" ? `${e.path}/` : e.path;
  return e.reason === "symlink-outside" && e.detail ? `${base} -> ${shorten(e.detail)}` : base;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function describeSelection(sel: ContextSelection): string {
  const head = `sent ${plural(sel.fileCount, "file", "files")}, ${formatBytes(sel.bytes)}`;
  const parts: string[] = [];
  for (const reason of ORDER) {
    const group = sel.excluded.filter((e) => e.reason === reason);
    if (group.length === 0) continue;
    const label = LABEL[reason];
    const kept = group.reduce((s, e) => s + (e.keptInside ?? 0), 0);
    const keptNote = kept > 0 ? `; ${plural(kept, "path", "paths")} inside kept` : "";
    if (group.length <= nameAtMost(reason)) {
      for (const e of group) {
        const k = e.keptInside ? `; ${plural(e.keptInside, "path", "paths")} inside kept` : "";
        parts.push(`${name(e)} (${label}${k})`);
      }
    } else {
      parts.push(`${plural(group.length, "path", "paths")} (${label}${keptNote})`);
    }
  }
  return parts.length > 0 ? `${head}; left out: ${parts.join(", ")}` : head;
}
