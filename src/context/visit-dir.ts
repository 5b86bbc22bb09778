/**
 * One directory of the walk: opened beneath its parent's descriptor (never through a symlink),
 * read, sent, its entries sorted, its kept leaves stat'ed. Returns the subdirectories to walk,
 * each holding a reference on this directory's descriptor until it has opened itself from it.
 */

import fs from "node:fs";
import fsp from "node:fs/promises";
import type { Dirent, Stats } from "node:fs";
import { ConfigError } from "../errors.js";
import { classifyEntries } from "./classify.js";
import type { DirHandle } from "./dir-handles.js";
import { notUtf8, sendSymlinks, statLeaves } from "./leaves.js";
import { errCode } from "./paths.js";
import { clip } from "./verify.js";
import { contextEntry, type DirNode, type PendingLeaf, type Walk } from "./walk-state.js";

export async function visitDir(walk: Walk, node: DirNode): Promise<DirNode[]> {
  const st = node.parent ? openDir(walk, node) : undefined;
  if (node.parent && !st) return [];
  const dir = node.dir!;
  try {
    const children = await readDir(walk, node, st, dir);
    dir.refs += children.length; // each child opens itself from this descriptor, then releases it
    return children;
  } finally {
    walk.handles.release(dir);
  }
}

/**
 * Opens a subdirectory from its parent's descriptor, never through a symlink. Undefined when it
 * vanished or became a file; a directory swapped for a symlink during the walk is an error.
 */
function openDir(walk: Walk, node: DirNode): Stats | undefined {
  const { handles } = walk;
  const parent = node.parent!.dir!;
  const name = node.rel.slice(node.rel.lastIndexOf("/") + 1);
  try {
    const { dir, stat } = handles.openChild(parent, name, node.abs);
    node.dir = dir;
    return stat;
  } catch (err) {
    const code = errCode(err);
    if (code === "ELOOP" || code === "ENOTDIR") {
      let target: string | undefined;
      try {
        target = fs.readlinkSync(handles.inside(parent, name));
      } catch {
        return undefined; // became a file during the walk: ignore it, as a vanished entry
      }
      throw new ConfigError(
        `${node.rel} changed while the build context was being selected (it is now a symlink to ${clip(target)}; it was a directory)`,
        { hint: "something replaced it during the build; run the build again once nothing is writing into the repository" },
      );
    }
    if (code === "ENOENT") {
      if (node.rel.includes("\uFFFD")) walk.found.warnings.push(notUtf8(node.rel));
      return undefined;
    }
    if (node.excluded && (code === "EACCES" || code === "EPERM")) return undefined; // as BuildKit does
    throw cannotRead(node, err);
  } finally {
    handles.release(parent);
  }
}

async function readDir(walk: Walk, node: DirNode, st: Stats | undefined, dir: DirHandle): Promise<DirNode[]> {
  let dirents: Dirent[];
  try {
    dirents = await fsp.readdir(dir.base, { withFileTypes: true });
  } catch (err) {
    const code = errCode(err);
    if (code === "ENOENT" || code === "ENOTDIR") return []; // removed while open
    if (node.excluded && (code === "EACCES" || code === "EPERM")) return []; // as BuildKit does
    throw cannotRead(node, err);
  }
  if (st) walk.found.opened(node, contextEntry(node.rel, node.abs, st, "dir"));
  const children: DirNode[] = [];
  const leaves: PendingLeaf[] = [];
  classifyEntries(walk, node, dirents, children, leaves);
  const links = statLeaves(walk, leaves);
  if (links.length > 0) await sendSymlinks(walk, links);
  return children;
}

function cannotRead(node: DirNode, err: unknown): ConfigError {
  return new ConfigError(`cannot read directory ${node.rel || "."}: ${(err as Error).message}`, {
    hint: `fix its permissions, or leave it out with a .dockerignore entry or --exclude ${node.rel}`,
    cause: err,
  });
}
