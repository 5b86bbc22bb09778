/**
 * One directory's entries sorted, name by name: `.git` and excluded entries are listed as left out,
 * subdirectories become nodes to walk (an excluded one only when an exception may match below it:
 * BuildKit fsutil's rule, with a tighter "could match" test), and kept files and symlinks are
 * queued to be lstat'ed. Nothing is stat'ed here: the dirent's type is enough.
 */

import type { Dirent, Stats } from "node:fs";
import path from "node:path";
import type { Evaluation } from "./patterns.js";
import { exclusion, flagExclusion } from "./select-rules.js";
import { childNode, excludedChildNode, type DirNode, type PendingLeaf, type Walk } from "./walk-state.js";

export function classifyEntries(walk: Walk, node: DirNode, dirents: Dirent[], children: DirNode[], leaves: PendingLeaf[]): void {
  const { rules, found } = walk;
  // Concatenated, not path.join: names never contain a separator, and join's normalising was
  // a tenth of the walk on 100k files.
  const absPrefix = node.abs.endsWith(path.sep) ? node.abs : node.abs + path.sep;
  for (const d of dirents) {
    const name = d.name;
    const rel = node.rel ? `${node.rel}/${name}` : name;
    const abs = absPrefix + name;
    const isDir = d.isDirectory();
    if (rules.excludeGit && name === ".git") {
      found.leaveOut(node, { path: rel, reason: "git", detail: ".git", kind: isDir ? "dir" : d.isSymbolicLink() ? "symlink" : "file" });
      continue;
    }
    const di = rules.ignore.evaluate(rel, node.di);
    const ex = rules.flags.evaluate(rel, node.ex);
    const isExcluded = !rules.keep.has(rel) && (di.excluded || ex.excluded);

    if (isDir) {
      const child = isExcluded ? excludedDir(walk, node, rel, abs, di, ex) : childNode(node, rel, abs, di.matched, ex.matched);
      if (child) children.push(child);
    } else if (isExcluded) {
      const { reason, detail } = exclusion(rel, di, ex);
      found.leaveOut(node, { path: rel, reason, detail, kind: d.isSymbolicLink() ? "symlink" : d.isFile() ? "file" : "other" });
    } else if (d.isFile() || d.isSymbolicLink()) {
      leaves.push({ rel, abs, parent: node, dirent: d });
    } else {
      found.leaveOut(node, { path: rel, reason: "special", detail: specialKind(d), kind: "other" });
    }
  }
}

/**
 * An excluded subdirectory: listed as left out, and a node to walk only when an exception of
 * every list that excludes it may match below it (or a `keep` path is inside).
 */
function excludedDir(walk: Walk, parent: DirNode, rel: string, abs: string, di: Evaluation, ex: Evaluation): DirNode | undefined {
  const { rules, found } = walk;
  const diBlocks = di.excluded && !rules.ignore.exceptionMayMatchBelow(rel);
  const exBlocks = ex.excluded && !rules.flags.exceptionMayMatchBelow(rel);
  const skip = !rules.keepDirs.has(rel) && (diBlocks || exBlocks);
  // Skipped only because of the flags: the flags' pattern is the one to name.
  const why = skip && !diBlocks ? flagExclusion(rel, ex) : exclusion(rel, di, ex);
  const entry = found.leaveOut(parent, { path: rel, reason: why.reason, detail: why.detail, kind: "dir" });
  if (skip) return undefined; // never opened
  const coverEntries = entry ? [...(parent.coverEntries ?? []), entry] : parent.coverEntries;
  return excludedChildNode(parent, rel, abs, di.matched, ex.matched, why.reason, coverEntries);
}

/** What a non-file, non-directory, non-symlink entry is, in words. */
export function specialKind(d: Dirent | Stats): string {
  if (d.isSocket()) return "socket";
  if (d.isFIFO()) return "fifo";
  if (d.isBlockDevice()) return "block device";
  if (d.isCharacterDevice()) return "character device";
  return "unknown file type";
}
