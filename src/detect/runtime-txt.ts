import { ConfigError } from "../errors.js";

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

/** Parses the first non-empty line with repo2docker's grammar (split on `-`: 2, 4 or 5 parts). */
export function parseRuntimeTxt(text: string, file = "runtime.txt"): RuntimeTxt {
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  if (index < 0) {
    throw new ConfigError("runtime.txt is empty", { location: { file }, hint: `write one line such as ${EXAMPLES}, or delete the file` });
  }
  const line = lines[index]!.trim();
  const location = { file, line: index + 1 };
  const parts = line.split("-");
  const bad = (why: string) =>
    new ConfigError(`"${line}": ${why}`, { location, hint: `use one of ${EXAMPLES}` });
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
  if (date !== null && !DATE.test(date)) throw bad(`"${date}" is not a date (YYYY-MM-DD)`);
  if (version !== null && !/^\d+(\.\d+){0,2}$/.test(version)) throw bad(`"${version}" is not a version number`);

  if (name === "python") {
    if (date !== null) throw bad("a Python runtime takes a version only");
    if (version === "3") version = "3.10";
    else if (version === "2") version = "2.7";
    if (!/^\d+\.\d+$/.test(version!)) throw bad(`Python versions are X.Y (for example python-${version!.split(".").slice(0, 2).join(".")})`);
  } else if (name === "r") {
    if (date !== null && date < EARLIEST_R_DATE) throw bad(`R snapshots start at ${EARLIEST_R_DATE}`);
  }
  return { name, version, date };
}
