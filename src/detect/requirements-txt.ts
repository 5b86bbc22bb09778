/** What r2d needs to know about a pip requirements file. */
export interface RequirementsTxt {
  /**
   * True when a line refers to the repository itself (`-e .`, `./pkg`, `file://`, `-r other.txt`):
   * such files can only be installed after the whole repository is copied.
   */
  hasLocalReferences: boolean;
  /** Requirement lines with comments and blank lines removed (for reports). */
  requirements: string[];
}

/** Mirrors repo2docker's local-reference test so the same files are installed at the same stage. */
export function parseRequirementsTxt(text: string): RequirementsTxt {
  const requirements: string[] = [];
  let hasLocalReferences = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (line === "") continue;
    requirements.push(line);
    if (/^(-r|-c|--requirement|--constraint)/.test(line) || line.includes("file://")) hasLocalReferences = true;
    const target = line.replace(/^(-e|--editable)\s+/, "");
    if (target.startsWith(".") || target.startsWith("/")) hasLocalReferences = true;
    if (repo2dockerOptionTarget(line).startsWith(".")) hasLocalReferences = true;
  }
  return { hasLocalReferences, requirements };
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
