/** Writes the frozen environment as pylock.toml (PEP 751), which the pylock buildpack installs. */
import { checkHash, checkName, checkUrl, checkVersion } from "../detect/lock-common.js";
import type { IndexFile } from "./simple-index.js";

export interface FrozenPackage {
  name: string;
  version: string;
  files: IndexFile[];
}

/** TOML basic strings: JSON's escapes are TOML's (validated values only reach here anyway). */
const str = (s: string) => JSON.stringify(s);

export function pylockText(packages: readonly FrozenPackage[], python: string): string {
  const where = { file: "pylock.toml" };
  const out = ['# Written by `r2d freeze`: the packages of the built image, pinned with their hashes.', 'lock-version = "1.0"', 'created-by = "r2d"', `requires-python = ${str(`==${python}.*`)}`];
  for (const p of [...packages].sort((a, b) => a.name.localeCompare(b.name))) {
    const name = checkName(p.name, where);
    const file = (f: IndexFile) => `{ name = ${str(f.name)}, url = ${str(checkUrl(f.url, name, where))}, hashes = { sha256 = ${str(checkHash(f.sha256, name, where, "sha256").slice(7))} } }`;
    const wheels = p.files.filter((f) => f.name.endsWith(".whl"));
    const sdist = p.files.find((f) => !f.name.endsWith(".whl"));
    out.push("", "[[packages]]", `name = ${str(name)}`, `version = ${str(checkVersion(p.version, name, where))}`);
    if (wheels.length) out.push("wheels = [", ...wheels.map((w) => `  ${file(w)},`), "]");
    if (sdist) out.push(`sdist = ${file(sdist)}`);
  }
  return `${out.join("\n")}\n`;
}

/** What changed between the old lock's pins and the new ones, one line each (+ added, - removed, ~ changed). */
export function lockChanges(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  for (const [name, version] of after) {
    const old = before.get(name);
    if (old === undefined) lines.push(`+ ${name} ${version}`);
    else if (old !== version) lines.push(`~ ${name} ${old} -> ${version}`);
  }
  for (const [name, version] of before) if (!after.has(name)) lines.push(`- ${name} ${version}`);
  return lines;
}
