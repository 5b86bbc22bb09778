/**
 * selectContext: walk the build root and decide, Docker-style, exactly which entries are sent.
 *
 * - Excluded directories are not opened, unless an exception (`!pattern`, `includes`, `keep`) could
 *   match something inside them (BuildKit fsutil's rule, with a tighter "could match" test).
 * - `.dockerignore`/`.containerignore` and `excludes`/`includes` are two independent pattern lists;
 *   a path is sent only when neither excludes it. `keep` overrides both; `.git` overrides all.
 * - Symlinks are never followed; ones resolving outside the root are skipped with a warning.
 * - Only kept entries are lstat'ed; the walk is iterative and reads a few directories at a time.
 * - Each directory is opened beneath its parent's descriptor and looked into through it
 *   (dir-handles.ts), so a folder swapped for a symlink mid-walk cannot lead the walk outside.
 *   Every sent entry records its identity (device, inode) for the send-time checks (verify.ts).
 *
 * The pieces: select-rules.ts (patterns, keep), walk-state.ts (directory nodes, what was found),
 * scheduler.ts (concurrency), visit-dir.ts (one directory), classify.ts (its entries), leaves.ts
 * (lstat, symlinks); this file checks the root and sums up.
 */

import fsp from "node:fs/promises";
import type { Stats } from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { DirHandles, type DirHandle } from "./dir-handles.js";
import { selectionRules, type SelectionRules } from "./select-rules.js";
import { walkTree } from "./scheduler.js";
import type { ContextOptions, ContextSelection } from "./types.js";
import { visitDir } from "./visit-dir.js";
import { Findings, rootNode, type Walk } from "./walk-state.js";

/** Directories read concurrently. */
const DIR_CONCURRENCY = 16;

export async function selectContext(opts: ContextOptions): Promise<ContextSelection> {
  const root = path.resolve(opts.root);
  let rootStat: Stats;
  try {
    rootStat = await fsp.stat(root);
  } catch (err) {
    throw new ConfigError(`build root ${root} does not exist or cannot be read: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!rootStat.isDirectory()) throw new ConfigError(`build root ${root} is not a directory`);
  const realRoot = await fsp.realpath(root);
  let opened: ReturnType<typeof DirHandles.openRoot>;
  try {
    opened = DirHandles.openRoot(root);
  } catch (err) {
    throw new ConfigError(`cannot read the build root ${root}: ${(err as Error).message}`, { hint: "fix its permissions", cause: err });
  }
  try {
    return await selectOpened(root, realRoot, opened.handles, opened.root, opts);
  } finally {
    opened.handles.closeAll();
  }
}

async function selectOpened(
  root: string,
  realRoot: string,
  handles: DirHandles,
  rootDir: DirHandle,
  opts: ContextOptions,
): Promise<ContextSelection> {
  const found = new Findings();
  const rules = selectionRules(root, realRoot, opts, handles.viaFd, found.warnings);
  const walk: Walk = { root, realRoot, handles, rules, found };
  await walkTree(rootNode(root, rootDir), DIR_CONCURRENCY, (node) => visitDir(walk, node));
  return summarize(root, rules, found);
}

/** The selection, sorted, with the warnings only the whole walk can give (dangling links, unused includes). */
function summarize(root: string, rules: SelectionRules, found: Findings): ContextSelection {
  const { files, excluded, warnings } = found;
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  excluded.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  if (found.sentSymlinks.length > 0) {
    const sent = new Set(files.map((f) => f.rel));
    for (const l of found.sentSymlinks) {
      if (l.realRel !== "" && !sent.has(l.realRel)) {
        warnings.push(
          `symlink ${l.rel} -> ${l.target} is sent but its target ${l.realRel} is left out: the link will dangle in the image`,
        );
      }
    }
  }
  for (const r of rules.flags.rules) {
    if (r.kind === "include" && r.hits === 0) {
      warnings.push(`--include ${r.text} matched nothing in ${root}`);
    }
  }
  warnings.sort();

  let bytes = 0;
  let fileCount = 0;
  for (const f of files) {
    if (f.type !== "dir") fileCount++;
    bytes += f.size;
  }
  return { root, files, fileCount, bytes, excluded, warnings };
}
