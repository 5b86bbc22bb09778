/**
 * The layout shared by contextTar and materializeContext: the selection under `prefix`, then r2d's
 * generated files at their own paths. Deterministic: same selection + extras → same entries, same order.
 */

import path from "node:path";
import { ConfigError } from "../errors.js";
import type { ContextFile, ContextSelection, ExtraFile } from "./types.js";

/** mtime of entries r2d synthesises (prefix directories, generated files): fixed for stable output. */
export const SYNTHETIC_MTIME = new Date(0);

export interface LayoutEntry {
  /** Posix path inside the tar/directory, no trailing slash. */
  name: string;
  type: "dir" | "file" | "symlink";
  mode: number;
  mtime: Date;
  /** Context entry this comes from (absent for synthesised entries). */
  source?: ContextFile;
  /** Content of a generated file. */
  content?: Buffer;
  linkTarget?: string;
}

/** `"src/"`, `"src"`, `"./src/"` → `"src"`; `""` → `""`. Throws on absolute or escaping paths. */
export function normalizeInnerPath(p: string, what: string): string {
  const s = p.replace(/\\/g, "/");
  if (s.startsWith("/")) throw new ConfigError(`${what} "${p}" must be a relative path`);
  const n = path.posix.normalize(s === "" ? "." : s).replace(/\/+$/, "");
  if (n === "." || n === "") return "";
  if (n === ".." || n.startsWith("../")) throw new ConfigError(`${what} "${p}" must not leave the context`);
  return n;
}

/** The folders above `p`, outermost first: `a/b/c` → `a`, `a/b`. */
export function parentsOf(p: string): string[] {
  const out: string[] = [];
  let d = path.posix.dirname(p);
  while (d !== "." && d !== "/") {
    out.unshift(d);
    d = path.posix.dirname(d);
  }
  return out;
}

export function planLayout(sel: ContextSelection, prefixOpt: string, extra: ExtraFile[]): LayoutEntry[] {
  const prefix = normalizeInnerPath(prefixOpt, "context prefix");
  const entries: LayoutEntry[] = [];
  const kinds = new Map<string, LayoutEntry["type"]>();

  if (prefix) {
    for (const d of [...parentsOf(prefix), prefix]) {
      entries.push({ name: d, type: "dir", mode: 0o755, mtime: SYNTHETIC_MTIME });
      kinds.set(d, "dir");
    }
  }

  // Generated files win over a context file at the same place (e.g. the repo's own Dockerfile with prefix "").
  const extraNames = new Map<string, ExtraFile>();
  for (const x of extra) {
    const name = normalizeInnerPath(x.path, "generated file path");
    if (name === "") throw new ConfigError(`generated file path "${x.path}" is empty`);
    if (extraNames.has(name)) throw new ConfigError(`two generated files share the path ${name}`);
    extraNames.set(name, x);
  }

  for (const f of sel.files) {
    const name = prefix ? `${prefix}/${f.rel}` : f.rel;
    if (extraNames.has(name)) {
      if (f.type === "dir") {
        throw new ConfigError(`generated file ${name} would replace the directory ${f.rel} of the repository`);
      }
      continue;
    }
    const e: LayoutEntry = { name, type: f.type, mode: f.mode, mtime: new Date(f.mtimeMs), source: f };
    if (f.linkTarget !== undefined) e.linkTarget = f.linkTarget;
    entries.push(e);
    kinds.set(name, f.type);
  }

  for (const [name, x] of extraNames) {
    for (const d of parentsOf(name)) {
      const k = kinds.get(d);
      if (k === undefined) {
        entries.push({ name: d, type: "dir", mode: 0o755, mtime: SYNTHETIC_MTIME });
        kinds.set(d, "dir");
      } else if (k !== "dir") {
        throw new ConfigError(`generated file ${name} needs ${d} to be a directory, but the repository has a ${k} there`);
      }
    }
    const content = typeof x.content === "string" ? Buffer.from(x.content, "utf8") : x.content;
    entries.push({ name, type: "file", mode: (x.mode ?? 0o644) & 0o7777, mtime: SYNTHETIC_MTIME, content });
    kinds.set(name, "file");
  }
  return entries;
}
