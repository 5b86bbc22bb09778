import { ConfigError, quoteForMessage } from "../errors.js";

/**
 * Debian policy (§5.6.1, §5.6.12), as apt-get install takes it: a package name, an optional `:arch`,
 * then an optional `=version` or `/suite`. A trailing `+` is apt's "install" suffix, harmless, and real
 * packages end with it (g++), so it stays allowed; a trailing `-` (apt's "remove" suffix) and anything
 * starting with `-` (an apt option such as -o or --allow-unauthenticated) are refused.
 */
const PACKAGE = "[a-z0-9][a-z0-9+.-]+";
const ARCH = "[a-z0-9]+(?:-[a-z0-9]+)*";
const VERSION = "(?:[0-9]+:)?[0-9][A-Za-z0-9.+~-]*";
const SUITE = "[a-z0-9][a-z0-9.-]*";
const APT_WORD = new RegExp(`^${PACKAGE}(?::${ARCH})?(?:=${VERSION}|/${SUITE})?$`);

/** Why a word is refused, and what to write instead; null when apt-get may have it. */
function problem(word: string): { why: string; hint: string } | null {
  if (word.startsWith("-")) {
    return { why: "is an apt-get option, and apt.txt may only list packages", hint: "list one package name per line; options such as --allow-unauthenticated or -o are not allowed" };
  }
  if (word.endsWith("-")) {
    return { why: "ends with -, which tells apt-get to remove the package", hint: "drop the trailing - (apt.txt installs packages, it never removes them)" };
  }
  if (APT_WORD.test(word)) return null;
  return {
    why: "is not a Debian package name",
    hint: "write name, name=version or name/suite: package names use lower-case letters, digits and . + - (one per line, # starts a comment)",
  };
}

/** Parses `apt.txt`: one package per line, `#` comments; returns sorted unique names. */
export function parseAptTxt(text: string, file = "apt.txt"): string[] {
  const packages = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    for (const name of line.split(/\s+/)) {
      const bad = problem(name);
      if (bad) throw new ConfigError(`${quoteForMessage(name)} ${bad.why}`, { location: { file, line: i + 1 }, hint: bad.hint });
      packages.add(name);
    }
  });
  return [...packages].sort();
}
