/** A conda match spec (`numpy`, `numpy>=1.2,<2`, `python=3.11=h1_0`, `conda-forge/linux-64::numpy`), split. */
export interface MatchSpec {
  name: string;
  /** The `channel` of `channel::name` (with its subdir, if any), or null. */
  channel: string | null;
  /** The platform subdir named in the channel (`osx-64`), or null. */
  subdir: string | null;
  /** Everything after the name (and its `[key=value]` options): version constraints and build string. */
  constraint: string;
}

/** conda's platform subdirs; only the Linux ones (and noarch) can be installed in the image. */
const SUBDIRS = new Set([
  "noarch", "linux-64", "linux-32", "linux-aarch64", "linux-armv6l", "linux-armv7l", "linux-ppc64le", "linux-s390x", "linux-riscv64",
  "osx-64", "osx-arm64", "win-64", "win-32", "win-arm64", "emscripten-wasm32", "wasi-wasm32", "zos-z",
]);
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*/;
const OPTIONS = /^\[\s*[A-Za-z_]+\s*=\s*(?:'[^'\]]*'|"[^"\]]*"|[^,'"\]\s]+)\s*(?:,\s*[A-Za-z_]+\s*=\s*(?:'[^'\]]*'|"[^"\]]*"|[^,'"\]\s]+)\s*)*\]/;
/** Version constraints and build strings use only these; anything else (`;`, quotes, `$`) is not a spec. */
const CONSTRAINT = /^[A-Za-z0-9_.*+!=<>~|,\s-]*$/;

/** Splits a conda match spec, or returns null when the text is not one. */
export function parseMatchSpec(text: string): MatchSpec | null {
  let rest = text.trim();
  let channel: string | null = null;
  let subdir: string | null = null;
  const sep = rest.indexOf("::");
  if (sep >= 0) {
    channel = rest.slice(0, sep);
    rest = rest.slice(sep + 2);
    if (!/^[^\s:'"`$;]+(?::\/\/[^\s:'"`$;]+)?$/.test(channel)) return null;
    const last = channel.split("/").at(-1)!;
    if (SUBDIRS.has(last)) subdir = last;
  }
  const name = NAME.exec(rest)?.[0];
  if (!name) return null;
  rest = rest.slice(name.length);
  const options = OPTIONS.exec(rest);
  if (rest.startsWith("[") && !options) return null;
  if (options) rest = rest.slice(options[0].length);
  if (!CONSTRAINT.test(rest)) return null;
  const constraint = rest.trim();
  if (constraint !== "") {
    // `numpy 1.2` (space) or `numpy=1.2` / `numpy>=1.2` (operator); never `numpy=` or `numpy>=1,`.
    if (!/^[\s=<>!~]/.test(rest)) return null;
    if (/[=<>!~|,]$/.test(constraint)) return null;
  }
  return { name, channel, subdir, constraint };
}

/** A subdir for a platform other than Linux: micromamba in the image cannot install from it. */
export function isForeignSubdir(subdir: string | null): boolean {
  return subdir !== null && subdir !== "noarch" && !subdir.startsWith("linux-");
}

/** `==3.11`, `>=3.8,<3.12`, `3.10.*`, `3.11=h1_0` (build string after the version): is the version part numeric? */
export function isVersionConstraint(constraint: string): boolean {
  const c = constraint.trim();
  const v = c.startsWith("==") ? c.slice(2) : c.startsWith("=") ? c.slice(1) : c;
  // A build string follows the version after `=` or a space: `3.11=h1_0`, `3.11 h1_0`.
  const version = /^(.*?[\d*])(?:=|\s+)(?![<>=!~,|\s])(\S+)$/.exec(v.trim())?.[1] ?? v;
  const clause = String.raw`(?:==?|>=?|<=?|!=|~=)?\s*\d+(?:\.(?:\d+|\*))*(?:[a-z]+\d*)?\*?`;
  return new RegExp(String.raw`^${clause}(?:\s*[,|]\s*${clause})*$`).test(version.trim());
}
