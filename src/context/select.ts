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
 * Longer than most files here: one walk over shared state (closures); the parts that stand alone
 * live in patterns.ts, dir-handles.ts and ignore-file.ts.
 */

import fs from "node:fs";
import fsp from "node:fs/promises";
import type { Dirent, Stats } from "node:fs";
import path from "node:path";
import { asError, ConfigError } from "../errors.js";
import { DirHandles, type DirHandle } from "./dir-handles.js";
import { readIgnoreFile } from "./ignore-file.js";
import { makeRule, normalizeLine, readIgnoreLines, RuleSet, type Evaluation, type Rule } from "./patterns.js";
import type { ContextFile, ContextOptions, ContextSelection, ExcludedEntry, ExcludedReason } from "./types.js";
import { clip } from "./verify.js";

const IGNORE_FILES = [".dockerignore", ".containerignore"] as const;
/** Directories read concurrently. */
const DIR_CONCURRENCY = 16;
/** Symlinks examined (readlink + realpath) concurrently per directory. */
const LINK_CONCURRENCY = 16;

interface DirNode {
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

interface PendingLeaf {
  rel: string;
  abs: string;
  parent: DirNode;
  dirent: Dirent;
}

function toPosix(p: string): string {
  return path.sep === "/" ? p : p.split(path.sep).join("/");
}

function isInside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r === "" || (!r.startsWith(`..${path.sep}`) && r !== ".." && !path.isAbsolute(r));
}

