/**
 * uv.lock, read in TypeScript: the project's dependency graph (one resolution for every platform
 * and Python), walked from the project at "." with each edge's marker evaluated for the target.
 */
import { arrayTableLines, checkHash, checkName, checkVersion, describe, isTable, lockError, type LockedPackage, type Where, wheelFileName } from "./lock-common.js";
import { evaluateMarker, parseMarker, type Marker, type MarkerTarget } from "./markers.js";
import { parseTomlFile } from "./toml.js";

interface UvEdge {
  name: string;
  version: string | null;
  marker: Marker | null;
  extras: string[];
}

interface UvPackage extends LockedPackage {
  /** Why r2d cannot install it (a git, path or URL source), or null for an index package. */
  refusal: string | null;
  deps: UvEdge[];
  optional: Record<string, UvEdge[]>;
  /** `[package.dev-dependencies]`: the project's dependency groups (dev, test, …). */
  groups: Record<string, UvEdge[]>;
  resolutionMarkers: Marker[];
}

export interface UvLock {
  requiresPython: string | null;
  /** Index of the project itself (source `editable = "."` or `virtual = "."`). */
  root: number;
  packages: UvPackage[];
}

const HINT = "uv.lock is written by `uv lock`; regenerate it rather than editing it";

export function parseUvLock(text: string, file = "uv.lock"): UvLock {
  const data = parseTomlFile(text, file, HINT);
  const version = data.version;
  if (version !== 1) throw lockError(`has lock version ${describe(version)}; r2d reads uv.lock version 1`, { file, line: 1 }, "regenerate it with a current uv (`uv lock`)");
  const entries = data.package;
  if (!Array.isArray(entries)) throw lockError("has no [[package]] entries", { file }, HINT);
  const lines = arrayTableLines(text, "package");
  const packages = entries.map((entry, i) => uvPackage(entry, { file, line: lines[i] }));
  const root = packages.findIndex((p) => p.refusal === "root");
  if (root < 0) throw lockError("has no package for the project itself (source = { editable = \".\" } or { virtual = \".\" })", { file }, "r2d installs a uv.lock from its project's dependencies: run `uv lock` in the folder of pyproject.toml");
  const requiresPython = typeof data["requires-python"] === "string" ? data["requires-python"] : null;
  return { requiresPython, root, packages };
}

function uvPackage(entry: unknown, where: Where): UvPackage {
  if (!isTable(entry)) throw lockError("has a [[package]] entry that is not a table", where, HINT);
  const name = checkName(entry.name, where);
  const version = checkVersion(entry.version, name, where);
  const source = isTable(entry.source) ? entry.source : {};
  const refusal = sourceRefusal(source);
  const hashes: string[] = [];
  const files = [...(Array.isArray(entry.wheels) ? (entry.wheels as unknown[]) : []), ...(isTable(entry.sdist) ? [entry.sdist] : [])];
  for (const f of files) if (isTable(f) && f.hash !== undefined) hashes.push(checkHash(f.hash, name, where));
  const wheels = (Array.isArray(entry.wheels) ? (entry.wheels as unknown[]) : []).flatMap((w) => {
    const file = isTable(w) ? wheelFileName(w.filename ?? w.url ?? w.path) : null;
    return file ? [file] : [];
  });
  const optional: Record<string, UvEdge[]> = {};
  if (isTable(entry["optional-dependencies"])) {
    for (const [extra, list] of Object.entries(entry["optional-dependencies"])) optional[extra] = edges(list, name, where);
  }
  const groups: Record<string, UvEdge[]> = {};
  if (isTable(entry["dev-dependencies"])) {
    for (const [group, list] of Object.entries(entry["dev-dependencies"])) groups[group] = edges(list, name, where);
  }
  const resolution = Array.isArray(entry["resolution-markers"]) ? entry["resolution-markers"] : [];
  return {
    name, version, hashes, line: where.line, wheels, refusal, optional, groups,
    deps: edges(entry.dependencies, name, where),
    resolutionMarkers: resolution.map((m) => parseMarker(String(m), where, `package ${name}`)),
  };
}

