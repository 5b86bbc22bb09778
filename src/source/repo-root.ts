import { constants, type Stats } from "node:fs";
import { lstat, open, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { ConfigError, quoteForMessage, type Location } from "../errors.js";
import { accessError, checkRegularFile, danglingError, decode, subject, swapped, tooBig, type Where } from "./repo-root-errors.js";

/**
 * The repository as a jail: every path detection reads is resolved beneath the root, one component
 * at a time with lstat, and a symlink is followed only while where it leads stays inside. Files
 * are then opened without following links and checked against what the walk saw, so a file
 * swapped for a link (or a FIFO) between the check and the read is refused, never read.
 */

/** Config files are small; anything bigger is a mistake or an attack (a sparse 3 GB file). */
export const CONFIG_FILE_MAX_BYTES = 4 * 1024 * 1024;
/** The kernel's own limit on symlinks followed in one lookup (Linux MAXSYMLINKS). */
const MAX_LINKS = 40;
const READ_CHUNK = 64 * 1024;

export interface Resolved {
  /** The path as asked for, for messages. */
  rel: string;
  /** Absolute real path (no symlinks in it), inside the root. */
  real: string;
  /** lstat of `real` (never a symlink); null when nothing is there. */
  stats: Stats | null;
  /** True when a symlink was followed on the way (the name itself or a folder above it). */
  viaLink: boolean;
  /** When stats is null because a symlink points at nothing: that link, as `name -> target`. */
  dangling: { link: string; target: string } | null;
}

export interface ConfigText {
  text: string;
  /** fstat of the file that was read. */
  stats: Stats;
  viaLink: boolean;
}

export interface ResolveOptions {
  /** Where to point errors (default: the path itself). */
  location?: Location;
  /** How to name the path in messages (default: the path itself). */
  name?: string;
}

export interface ReadOptions extends ResolveOptions {
  maxBytes?: number;
  /** Undecodable bytes become U+FFFD instead of an error (for files r2d only skims, like scripts). */
  lenient?: boolean;
}

export interface RepoRoot {
  /** Absolute real path of the root. */
  readonly path: string;
  /** "the repository", or "the build directory (--subdir x)": what "outside" means in messages. */
  readonly label: string;
  /** Resolves `rel` (relative to the root, or absolute) beneath the root; ConfigError if it leads out. */
  resolve(rel: string, opts?: ResolveOptions): Promise<Resolved>;
  /** A directory beneath this root as a new, narrower root (--subdir). Errors name `flag`. */
  subRoot(rel: string, flag: string): Promise<RepoRoot>;
  /** Reads a config file: beneath the root, a regular file, the one the walk saw, at most maxBytes, UTF-8. */
  readConfigFile(rel: string, opts?: ReadOptions): Promise<ConfigText>;
}

export interface RepoRootOptions {
  /** For tests: runs between the walk and the open, where a swap must be caught. */
  beforeOpen?: (real: string) => Promise<void> | void;
}

/** Opens the repository at `dir` (itself a symlink is fine: the user chose it) as a RepoRoot. */
export async function openRepoRoot(dir: string, opts: RepoRootOptions = {}): Promise<RepoRoot> {
  const given = path.resolve(dir);
  let real: string;
  try {
    real = await realpath(given);
  } catch (err) {
    if (code(err) === "ENOENT" || code(err) === "ENOTDIR") {
      throw new ConfigError(`repository ${dir} does not exist`, { location: { file: dir }, hint: "pass the path of a directory (or a git URL)" });
    }
    throw accessError(err, dir, { file: dir });
  }
  const st = await lstat(real).catch((err: unknown) => {
    throw accessError(err, dir, { file: dir });
  });
  if (!st.isDirectory()) {
    throw new ConfigError(`repository ${dir} is not a directory`, { location: { file: dir }, hint: "pass the directory that holds the code, not a file in it" });
  }
  return makeRoot(real, [real, given], "the repository", opts);
}

function makeRoot(real: string, prefixes: string[], label: string, opts: RepoRootOptions): RepoRoot {
  const root: RepoRoot = {
    path: real,
    label,
    resolve: (rel, ro = {}) => walk(real, prefixes, label, rel, ro),
    async subRoot(rel, flag) {
      const name = `${flag} ${rel}`;
      const r = await root.resolve(rel, { location: { file: flag }, name });
      if (r.dangling) throw danglingError(r, { location: { file: flag }, name });
      if (!r.stats?.isDirectory()) {
        throw new ConfigError(`${name} is not a directory in ${real}`, { location: { file: flag }, hint: "give a path relative to the repository root" });
      }
      // The names links may use for the subdir; not when `..` is involved (its meaning depends on links).
      const lexical = rel.split("/").includes("..") ? [] : prefixes.map((p) => path.resolve(p, rel));
      return makeRoot(r.real, [...new Set([r.real, ...lexical])], `the build directory (${name})`, opts);
    },
    async readConfigFile(rel, ro = {}) {
      const r = await root.resolve(rel, ro);
      const where = { location: ro.location ?? { file: rel }, name: ro.name ?? rel };
      if (!r.stats) {
        if (r.dangling) throw danglingError(r, where);
        throw new ConfigError(`${subject(where.name, where.location)}does not exist`, { location: where.location, hint: "check the name and the folder it is in" });
      }
      checkRegularFile(r.stats, where);
      const max = ro.maxBytes ?? CONFIG_FILE_MAX_BYTES;
      if (r.stats.size > max) throw tooBig(where, r.stats.size, max);
      await opts.beforeOpen?.(r.real);
      const buf = await readNoFollow(r, where, max);
      return { text: decode(buf.data, where, ro.lenient ?? false), stats: buf.stats, viaLink: r.viaLink };
    },
  };
  return root;
}

/**
 * Whether a resolved config name is there as a regular file: false when nothing is there; a
 * ConfigError naming it when it is a dangling link, a directory, a FIFO, a socket or a device.
 */
export function existsAsFile(r: Resolved, opts: ResolveOptions = {}): boolean {
  const where = { location: opts.location ?? { file: r.rel }, name: opts.name ?? r.rel };
  if (!r.stats) {
    if (r.dangling) throw danglingError(r, where);
    return false;
  }
  checkRegularFile(r.stats, where);
  return true;
}

interface Step {
  name: string;
  /** The symlink whose target this component came from (for "dangling" messages). */
  from: { link: string; target: string } | null;
}

/** Walks `rel` component by component beneath `real`, following symlinks only while they stay inside. */
async function walk(real: string, prefixes: string[], label: string, rel: string, opts: ResolveOptions): Promise<Resolved> {
  const location = opts.location ?? { file: rel };
  const name = opts.name ?? rel;
  const start = subject(name, location);
  const outside = (link: { link: string; target: string } | null) =>
    new ConfigError(
      link === null
        ? `${start}is outside ${label}`
        : link.link === rel
          ? `${start}is a symlink to ${quoteForMessage(link.target)}, outside ${label}`
          : `${start}is outside ${label}: ${link.link} is a symlink to ${quoteForMessage(link.target)}`,
      { location, hint: "r2d reads only files inside the repository: replace the link with a copy of what it points to, or point it at a path inside the repository" },
    );
  let queue: Step[];
  if (path.isAbsolute(rel)) {
    const inside = insidePrefix(prefixes, rel);
    if (inside === null) throw outside(null);
    queue = split(inside, null);
  } else {
    queue = split(rel, null);
  }
  const parts: string[] = [];
  let links = 0;
  let lastLink: { link: string; target: string } | null = null;
  let st: Stats | null = null;
  while (queue.length) {
    const step = queue.shift()!;
    if (step.name === "..") {
      if (!parts.length) throw outside(lastLink);
      parts.pop();
      st = null;
      continue;
    }
    const abs = path.join(real, ...parts, step.name);
    try {
      st = await lstat(abs);
    } catch (err) {
      if (code(err) === "ENOENT" || code(err) === "ENOTDIR") {
        return { rel, real: abs, stats: null, viaLink: lastLink !== null, dangling: step.from };
      }
      throw accessError(err, name, location);
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) {
        throw new ConfigError(`${start}leads through too many symbolic links (more than ${MAX_LINKS})`, { location, hint: "the links form a loop: point them at real files" });
      }
      const target = await readlink(abs);
      lastLink = { link: [...parts, step.name].join("/"), target };
      if (path.isAbsolute(target)) {
        const inside = insidePrefix(prefixes, target);
        if (inside === null) throw outside(lastLink);
        parts.length = 0;
        queue = [...split(inside, lastLink), ...queue];
      } else {
        queue = [...split(target, lastLink), ...queue];
      }
      st = null;
      continue;
    }
    if (queue.length && !st.isDirectory()) {
      return { rel, real: abs, stats: null, viaLink: lastLink !== null, dangling: null };
    }
    parts.push(step.name);
  }
  const final = path.join(real, ...parts);
  return { rel, real: final, stats: st ?? (await lstat(final)), viaLink: lastLink !== null, dangling: null };
}

