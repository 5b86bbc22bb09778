import { clipForMessage, ConfigError } from "../errors.js";

/** A Synapse-style `requirements.R`: an R script whose `pkg_list` vector names CRAN packages. */
export interface RequirementsR {
  /** Package names from `pkg_list <- c(...)`, or null when the script has no such vector. */
  packages: string[] | null;
}

const R_PACKAGE = /^[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]$|^[A-Za-z]$/;

/**
 * Reads `pkg_list` so r2d can install the packages itself, from the CRAN mirror the user chose,
 * instead of the repository URL hard-coded in the script. Without `pkg_list` the script is run as is.
 */
export function parseRequirementsR(text: string, file = "requirements.R"): RequirementsR {
  // The body may hold comments, and a comment may hold a `)`: `"a", # needed (for x)`.
  const match = /(^|\n)\s*pkg_list\s*(<-|=)\s*c\s*\(((?:[^)#]|#[^\n]*(?=\n|$))*)\)/.exec(text);
  if (!match) return { packages: null };
  const lineAt = (offset: number) => text.slice(0, offset).split("\n").length;
  const bodyStart = match.index + match[0].length - 1 - match[3]!.length;
  const body = match[3]!.replace(/#[^\n]*/g, (comment) => " ".repeat(comment.length));
  const packages: string[] = [];
  let offset = 0;
  for (const item of body.split(",")) {
    const itemStart = offset;
    offset += item.length + 1;
    const value = item.trim();
    if (value === "") continue;
    const quoted = /^(["'])(.*)\1$/.exec(value);
    const name = quoted ? quoted[2]! : value;
    if (!quoted || !R_PACKAGE.test(name)) {
      throw new ConfigError(`pkg_list entry ${clipForMessage(value, 60)} is not a quoted R package name`, {
        location: { file, line: lineAt(bodyStart + itemStart + item.indexOf(value)) },
        hint: 'write pkg_list <- c("optparse", "readr")',
      });
    }
    packages.push(name);
  }
  return { packages };
}
