/**
 * renv.lock (renv's JSON lock file, what `r2d freeze` writes for R): the R version, the CRAN-like
 * repositories by name, and one entry per package with its exact version and the repository it
 * comes from. Every value is checked before it reaches a generated file; packages from GitHub, a
 * local path or anything but a named repository are refused (they have no archive r2d can fetch).
 */
import { ConfigError, quoteForMessage } from "../errors.js";
import { describe, isTable } from "./lock-common.js";

export interface RenvRepository {
  name: string;
  url: string;
}

export interface RenvPackage {
  name: string;
  /** As written in the package's DESCRIPTION (`1.0-2`). */
  version: string;
  repository: string;
  /** Packages of the lock it needs installed first (others come with R or the image). */
  requirements: string[];
  line?: number;
}

export interface RenvLock {
  /** `R.Version`, X.Y or X.Y.Z (null when absent). */
  rVersion: string | null;
  repositories: RenvRepository[];
  /** In install order: every package after the packages of the lock it requires. */
  packages: RenvPackage[];
}

/** Writing R Extensions §1.1.1: letters, digits and dots, starting with a letter, not ending with a dot. */
export const R_PACKAGE_NAME = /^[A-Za-z][A-Za-z0-9.]{0,98}[A-Za-z0-9]$/;
/** R package versions: at least two non-negative integers separated by `.` or `-`. */
export const R_PACKAGE_VERSION = /^\d{1,9}(?:[.-]\d{1,9}){1,9}$/;
const REPOSITORY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const REPOSITORY_URL = /^https?:\/\/[A-Za-z0-9._~:/@!$&'()*+,;=%-]{1,2000}$/;
const HINT = "renv.lock is written by renv::snapshot() or r2d freeze; regenerate it";

export function parseRenvLock(text: string, file = "renv.lock"): RenvLock {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { location: { file }, hint: HINT });
  }
  if (!isTable(data)) throw new ConfigError("is not a JSON object", { location: { file }, hint: HINT });
  const r = isTable(data.R) ? data.R : {};
  const rVersion = typeof r.Version === "string" ? r.Version : null;
  if (r.Version !== undefined && (rVersion === null || !/^\d+\.\d+(\.\d+)?$/.test(rVersion))) throw new ConfigError(`R.Version is ${describe(r.Version)}, not an R version such as "4.4.2"`, { location: { file, line: lineOf(text, '"Version"') }, hint: HINT });
  const repositories = (Array.isArray(r.Repositories) ? r.Repositories : []).map((entry) => repository(entry, file, text));
  const entries = isTable(data.Packages) ? Object.entries(data.Packages) : [];
  const packages = entries.map(([key, entry]) => renvPackage(key, entry, { file, line: lineOf(text, `${JSON.stringify(key)}:`) }, repositories));
  return { rVersion, repositories, packages: installOrder(packages, file) };
}

function repository(entry: unknown, file: string, text: string): RenvRepository {
  const name = isTable(entry) ? entry.Name : undefined;
  const url = isTable(entry) ? entry.URL : undefined;
  const where = { file, line: typeof name === "string" ? lineOf(text, JSON.stringify(name)) : undefined };
  if (typeof name !== "string" || !REPOSITORY_NAME.test(name)) throw new ConfigError(`R.Repositories has a repository named ${describe(name)}`, { location: where, hint: "repository names are letters, digits, '.', '_' and '-' (renv writes \"CRAN\")" });
  if (typeof url !== "string" || !REPOSITORY_URL.test(url)) throw new ConfigError(`repository ${name} has the URL ${describe(url)}, which r2d does not accept`, { location: where, hint: "give the repository as an http(s) URL without spaces or quotes" });
  return { name, url: url.replace(/\/+$/, "") };
}

function renvPackage(key: string, entry: unknown, where: { file: string; line?: number }, repositories: readonly RenvRepository[]): RenvPackage {
  if (!R_PACKAGE_NAME.test(key)) throw new ConfigError(`Packages has an entry named ${quoteForMessage(key, 60)}, which is not an R package name`, { location: where, hint: "R package names use letters, digits and dots, start with a letter and do not end with a dot" });
  if (!isTable(entry)) throw new ConfigError(`package ${key} is ${describe(entry)}, not an object`, { location: where, hint: HINT });
  if (entry.Package !== undefined && entry.Package !== key) throw new ConfigError(`package ${key} has Package ${describe(entry.Package)}: the two must be the same`, { location: where, hint: HINT });
  const version = entry.Version;
  if (typeof version !== "string" || !R_PACKAGE_VERSION.test(version)) throw new ConfigError(`package ${key} has the version ${describe(version)}, which is not an R package version`, { location: where, hint: HINT });
  const source = entry.Source;
  if (source !== "Repository") {
    throw new ConfigError(`package ${key} comes from ${describe(source)}: r2d installs renv.lock packages only from CRAN-like repositories (Source "Repository"); ${source === "GitHub" || source === "GitLab" || source === "Bitbucket" ? "a package from a git host is not supported" : "this source is not supported"}`, {
      location: where,
      hint: "publish the package to a CRAN-like repository listed in R.Repositories, or install it from postBuild",
    });
  }
  const repo = entry.Repository;
  if (typeof repo !== "string" || !repositories.some((r) => r.name === repo)) {
    throw new ConfigError(`package ${key} comes from the repository ${describe(repo)}, which R.Repositories does not list`, { location: where, hint: `list it in R.Repositories as {"Name": ..., "URL": ...} (known: ${repositories.map((r) => r.name).join(", ") || "none"})` });
  }
  const requirements = entry.Requirements ?? [];
  if (!Array.isArray(requirements) || !requirements.every((q) => typeof q === "string" && R_PACKAGE_NAME.test(q))) throw new ConfigError(`package ${key} has Requirements that are not a list of R package names`, { location: where, hint: HINT });
  return { name: key, version, repository: repo, requirements: requirements as string[], line: where.line };
}

/** Every package after the packages of the lock it requires (alphabetical among equals); a cycle is refused. */
function installOrder(packages: readonly RenvPackage[], file: string): RenvPackage[] {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: RenvPackage[] = [];
  const visit = (p: RenvPackage, path: string[]): void => {
    if (done.has(p.name)) return;
    if (visiting.has(p.name)) throw new ConfigError(`packages require each other in a cycle: ${[...path, p.name].join(" -> ")}`, { location: { file, line: p.line }, hint: HINT });
    visiting.add(p.name);
    for (const q of [...p.requirements].sort()) {
      const dep = byName.get(q);
      if (dep) visit(dep, [...path, p.name]);
    }
    visiting.delete(p.name);
    done.add(p.name);
    order.push(p);
  };
  [...packages].sort((a, b) => a.name.localeCompare(b.name)).forEach((p) => visit(p, []));
  return order;
}

/** The 1-based line where `needle` first occurs (for messages), if it does. */
function lineOf(text: string, needle: string): number | undefined {
  const at = text.indexOf(needle);
  return at < 0 ? undefined : text.slice(0, at).split("\n").length;
}
