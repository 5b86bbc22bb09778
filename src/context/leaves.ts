/**
 * The kept files and symlinks of one directory: each is lstat'ed through the directory's
 * descriptor (a file is sent at once), then each symlink is judged: never followed, sent only
 * when it resolves inside the repository, with a warning when it is absolute.
 */

import fs from "node:fs";
import fsp from "node:fs/promises";
import type { Stats } from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { specialKind } from "./classify.js";
import { errCode, isInside, toPosix } from "./paths.js";
import { mapLimit } from "./scheduler.js";
import { contextEntry, type PendingLeaf, type Walk } from "./walk-state.js";

/** Symlinks examined (readlink + realpath) concurrently per directory. */
const LINK_CONCURRENCY = 16;

/** Node decodes file names as UTF-8; a name that is not comes back mangled and cannot be opened. */
export function notUtf8(rel: string): string {
  return `skipped ${rel}: its name is not valid UTF-8, so it cannot be read (rename it)`;
}

/** lstats every leaf and sends the regular files; returns the symlinks, for `sendSymlinks`. */
export function statLeaves(walk: Walk, leaves: PendingLeaf[]): [PendingLeaf, Stats][] {
  const links: [PendingLeaf, Stats][] = [];
  for (const leaf of leaves) {
    const lst = statLeaf(walk, leaf);
    if (!lst) {
      if (leaf.rel.includes("\uFFFD")) walk.found.warnings.push(notUtf8(leaf.rel));
      continue;
    }
    if (lst.isFile()) walk.found.send(contextEntry(leaf.rel, leaf.abs, lst, "file"), leaf.parent);
    else if (lst.isSymbolicLink()) links.push([leaf, lst]);
    else if (lst.isDirectory()) continue; // became a directory during the walk: ignore
    else walk.found.leaveOut(leaf.parent, { path: leaf.rel, reason: "special", detail: specialKind(lst), kind: "other" });
  }
  return links;
}

export function sendSymlinks(walk: Walk, links: [PendingLeaf, Stats][]): Promise<void> {
  return mapLimit(links, LINK_CONCURRENCY, ([leaf, lst]) => judgeSymlink(walk, leaf, lst));
}

/**
 * lstat one kept leaf. Synchronous on purpose: for tens of thousands of small files the promise
 * API's per-call cost dominates (measured ~2x slower than lstatSync here); a directory's worth of
 * lstat calls blocks the event loop only briefly, and directories are still read asynchronously.
 */
function statLeaf(walk: Walk, leaf: PendingLeaf): Stats | undefined {
  try {
    // undefined: vanished during the walk
    return fs.lstatSync(walk.handles.inside(leaf.parent.dir!, leaf.dirent.name), { throwIfNoEntry: false });
  } catch (err) {
    throw new ConfigError(`cannot stat ${leaf.rel}: ${(err as Error).message}`, {
      hint: `fix the permissions of its directory, or leave it out with a .dockerignore entry or --exclude ${leaf.rel}`,
      cause: err,
    });
  }
}

/** Sends a symlink that stays inside the repository; one that leads outside is left out with a warning. */
async function judgeSymlink(walk: Walk, leaf: PendingLeaf, st: Stats): Promise<void> {
  const { root, realRoot, found } = walk;
  const { rel, abs, parent } = leaf;
  const at = walk.handles.inside(parent.dir!, leaf.dirent.name);
  let target: string;
  try {
    target = await fsp.readlink(at);
  } catch (err) {
    if (errCode(err) === "ENOENT") return;
    throw new ConfigError(`cannot read symlink ${rel}: ${(err as Error).message}`, { cause: err });
  }
  const lexical = path.resolve(path.dirname(abs), target);
  let inside = isInside(root, lexical) || (path.isAbsolute(target) && isInside(realRoot, lexical));
  let real: string | undefined;
  try {
    real = await fsp.realpath(at);
  } catch {
    real = undefined; // dangling, a loop, or unreadable: judged on the text alone
  }
  if (real !== undefined) {
    if (!isInside(realRoot, real)) inside = false;
    else if (path.isAbsolute(target)) inside = true; // e.g. absolute path through a symlinked root
  }
  if (!inside) {
    found.leaveOut(parent, { path: rel, reason: "symlink-outside", detail: target, kind: "symlink" });
    found.warnings.push(`skipped symlink ${rel} -> ${target}: it points outside the repository`);
    return;
  }
  if (path.isAbsolute(target)) {
    found.warnings.push(
      `symlink ${rel} -> ${target} is absolute: it is sent as is and will not resolve inside the image (make it relative)`,
    );
  }
  if (real !== undefined) {
    found.sentSymlinks.push({ rel, realRel: toPosix(path.relative(realRoot, real)), target });
  }
  found.send(contextEntry(rel, abs, st, "symlink", target), parent);
}
