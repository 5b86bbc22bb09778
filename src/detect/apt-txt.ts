import { ConfigError } from "../errors.js";

/** Debian package names (optionally `name=version` or `name:arch`), as repo2docker accepts them. */
const NAME = /^[a-z0-9.+-][a-z0-9.+:=~-]*$/;

/** Parses `apt.txt`: one package per line, `#` comments; returns sorted unique names. */
export function parseAptTxt(text: string, file = "apt.txt"): string[] {
  const packages = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    for (const name of line.split(/\s+/)) {
      if (!NAME.test(name)) {
        throw new ConfigError(`"${name}" is not a Debian package name`, {
          location: { file, line: i + 1 },
          hint: "package names use lower-case letters, digits and . + - (one per line, # starts a comment)",
        });
      }
      packages.add(name);
    }
  });
  return [...packages].sort();
}
