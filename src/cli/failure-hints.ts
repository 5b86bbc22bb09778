/**
 * What to do about the errors people hit most, recognised in a failed step's output: a package
 * pip, apt, R or conda cannot find, a compiler or `make` missing, apt run without root, a full disk.
 * Each hint names the file to change and how.
 */

interface HintRule {
  test: RegExp;
  hint: (m: RegExpExecArray) => string;
}

/** The first group that matched. */
const name = (m: RegExpExecArray) => m.slice(1).find((g) => g !== undefined) ?? "";

const RULES: HintRule[] = [
  {
    test: /No matching distribution found for ([^\s;]+)/,
    hint: (m) =>
      `pip found no release of ${name(m)} that fits: check its name and version in requirements.txt (and the Python version it needs); a package from a private index needs --pip-index-url or --pip-extra-index-url`,
  },
  {
    test: /Unable to locate package ([\w.+-]+)|Package '([\w.+-]+)' has no installation candidate/,
    hint: (m) => `apt has no package ${name(m)} in the base image's distribution: check its name in apt.txt (packages.debian.org lists Debian's packages; names differ between releases)`,
  },
  {
    test: /\b(?:make|cmake|gcc|cc|g\+\+): (?:command )?not found|command '[^']*(?:gcc|cc|g\+\+)' failed|unable to execute '[^']*(?:gcc|cc)'|\bCC: No such file|Unknown compiler\(s\)/,
    hint: () => "a package is being compiled from source and the build tools are missing: add build-essential to apt.txt (or pin a version that ships a wheel for this Python)",
  },
  {
    test: /package [‘'"]([^’'"]+)[’'"] is not available/,
    hint: (m) => `R found no package ${name(m)} for this R version: check its name in requirements.R / install.R, or give a repository that has it with --cran-mirror`,
  },
  {
    test: /PackagesNotFoundError|nothing provides (\S+)|could not solve for environment specs/i,
    hint: () => "micromamba could not find or combine the packages of environment.yml: check their names, versions and channels",
  },
  {
    test: /Could not open lock file .*Permission denied|are you root\?/,
    hint: () => "apt needs root, and postBuild runs as the image user: list system packages in apt.txt instead",
  },
  {
    test: /No space left on device/i,
    hint: () => "the engine's disk is full: free space with `docker builder prune` (build cache) or `docker system prune`, then build again",
  },
  {
    test: /ModuleNotFoundError: No module named '([\w.]+)'/,
    hint: (m) => `the Python module ${name(m)} is not installed in the image: add its package to requirements.txt`,
  },
];

/** The hint for the first known error among these lines (searched from the last line up). */
export function failureHint(lines: readonly string[]): string | undefined {
  for (const rule of RULES) {
    for (let i = lines.length - 1; i >= 0; i--) {
      const m = rule.test.exec(lines[i] ?? "");
      if (m) return rule.hint(m);
    }
  }
  return undefined;
}
