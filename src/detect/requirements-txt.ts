import { checkRequirementLine } from "./requirement-line.js";

/** A line of a requirements file that names another file pip reads (`-r other.txt`, `-c constraints.txt`). */
export interface RequirementsInclude {
  file: string;
  line: number;
  option: "-r" | "-c";
  target: string;
}

/** A package-index option set inside a requirements file (pip honours them over its configuration). */
export interface IndexOption {
  file: string;
  line: number;
  option: "--index-url" | "--extra-index-url" | "--find-links" | "--no-index" | "--trusted-host";
  value: string;
}

/** What r2d needs to know about a pip requirements file. */
export interface RequirementsTxt {
  /**
   * True when a line refers to the repository itself (`-e .`, `./pkg`, `file://`, `-r other.txt`):
   * such files can only be installed after the whole repository is copied.
   */
  hasLocalReferences: boolean;
  /** Requirement lines with comments and blank lines removed (for reports). */
  requirements: string[];
  /** `-r` / `-c` lines; detectRepo checks that each target exists inside the repository. */
  includes: RequirementsInclude[];
  /** Index options of this file and (after detectRepo) of the files it includes. */
  indexOptions: IndexOption[];
  /** Set when a requirement carries `--hash=`: installed with `pip install --require-hashes`. */
  hashed?: true;
}

const SHORT: Record<string, string> = { "-r": "--requirement", "-c": "--constraint", "-i": "--index-url", "-f": "--find-links" };
const INDEX_OPTIONS = new Set(["--index-url", "--extra-index-url", "--find-links", "--no-index", "--trusted-host"]);

/** Mirrors repo2docker's local-reference test so the same files are installed at the same stage. */
export function parseRequirementsTxt(text: string, file = "requirements.txt", opts: { check?: boolean } = {}): RequirementsTxt {
  const result: RequirementsTxt = { hasLocalReferences: false, requirements: [], includes: [], indexOptions: [] };
  for (const { line, number } of logicalLines(text)) {
    if (opts.check !== false) checkRequirementLine(line, file, number);
    result.requirements.push(line);
    if (/(^|\s)--hash[=\s]/.test(line)) result.hashed = true;
    if (/^(-r|-c|--requirement|--constraint)/.test(line) || line.includes("file://")) result.hasLocalReferences = true;
    const target = line.replace(/^(-e|--editable)\s+/, "");
    if (target.startsWith(".") || target.startsWith("/")) result.hasLocalReferences = true;
    if (repo2dockerOptionTarget(line).startsWith(".")) result.hasLocalReferences = true;
    const opt = splitOption(line);
    if (!opt) continue;
    if (opt.option === "--requirement" || opt.option === "--constraint") {
      result.includes.push({ file, line: number, option: opt.option === "--requirement" ? "-r" : "-c", target: opt.value });
    } else if (INDEX_OPTIONS.has(opt.option)) {
      result.indexOptions.push({ file, line: number, option: opt.option as IndexOption["option"], value: opt.value });
    }
  }
  return result;
}

/** pip's reading: `\` at the end of a line continues it; `#` after whitespace starts a comment. */
function logicalLines(text: string): { line: string; number: number }[] {
  const out: { line: string; number: number }[] = [];
  let pending = "";
  let start = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (pending === "") start = i + 1;
    if (/\\$/.test(raw)) {
      pending += raw.slice(0, -1);
      return;
    }
    const line = (pending + raw).replace(/(^|\s)#.*$/, "").trim();
    pending = "";
    if (line !== "") out.push({ line, number: start });
  });
  const last = pending.replace(/(^|\s)#.*$/, "").trim();
  if (last !== "") out.push({ line: last, number: start });
  return out;
}

/** `-r x`, `-rx`, `--requirement x`, `--requirement=x` → the long option and its value. */
function splitOption(line: string): { option: string; value: string } | null {
  const long = /^(--[a-z][a-z-]*)(?:\s*=\s*|\s+|$)(.*)$/.exec(line);
  if (long) return { option: long[1]!, value: long[2]!.trim() };
  const short = /^(-[rcif])\s*(.*)$/.exec(line);
  if (short) return { option: SHORT[short[1]!]!, value: short[2]!.trim() };
  return null;
}

/**
 * repo2docker's reading of an option line: `--opt=value` keeps the value, a short option `-xvalue`
 * or `-x value` drops its two characters (so `-e.`, `--editable=.`, `-f ./wheels` are local).
 */
function repo2dockerOptionTarget(line: string): string {
  if (line.startsWith("--pre")) return "";
  let target = line;
  if (target.startsWith("--") && target.includes("=")) target = target.slice(target.indexOf("=") + 1);
  if (target.startsWith("-")) target = target.slice(2).trim();
  return target;
}

/** An index URL for messages: credentials masked (`user:****@host`, or `****@host` for a lone token), no query. */
export function redactIndexUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@(.*)$/i.exec(url);
  let shown = url;
  if (m) {
    const [, scheme, userinfo, rest] = m;
    const colon = userinfo!.indexOf(":");
    shown = `${scheme}${colon >= 0 ? `${userinfo!.slice(0, colon)}:****` : "****"}@${rest}`;
  }
  return shown.replace(/\?.*$/, "?****");
}
