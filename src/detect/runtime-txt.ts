import { clipForMessage, ConfigError, quoteForMessage } from "../errors.js";
import { compareVersions, describeVersions, nearestVersion, PYTHON_VERSIONS, R_RELEASES, R_VERSIONS } from "./versions.js";

/** A parsed `runtime.txt`: `python-3.11`, `r-4.4-2024-05-01`, `r-2024-05-01`, `julia-1.9`. */
export interface RuntimeTxt {
  name: string;
  /** `X.Y` (or `X.Y.Z` for R); null when only a date was given. */
  version: string | null;
  /** ISO date for R's package snapshot, when given. */
  date: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** repo2docker refuses R snapshots before MRAN's replacement existed. */
const EARLIEST_R_DATE = "2018-12-07";
const EXAMPLES = "python-3.11, r-4.4-2024-05-01 or r-2024-05-01";

/**
 * Parses the file with repo2docker's grammar: the whole file (trimmed) is one value, split on `-`
 * into 2, 4 or 5 parts. A second line, even a comment, is an error: repo2docker would read both
 * lines as one runtime it does not know, and silently build something else.
 */
export function parseRuntimeTxt(text: string, file = "runtime.txt"): RuntimeTxt {
  const lines = text
    .split(/\r?\n/)
    .map((l, i) => ({ text: l.trim(), line: i + 1 }))
    .filter((l) => l.text !== "");
  if (lines.length === 0) {
    throw new ConfigError("runtime.txt is empty", { location: { file }, hint: `write one line such as ${EXAMPLES}, or delete the file` });
  }
  const comment = lines.find((l) => l.text.startsWith("#"));
  if (lines.length > 1 || comment) {
    const at = comment ?? lines[1]!;
    throw new ConfigError(`${comment ? "a comment" : "a second line"} (${quoteForMessage(at.text, 60)}): runtime.txt is read as one value, the whole file`, {
      location: { file, line: at.line },
      hint: `keep only the runtime, such as ${clipForMessage(lines.find((l) => !l.text.startsWith("#"))?.text ?? "python-3.11", 40)}, on one line (no comments)`,
    });
  }
  const { text: line, line: lineNumber } = lines[0]!;
  const location = { file, line: lineNumber };
  const parts = line.split("-");
  const bad = (why: string, hint = `use one of ${EXAMPLES}`) => new ConfigError(`${quoteForMessage(line)}: ${why}`, { location, hint });
  if (parts.some((p) => p === "") || ![2, 4, 5].includes(parts.length)) throw bad("it is not name-version or name-[version-]YYYY-MM-DD");
  const name = parts[0]!.toLowerCase();
  let version: string | null = null;
  let date: string | null = null;
  if (parts.length === 2) {
    version = parts[1]!;
  } else if (parts.length === 4) {
    date = parts.slice(1).join("-");
  } else {
    version = parts[1]!;
    date = parts.slice(2).join("-");
  }
  if (date !== null && !DATE.test(date)) throw bad(`${quoteForMessage(date)} is not a date (YYYY-MM-DD)`);
  if (date !== null && !isCalendarDate(date)) throw bad(`${date} is not a real date`, `write a date that exists, such as ${name}-${version ? `${version}-` : ""}2024-05-01`);
  if (version !== null && !/^\d+(\.\d+){0,2}$/.test(version)) throw bad(`${quoteForMessage(version)} is not a version number`);

  if (name === "python") {
    if (date !== null) throw bad("a Python runtime takes a version only");
    if (version === "3") version = "3.10";
    else if (version === "2") version = "2.7";
    if (!/^\d+\.\d+$/.test(version!)) throw bad(`Python versions are X.Y (for example python-${version!.split(".").slice(0, 2).join(".")})`);
    if (!PYTHON_VERSIONS.includes(version!)) {
      const nearest = nearestVersion(version!, PYTHON_VERSIONS);
      throw bad(`Python ${version} is not a version r2d can provide`, `use python-${nearest} (the nearest); r2d can provide ${describeVersions(PYTHON_VERSIONS)}`);
    }
  } else if (name === "r") {
    if (date !== null && date < EARLIEST_R_DATE) {
      throw bad(`R snapshots start at ${EARLIEST_R_DATE} (the older ones no longer exist)`, `use a date from ${EARLIEST_R_DATE} on, such as r-${version ? `${version}-` : ""}${EARLIEST_R_DATE}`);
    }
    if (date !== null && date > latestSnapshotDate()) throw bad(`${date} is in the future: no CRAN snapshot exists for it yet`, `use today's date or an earlier one, such as r-${version ? `${version}-` : ""}${latestSnapshotDate()}`);
    if (version !== null) checkRVersion(version, date, bad);
  }
  return { name, version, date };
}

/** A YYYY-MM-DD that exists in the calendar (no 2031-13-45, no 2023-02-29). */
function isCalendarDate(date: string): boolean {
  const [y, m, d] = date.split("-").map(Number);
  const t = new Date(Date.UTC(y!, m! - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m! - 1 && t.getUTCDate() === d;
}

/** Tomorrow in UTC: a snapshot date may be "today" anywhere on Earth. */
function latestSnapshotDate(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}

/** `X.Y` must be a line r2d maps to a release; `X.Y.Z` must be a release. */
function checkRVersion(version: string, date: string | null, bad: (why: string, hint?: string) => ConfigError): void {
  const lines = Object.keys(R_VERSIONS).sort(compareVersions);
  const valid = version.split(".").length === 3 ? R_RELEASES : version.split(".").length === 2 ? lines : null;
  if (valid === null) throw bad(`R versions are X.Y or X.Y.Z (for example r-4.4${date ? `-${date}` : ""})`);
  if (valid.includes(version)) return;
  const nearest = nearestVersion(version, valid);
  throw bad(`R ${version} is not a version r2d can provide`, `use r-${nearest}${date ? `-${date}` : ""} (the nearest); r2d can provide R ${describeVersions(lines)} (X.Y or an X.Y.Z release)`);
}