/** A user-supplied relative path, normalised to posix, or undefined if it leaves the root. */
function cleanRel(p: string): string | undefined {
  const n = path.posix.normalize(toPosix(p).replace(/^\/+/, ""));
  if (n === "." || n === "") return "";
  const stripped = n.replace(/\/+$/, "");
  if (stripped === ".." || stripped.startsWith("../")) return undefined;
  return stripped;
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function specialKind(d: Dirent | Stats): string {
  if (d.isSocket()) return "socket";
  if (d.isFIFO()) return "fifo";
  if (d.isBlockDevice()) return "block device";
  if (d.isCharacterDevice()) return "character device";
  return "unknown file type";
}

/** Node decodes file names as UTF-8; a name that is not comes back mangled and cannot be opened. */
function notUtf8(rel: string): string {
  return `skipped ${rel}: its name is not valid UTF-8, so it cannot be read (rename it)`;
}

function describeRule(rule: Rule): string {
  const where = rule.source.line !== undefined ? `${rule.source.file}:${rule.source.line}` : rule.source.file;
  return `${clip(rule.text)} (${where})`;
}

function readIgnoreRules(
  root: string,
  realRoot: string,
  dirRel: string,
  viaFd: boolean,
  warnings: string[],
): { rules: Rule[]; files: string[] } {
  const rules: Rule[] = [];
  const files: string[] = [];
  for (const name of IGNORE_FILES) {
    const rel = dirRel ? `${dirRel}/${name}` : name;
    const content = readIgnoreFile(root, realRoot, rel, viaFd, warnings);
    if (content === undefined) continue;
    files.push(rel);
    for (const l of readIgnoreLines(content)) {
      rules.push(makeRule(l.text, l.pattern, "ignore", { file: rel, line: l.line }));
    }
  }
  return { rules, files };
}

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
  const warnings: string[] = [];

  // --- patterns -----------------------------------------------------------------------------
  const ignoreDir = cleanRel(opts.ignoreFileDir ?? "");
  if (ignoreDir === undefined) {
    throw new ConfigError(`ignore-file directory ${opts.ignoreFileDir} is outside the build root`);
  }
  const ignore = readIgnoreRules(root, realRoot, ignoreDir, handles.viaFd, warnings);
  const diSet = new RuleSet(ignore.rules);

  const exRules: Rule[] = [];
  for (const e of opts.excludes ?? []) {
    if (e.trim() === "") continue;
    exRules.push(makeRule(e.trim(), normalizeLine(e), "exclude", { file: "--exclude" }));
  }
  for (const inc of opts.includes ?? []) {
    const t = inc.trim();
    if (t === "") continue;
    exRules.push(makeRule(t, `!${normalizeLine(t)}`, "include", { file: "--include" }));
  }
  const exSet = new RuleSet(exRules);

  const keepSet = new Set<string>();
  const keepDirs = new Set<string>();
  for (const k of [...(opts.keep ?? []), ...ignore.files]) {
    const c = cleanRel(k);
    if (!c) continue;
    keepSet.add(c);
    let d = path.posix.dirname(c);
    while (d !== ".") {
      keepDirs.add(d);
      d = path.posix.dirname(d);
    }
  }
  const excludeGit = opts.excludeGit ?? true;

  // --- results ------------------------------------------------------------------------------
  const files: ContextFile[] = [];
  const excluded: ExcludedEntry[] = [];
  const sentSymlinks: { rel: string; realRel: string; target: string }[] = [];

  const ensureEmitted = (node: DirNode): void => {
    if (node.emitted) return;
    const chain: DirNode[] = [];
    for (let n: DirNode | undefined = node; n && !n.emitted; n = n.parent) chain.push(n);
    for (let i = chain.length - 1; i >= 0; i--) {
      const n = chain[i]!;
      n.emitted = true;
      if (n.entry) files.push(n.entry);
    }
  };
  const emit = (f: ContextFile, parent: DirNode): void => {
    ensureEmitted(parent);
    files.push(f);
    if (f.type !== "dir" && parent.coverEntries) {
      for (const e of parent.coverEntries) e.keptInside = (e.keptInside ?? 0) + 1;
    }
  };

  const decide = (
    rel: string,
    di: Evaluation,
    ex: Evaluation,
  ): { reason: ExcludedReason; detail: string } => {
    if (di.excluded) return { reason: "dockerignore", detail: di.deciding ? describeRule(di.deciding) : "" };
    const r = ex.deciding;
    const reason: ExcludedReason = r && r.kind === "exclude" && r.pattern === "data" ? "data" : "exclude";
    return { reason, detail: r ? describeRule(r) : rel };
  };

  const record = (parent: DirNode, e: ExcludedEntry): ExcludedEntry | undefined => {
    if (e.reason !== "git" && parent.coverReason === e.reason) return undefined; // implied by the parent
    excluded.push(e);
    return e;
  };

  // --- the walk -----------------------------------------------------------------------------
  const rootNode: DirNode = {
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
    dir: rootDir,
  };

  const leafEntry = (rel: string, abs: string, st: Stats, type: ContextFile["type"], linkTarget?: string) => {
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
  };

  const handleSymlink = async (leaf: PendingLeaf, st: Stats): Promise<void> => {
    const { rel, abs, parent } = leaf;
    const at = handles.inside(parent.dir!, leaf.dirent.name);
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
      record(parent, { path: rel, reason: "symlink-outside", detail: target, kind: "symlink" });
      warnings.push(`skipped symlink ${rel} -> ${target}: it points outside the repository`);
      return;
    }
    if (path.isAbsolute(target)) {
      warnings.push(
        `symlink ${rel} -> ${target} is absolute: it is sent as is and will not resolve inside the image (make it relative)`,
      );
    }
    if (real !== undefined) {
      sentSymlinks.push({ rel, realRel: toPosix(path.relative(realRoot, real)), target });
    }
    emit(leafEntry(rel, abs, st, "symlink", target), parent);
  };

  /**
   * lstat one kept leaf. Synchronous on purpose: for tens of thousands of small files the promise
   * API's per-call cost dominates (measured ~2x slower than lstatSync here); a directory's worth of
   * lstat calls blocks the event loop only briefly, and directories are still read asynchronously.
   */
  const statLeaf = (leaf: PendingLeaf): Stats | undefined => {
    try {
      // undefined: vanished during the walk
      return fs.lstatSync(handles.inside(leaf.parent.dir!, leaf.dirent.name), { throwIfNoEntry: false });
    } catch (err) {
      throw new ConfigError(`cannot stat ${leaf.rel}: ${(err as Error).message}`, {
        hint: `fix the permissions of its directory, or leave it out with a .dockerignore entry or --exclude ${leaf.rel}`,
        cause: err,
      });
    }
  };

  const cannotRead = (node: DirNode, err: unknown): ConfigError =>
    new ConfigError(`cannot read directory ${node.rel || "."}: ${(err as Error).message}`, {
      hint: `fix its permissions, or leave it out with a .dockerignore entry or --exclude ${node.rel}`,
      cause: err,
    });

  /**
   * Opens a subdirectory from its parent's descriptor, never through a symlink. Undefined when it
   * vanished or became a file; a directory swapped for a symlink during the walk is an error.
   */
  const openDir = (node: DirNode): Stats | undefined => {
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
        if (node.rel.includes("\uFFFD")) warnings.push(notUtf8(node.rel));
        return undefined;
      }
      if (node.excluded && (code === "EACCES" || code === "EPERM")) return undefined; // as BuildKit does
      throw cannotRead(node, err);
    } finally {
      handles.release(parent);
    }
  };

  const processDir = async (node: DirNode): Promise<DirNode[]> => {
    const st = node.parent ? openDir(node) : undefined;
    if (node.parent && !st) return [];
    const dir = node.dir!;
    try {
      const children = await readDir(node, st, dir);
      dir.refs += children.length; // each child opens itself from this descriptor, then releases it
      return children;
    } finally {
      handles.release(dir);
    }
  };

  const readDir = async (node: DirNode, st: Stats | undefined, dir: DirHandle): Promise<DirNode[]> => {
    let dirents: Dirent[];
    try {
      dirents = await fsp.readdir(dir.base, { withFileTypes: true });
    } catch (err) {
      const code = errCode(err);
      if (code === "ENOENT" || code === "ENOTDIR") return []; // removed while open
      if (node.excluded && (code === "EACCES" || code === "EPERM")) return []; // as BuildKit does
      throw cannotRead(node, err);
    }
    if (st) {
      node.entry = {
        rel: node.rel,
        abs: node.abs,
        type: "dir",
        size: 0,
        mode: st.mode & 0o7777,
        mtimeMs: st.mtimeMs,
        dev: st.dev,
        ino: st.ino,
      };
      if (!node.excluded && node.parent) {
        node.emitted = true;
        emit(node.entry, node.parent);
      }
    }

    const children: DirNode[] = [];
    const leaves: PendingLeaf[] = [];
    // Concatenated, not path.join: names never contain a separator, and join's normalising was
    // a tenth of the walk on 100k files.
    const absPrefix = node.abs.endsWith(path.sep) ? node.abs : node.abs + path.sep;
    for (const d of dirents) {
      const name = d.name;
      const rel = node.rel ? `${node.rel}/${name}` : name;
      const abs = absPrefix + name;
      const isDir = d.isDirectory();
      if (excludeGit && name === ".git") {
        record(node, { path: rel, reason: "git", detail: ".git", kind: isDir ? "dir" : d.isSymbolicLink() ? "symlink" : "file" });
        continue;
      }
      const di = diSet.evaluate(rel, node.di);
      const ex = exSet.evaluate(rel, node.ex);
      const kept = keepSet.has(rel);
      const isExcluded = !kept && (di.excluded || ex.excluded);

      if (isDir) {
        let walkExcluded = false;
        let reason: { reason: ExcludedReason; detail: string } | undefined;
        if (isExcluded) {
          const diBlocks = di.excluded && !diSet.exceptionMayMatchBelow(rel);
          const exBlocks = ex.excluded && !exSet.exceptionMayMatchBelow(rel);
          const skip = !keepDirs.has(rel) && (diBlocks || exBlocks);
          reason = skip && !diBlocks ? decide(rel, { ...di, excluded: false }, ex) : decide(rel, di, ex);
          const entry = record(node, { path: rel, reason: reason.reason, detail: reason.detail, kind: "dir" });
          if (skip) continue; // never opened
          walkExcluded = true;
          const coverEntries = entry ? [...(node.coverEntries ?? []), entry] : node.coverEntries;
          children.push({
            rel,
            abs,
            parent: node,
            di: di.matched,
            ex: ex.matched,
            excluded: true,
            coverReason: reason.reason,
            coverEntries,
            entry: undefined,
            emitted: false,
            dir: undefined,
          });
        }
        if (!walkExcluded) {
          children.push({
            rel,
            abs,
            parent: node,
            di: di.matched,
            ex: ex.matched,
            excluded: false,
            coverReason: undefined,
            coverEntries: node.coverEntries,
            entry: undefined,
            emitted: false,
            dir: undefined,
          });
        }
        continue;
      }

      if (isExcluded) {
        const { reason, detail } = decide(rel, di, ex);
        record(node, { path: rel, reason, detail, kind: d.isSymbolicLink() ? "symlink" : d.isFile() ? "file" : "other" });
        continue;
      }
      if (d.isFile() || d.isSymbolicLink()) {
        leaves.push({ rel, abs, parent: node, dirent: d });
      } else {
        record(node, { path: rel, reason: "special", detail: specialKind(d), kind: "other" });
      }
    }
    const links: [PendingLeaf, Stats][] = [];
    for (const leaf of leaves) {
      const lst = statLeaf(leaf);
      if (!lst) {
        if (leaf.rel.includes("\uFFFD")) warnings.push(notUtf8(leaf.rel));
        continue;
      }
      if (lst.isFile()) emit(leafEntry(leaf.rel, leaf.abs, lst, "file"), leaf.parent);
      else if (lst.isSymbolicLink()) links.push([leaf, lst]);
      else if (lst.isDirectory()) continue; // became a directory during the walk: ignore
      else record(leaf.parent, { path: leaf.rel, reason: "special", detail: specialKind(lst), kind: "other" });
    }
    if (links.length > 0) await mapLimit(links, LINK_CONCURRENCY, ([l, lst]) => handleSymlink(l, lst));
    return children;
  };

  await new Promise<void>((resolve, reject) => {
    const pending: DirNode[] = [rootNode];
    let inFlight = 0;
    let failure: { err: unknown } | undefined;
    // On a failure, directories being read are let finish before rejecting: their descriptors
    // are closed afterwards, and a closed number could be reused by an unrelated open meanwhile.
    const settle = (): void => {
      if (inFlight > 0) return;
      if (failure) reject(asError(failure.err));
      else if (pending.length === 0) resolve();
    };
    const pump = (): void => {
      while (!failure && inFlight < DIR_CONCURRENCY && pending.length > 0) {
        const node = pending.pop()!;
        inFlight++;
        processDir(node).then(
          (children) => {
            inFlight--;
            for (const c of children) pending.push(c);
            pump();
            settle();
          },
          (err: unknown) => {
            inFlight--;
            failure ??= { err };
            settle();
          },
        );
      }
    };
    pump();
  });

  // --- after the walk -----------------------------------------------------------------------
  const byRel = (a: { rel: string }, b: { rel: string }) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);
  files.sort(byRel);
  excluded.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  if (sentSymlinks.length > 0) {
    const sent = new Set(files.map((f) => f.rel));
    for (const l of sentSymlinks) {
      if (l.realRel !== "" && !sent.has(l.realRel)) {
        warnings.push(
          `symlink ${l.rel} -> ${l.target} is sent but its target ${l.realRel} is left out: the link will dangle in the image`,
        );
      }
    }
  }
  for (const r of exRules) {
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
