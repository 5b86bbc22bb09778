/**
 * pylock.toml (PEP 751, lock-version 1.0): one entry per package with its own marker and
 * requires-python; the hashes of its wheels and sdist pin it. Packages from a VCS, a directory
 * or an archive have no index files to pin and are refused.
 */
import { arrayTableLines, checkHash, checkName, checkVersion, describe, isTable, lockError, type LockCandidate, type Where, wheelFileName } from "./lock-common.js";
import { evaluateMarker, parseMarker, type Marker, type MarkerTarget } from "./markers.js";
import { parseTomlFile } from "./toml.js";

export interface PyLock {
  requiresPython: string | null;
  /** Markers of the environments the lock was made for (any one must hold), empty: any. */
  environments: Marker[];
  defaultGroups: string[];
  packages: LockCandidate[];
}

const HINT = "pylock.toml is described by PEP 751; regenerate it with the tool that wrote it";

export function parsePylockToml(text: string, file = "pylock.toml"): PyLock {
  const data = parseTomlFile(text, file, HINT);
  const version = data["lock-version"];
  if (typeof version !== "string" || !/^1(\.\d+)?$/.test(version)) throw lockError(`has lock-version ${describe(version)}; r2d reads lock-version "1.0"`, { file }, HINT);
  const entries = Array.isArray(data.packages) ? data.packages : [];
  const lines = arrayTableLines(text, "packages");
  const environments = Array.isArray(data.environments) ? data.environments.map((m) => parseMarker(String(m), { file }, "environments")) : [];
  const defaultGroups = Array.isArray(data["default-groups"]) ? data["default-groups"].map(String) : [];
  return {
    requiresPython: typeof data["requires-python"] === "string" ? data["requires-python"] : null,
    environments,
    defaultGroups,
    packages: entries.map((entry, i) => pylockPackage(entry, { file, line: lines[i] })),
  };
}

function pylockPackage(entry: unknown, where: Where): LockCandidate {
  if (!isTable(entry)) throw lockError("has a [[packages]] entry that is not a table", where, HINT);
  const name = checkName(entry.name, where);
  const version = checkVersion(entry.version, name, where);
  const other = ["vcs", "directory", "archive"].find((k) => k in entry);
  if (other) throw lockError(`package ${name} comes from a ${other}, which has no index hashes r2d can pin`, where, "publish it to the index r2d uses (--pip-index-url), or install it in postBuild");
  const files = [...(Array.isArray(entry.wheels) ? (entry.wheels as unknown[]) : []), ...(isTable(entry.sdist) ? [entry.sdist] : [])];
  const hashes = files.flatMap((f) => (isTable(f) && isTable(f.hashes) ? Object.entries(f.hashes).map(([algo, hex]) => checkHash(hex, name, where, algo)) : []));
  if (!hashes.length) throw lockError(`package ${name} ${version} has no hashes`, where, HINT);
  const marker = entry.marker;
  if (marker !== undefined && typeof marker !== "string") throw lockError(`package ${name}: marker is ${describe(marker)}, not a string`, where, HINT);
  const requiresPython = typeof entry["requires-python"] === "string" ? entry["requires-python"] : null;
  const wheels = (Array.isArray(entry.wheels) ? (entry.wheels as unknown[]) : []).flatMap((w) => {
    const file = isTable(w) ? wheelFileName(w.name ?? w.url ?? w.path) : null;
    return file ? [file] : [];
  });
  return { name, version, hashes, line: where.line, wheels, marker: marker ? parseMarker(marker, where, `package ${name}`) : null, requiresPython };
}

/** Refuses a lock made for other environments than the target. */
export function checkPylockEnvironments(lock: PyLock, target: MarkerTarget, file: string): void {
  if (!lock.environments.length) return;
  if (lock.environments.some((m) => evaluateMarker(m, target, "environments", { file }))) return;
  throw lockError(`was made for other environments than Python ${target.python} on ${target.platform ?? "linux"}`, { file }, "regenerate it with this environment among its `environments`");
}
