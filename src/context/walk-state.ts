/**
 * The walk's shared state: a node per directory met, and what the walk found (entries sent,
 * entries left out, symlinks sent, warnings), with the bookkeeping that lists a directory walked
 * only for its exceptions once something inside it is sent, and counts what was kept inside an
 * excluded directory.
 */

import type { Dirent, Stats } from "node:fs";
import type { DirHandle, DirHandles } from "./dir-handles.js";
import type { SelectionRules } from "./select-rules.js";
import type { ContextFile, ExcludedEntry, ExcludedReason } from "./types.js";

export interface DirNode {
  rel: string;
  abs: string;
  parent: DirNode | undefined;
  /** Per-rule match results for the ignore-file rules and the excludes/includes rules. */
  di: Uint8Array | undefined;
  ex: Uint8Array | undefined;
  /** The directory itself is excluded; it is walked only because an exception may match below. */
  excluded: boolean;
  /** Reason this directory was excluded with; excluded children with the same reason are not listed. */
  coverReason: ExcludedReason | undefined;
  /** Recorded excluded-directory entries on the path from the root (for `keptInside`). */
  coverEntries: ExcludedEntry[] | undefined;
  /** Set once the directory has been opened and fstat'ed (never for the root). */
  entry: ContextFile | undefined;
  emitted: boolean;
  /** The open directory, while it is read and until its subdirectories are opened from it. */
  dir: DirHandle | undefined;
}

/** A kept file or symlink of a directory being read, to be lstat'ed. */
export interface PendingLeaf {
  rel: string;
  abs: string;
  parent: DirNode;
  dirent: Dirent;
}

export interface SentSymlink {
  rel: string;
  /** Its resolved target, relative to the real root. */
  realRel: string;
  target: string;
}

/** Everything one walk shares: where it is, how it looks into directories, the rules, what it found. */
export interface Walk {
  root: string;
  realRoot: string;
  handles: DirHandles;
  rules: SelectionRules;
  found: Findings;
}

// The three node shapes are written out (same properties, same order) rather than built by one
// many-argument helper: every node then shares one hidden class.

export function rootNode(root: string, dir: DirHandle): DirNode {
  return {
    rel: "",
    abs: root,
    parent: undefined,
    di: undefined,
    ex: undefined,
    excluded: false,
    coverReason: undefined,
    coverEntries: undefined,
    entry: undefined,
    emitted: true,
    dir,
  };
}

/** A subdirectory that is sent (as long as it can be opened). */
export function childNode(parent: DirNode, rel: string, abs: string, di: Uint8Array, ex: Uint8Array): DirNode {
  return {
    rel,
    abs,
    parent,
    di,
    ex,
    excluded: false,
    coverReason: undefined,
    coverEntries: parent.coverEntries,
    entry: undefined,
    emitted: false,
    dir: undefined,
  };
}

/** An excluded subdirectory walked only because an exception may match below it. */
export function excludedChildNode(
  parent: DirNode,
  rel: string,
  abs: string,
  di: Uint8Array,
  ex: Uint8Array,
  coverReason: ExcludedReason,
  coverEntries: ExcludedEntry[] | undefined,
): DirNode {
  return {
    rel,
    abs,
    parent,
    di,
    ex,
    excluded: true,
    coverReason,
    coverEntries,
    entry: undefined,
    emitted: false,
    dir: undefined,
  };
}

/** The entry sent for a walked path, from its lstat/fstat. */
export function contextEntry(rel: string, abs: string, st: Stats, type: ContextFile["type"], linkTarget?: string): ContextFile {
  const f: ContextFile = {
    rel,
    abs,
    type,
    size: type === "file" ? st.size : 0,
    mode: st.mode & 0o7777,
    mtimeMs: st.mtimeMs,
    dev: st.dev,
    ino: st.ino,
  };
  if (linkTarget !== undefined) f.linkTarget = linkTarget;
  return f;
}

export class Findings {
  readonly files: ContextFile[] = [];
  readonly excluded: ExcludedEntry[] = [];
  readonly sentSymlinks: SentSymlink[] = [];
  readonly warnings: string[] = [];

  /**
   * A directory has been opened: it is sent now, unless it is walked only for its exceptions
   * (then it is sent with the first entry sent from inside it).
   */
  opened(node: DirNode, entry: ContextFile): void {
    node.entry = entry;
    if (!node.excluded && node.parent) {
      node.emitted = true;
      this.send(entry, node.parent);
    }
  }

  /** Sends an entry of `parent` (and any excluded directories above it not yet sent). */
  send(f: ContextFile, parent: DirNode): void {
    this.sendDirs(parent);
    this.files.push(f);
    if (f.type !== "dir" && parent.coverEntries) {
      for (const e of parent.coverEntries) e.keptInside = (e.keptInside ?? 0) + 1;
    }
  }

  /** Lists an entry of `parent` as left out, unless the parent's own exclusion already implies it. */
  leaveOut(parent: DirNode, e: ExcludedEntry): ExcludedEntry | undefined {
    if (e.reason !== "git" && parent.coverReason === e.reason) return undefined; // implied by the parent
    this.excluded.push(e);
    return e;
  }

  private sendDirs(node: DirNode): void {
    if (node.emitted) return;
    const chain: DirNode[] = [];
    for (let n: DirNode | undefined = node; n && !n.emitted; n = n.parent) chain.push(n);
    for (let i = chain.length - 1; i >= 0; i--) {
      const n = chain[i]!;
      n.emitted = true;
      if (n.entry) this.files.push(n.entry);
    }
  }
}
