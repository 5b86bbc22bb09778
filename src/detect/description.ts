import { ConfigError, quoteForMessage } from "../errors.js";

/** An R package `DESCRIPTION` (Debian control format); r2d needs its name and R dependency. */
export interface Description {
  package: string;
  /** The `R (>= X.Y)` constraint from `Depends`, when present. */
  rVersion: string | null;
}

/** Writing R Extensions §1.1.1: letters, digits and dots, starting with a letter, not ending with a dot. */
const R_PACKAGE = /^[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]$/;

export function parseDescription(text: string, file = "DESCRIPTION"): Description {
  const fields = new Map<string, { value: string; line: number }>();
  let current: string | null = null;
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    if (/^\s/.test(line) && current) {
      const f = fields.get(current)!;
      f.value = `${f.value} ${line.trim()}`;
      return;
    }
    const m = /^([A-Za-z][A-Za-z0-9/@._-]*)\s*:\s*(.*)$/.exec(line);
    if (!m) {
      throw new ConfigError(`line ${quoteForMessage(line.trim())} is not "Field: value"`, {
        location: { file, line: i + 1 },
        hint: "continuation lines must start with whitespace",
      });
    }
    current = m[1]!;
    fields.set(current, { value: m[2]!.trim(), line: i + 1 });
  });
  const pkg = fields.get("Package");
  if (!pkg?.value) throw new ConfigError("has no Package field", { location: { file }, hint: "add `Package: yourpackage`" });
  if (!R_PACKAGE.test(pkg.value)) {
    throw new ConfigError(`Package ${quoteForMessage(pkg.value)} is not an R package name`, {
      location: { file, line: pkg.line },
      hint: "R package names use letters, digits and dots, start with a letter and do not end with a dot",
    });
  }
  const r = /\bR\s*\(\s*>=?\s*([\d.]+)\s*\)/.exec(fields.get("Depends")?.value ?? "");
  return { package: pkg.value, rVersion: r ? r[1]! : null };
}
