/**
 * poetry.lock (lock-version 2.1, Poetry 2): every package carries its groups and its markers, so
 * the `main` group's packages for the target are known without Poetry's solver. Older lock
 * versions lack the markers and are refused (regenerate with `poetry lock`).
 */
import { arrayTableLines, checkHash, checkName, checkVersion, describe, isTable, lockError, type LockCandidate, type Where, wheelFileName } from "./lock-common.js";
import { parseMarker } from "./markers.js";
import { parseTomlFile } from "./toml.js";

export interface PoetryLock {
  requiresPython: string | null;
  /** The `main` group's packages (not optional), with their markers. */
  packages: LockCandidate[];
  /** Packages of the other groups only (dev, test, docs), for the dev image. */
  devPackages: LockCandidate[];
}

const HINT = "poetry.lock is written by `poetry lock`; regenerate it rather than editing it";

export function parsePoetryLock(text: string, file = "poetry.lock"): PoetryLock {
  const data = parseTomlFile(text, file, HINT);
  const metadata = isTable(data.metadata) ? data.metadata : {};
  const lockVersion = metadata["lock-version"];
  if (lockVersion !== "2.1") {
    throw lockError(`has lock-version ${describe(lockVersion)}; r2d reads lock-version "2.1" (Poetry 2), whose packages carry their markers`, { file }, "regenerate it with Poetry 2: `poetry lock`");
  }
  const entries = Array.isArray(data.package) ? data.package : [];
  const lines = arrayTableLines(text, "package");
  const read = entries.flatMap((entry, i) => poetryPackage(entry, { file, line: lines[i] }));
  const python = metadata["python-versions"];
  return {
    requiresPython: typeof python === "string" && python !== "*" ? python : null,
    packages: read.filter((p) => p.group === "main").map((p) => p.candidate),
    devPackages: read.filter((p) => p.group !== "main").map((p) => p.candidate),
  };
}

/** A package with the group it is installed for: `main`, else its first other group (the dev image's). */
function poetryPackage(entry: unknown, where: Where): { group: string; candidate: LockCandidate }[] {
  if (!isTable(entry)) throw lockError("has a [[package]] entry that is not a table", where, HINT);
  const name = checkName(entry.name, where);
  const version = checkVersion(entry.version, name, where);
  const groups = (Array.isArray(entry.groups) ? entry.groups : ["main"]).map(String);
  // Extras (optional) are not installed; other groups (dev, docs) go to the dev image only.
  if (entry.optional === true || !groups.length) return [];
  const group = groups.includes("main") ? "main" : groups[0]!;
  const source = isTable(entry.source) ? entry.source : null;
  if (source && source.type !== "legacy") {
    throw lockError(`package ${name} comes from a ${describe(source.type)} source, which has no index hashes r2d can pin`, where, "publish it to the index r2d uses (--pip-index-url), or install it in postBuild");
  }
  const files = Array.isArray(entry.files) ? entry.files : [];
  const hashes = files.map((f) => checkHash(isTable(f) ? f.hash : f, name, where));
  if (!hashes.length) throw lockError(`package ${name} ${version} has no hashes (files = [])`, where, HINT);
  const markers = isTable(entry.markers) ? entry.markers[group] : entry.markers;
  if (markers !== undefined && typeof markers !== "string") throw lockError(`package ${name}: markers is ${describe(markers)}, not a string`, where, HINT);
  const requiresPython = typeof entry["python-versions"] === "string" ? entry["python-versions"] : null;
  const wheels = files.flatMap((f) => {
    const file = isTable(f) ? wheelFileName(f.file) : null;
    return file ? [file] : [];
  });
  return [{ group, candidate: { name, version, hashes, line: where.line, wheels, marker: markers ? parseMarker(markers, where, `package ${name}`) : null, requiresPython } }];
}
