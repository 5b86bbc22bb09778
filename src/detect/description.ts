import { ConfigError } from "../errors.js";

/** An R package `DESCRIPTION` (Debian control format); r2d needs its name and R dependency. */
export interface Description {
  package: string;
  /** The `R (>= X.Y)` constraint from `Depends`, when present. */
  rVersion: string | null;
}

export function parseDescription(text: string, file = "DESCRIPTION"): Description {
  const fields = new Map<string, string>();
  let current: string | null = null;
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    if (/^\s/.test(line) && current) {
      fields.set(current, `${fields.get(current)} ${line.trim()}`);
      return;
    }
    const m = /^([A-Za-z][A-Za-z0-9/@._-]*)\s*:\s*(.*)$/.exec(line);
    if (!m) {
      throw new ConfigError(`line "${line.trim()}" is not "Field: value"`, {
        location: { file, line: i + 1 },
        hint: "continuation lines must start with whitespace",
      });
    }
    current = m[1]!;
    fields.set(current, m[2]!.trim());
  });
  const pkg = fields.get("Package");
  if (!pkg) throw new ConfigError("has no Package field", { location: { file }, hint: "add `Package: yourpackage`" });
  const r = /\bR\s*\(\s*>=?\s*([\d.]+)\s*\)/.exec(fields.get("Depends") ?? "");
  return { package: pkg, rVersion: r ? r[1]! : null };
}