function sourceRefusal(source: Record<string, unknown>): string | null {
  if (source.editable === "." || source.virtual === ".") return "root";
  if (typeof source.registry === "string") return null;
  const kind = ["git", "url", "path", "directory", "editable", "virtual"].find((k) => k in source) ?? "unknown";
  return `it comes from a ${kind} source, which has no index hashes r2d can pin`;
}

function edges(list: unknown, parent: string, where: Where): UvEdge[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw lockError(`package ${parent}: its dependencies are ${describe(list)}, not an array`, where, HINT);
  return list.map((d) => {
    if (!isTable(d)) throw lockError(`package ${parent} has a dependency that is not a table`, where, HINT);
    const name = checkName(d.name, where, `a dependency of ${parent}`);
    return {
      name,
      version: d.version === undefined ? null : checkVersion(d.version, name, where),
      marker: typeof d.marker === "string" ? parseMarker(d.marker, where, `package ${parent}'s dependency ${name}`) : null,
      extras: Array.isArray(d.extra) ? d.extra.map((e) => String(e)) : [],
    };
  });
}

const norm = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "-");

/**
 * The packages the project needs on the target, walked from the project's own dependencies (and,
 * with `dev`, from its dependency groups too: what the dev image has).
 */
export function selectUv(lock: UvLock, target: MarkerTarget, file: string, dev = false): LockedPackage[] {
  const chosen = new Map<UvPackage, Set<string>>();
  const root = lock.packages[lock.root]!;
  const queue: [UvPackage, UvEdge[]][] = [[root, [...root.deps, ...(dev ? Object.values(root.groups).flat() : [])]]];
  while (queue.length) {
    const [pkg, list] = queue.shift()!;
    for (const edge of list) {
      if (edge.marker && !evaluateMarker(edge.marker, target, `package ${pkg.name}'s dependency ${edge.name}`, { file, line: pkg.line })) continue;
      const dep = resolveEdge(lock, edge, target, { file, line: pkg.line });
      const seen = chosen.get(dep) ?? new Set<string>();
      chosen.set(dep, seen);
      for (const x of ["", ...edge.extras]) if (!seen.has(x) && (seen.add(x), true)) queue.push([dep, x ? (dep.optional[x] ?? []) : dep.deps]);
    }
  }
  const result: LockedPackage[] = [];
  for (const pkg of chosen.keys()) {
    if (pkg.refusal === "root") continue;
    const where = { file, line: pkg.line };
    if (pkg.refusal) throw lockError(`package ${pkg.name} cannot be installed exactly: ${pkg.refusal}`, where, "publish it to the index r2d uses (--pip-index-url), or install it in postBuild");
    if (!pkg.hashes.length) throw lockError(`package ${pkg.name} ${pkg.version} has no hashes`, where, HINT);
    result.push({ name: pkg.name, version: pkg.version, hashes: pkg.hashes, line: pkg.line, wheels: pkg.wheels });
  }
  return result;
}

function resolveEdge(lock: UvLock, edge: UvEdge, target: MarkerTarget, where: Where): UvPackage {
  let found = lock.packages.filter((p) => norm(p.name) === norm(edge.name) && (!edge.version || p.version === edge.version));
  if (found.length > 1) {
    found = found.filter((p) => !p.resolutionMarkers.length || p.resolutionMarkers.some((m) => evaluateMarker(m, target, `package ${p.name}`, { file: where.file, line: p.line })));
  }
  if (found.length !== 1) {
    throw lockError(`package ${edge.name} is ${found.length ? "locked more than once for" : "not locked for"} Python ${target.python} on ${target.platform ?? "this platform"}`, where, "regenerate the lock file (`uv lock`) with this Python among its requires-python");
  }
  return found[0]!;
}