function split(p: string, from: Step["from"]): Step[] {
  return p.split("/").filter((c) => c !== "" && c !== ".").map((c) => ({ name: c, from }));
}

/** The part of an absolute path below one of the root's names, or null when it is elsewhere. */
function insidePrefix(prefixes: string[], abs: string): string | null {
  for (const p of prefixes) {
    if (abs === p) return "";
    if (abs.startsWith(p.endsWith("/") ? p : `${p}/`)) return abs.slice(p.length + 1);
  }
  return null;
}

async function readNoFollow(r: Resolved, where: Where, max: number): Promise<{ data: Buffer; stats: Stats }> {
  let fh;
  try {
    // O_NONBLOCK: a FIFO swapped in after the walk must not hang the open.
    fh = await open(r.real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (code(err) === "ELOOP" || code(err) === "ENOENT" || code(err) === "ENXIO") throw swapped(where);
    throw accessError(err, where.name, where.location);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.dev !== r.stats!.dev || st.ino !== r.stats!.ino) throw swapped(where);
    if (st.size > max) throw tooBig(where, st.size, max);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead, buffer } = await fh.read(Buffer.alloc(READ_CHUNK), 0, READ_CHUNK, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > max) throw tooBig(where, total, max);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return { data: Buffer.concat(chunks), stats: st };
  } finally {
    await fh.close();
  }
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}
