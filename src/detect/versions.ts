/**
 * The language versions r2d can provide, kept as data so config files are checked against them at
 * plan time (a version that does not exist fails there, not as a missing base image mid-build).
 * Extend these lists when new releases appear.
 */

/** Python X.Y that conda (environment.yml) and the official images (runtime.txt) offer. */
export const PYTHON_VERSIONS = ["2.7", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"];

/** repo2docker's R X.Y → X.Y.Z map (the newest patch release of each line it knows). */
export const R_VERSIONS: Record<string, string> = {
  "4.6": "4.6.1", "4.5": "4.5.1", "4.4": "4.4.2", "4.3": "4.3.3", "4.2": "4.2.3", "4.1": "4.1.3",
  "4.0": "4.0.5", "3.6": "3.6.3", "3.5": "3.5.3", "3.4": "3.4.4", "3.3": "3.3.3",
};

/** R releases by line: X.Y.0 up to X.Y.<last> were released (rocker/r-ver has an image for each). */
const R_LAST_PATCH: Record<string, number> = {
  "3.3": 3, "3.4": 4, "3.5": 3, "3.6": 3, "4.0": 5, "4.1": 3, "4.2": 3, "4.3": 3, "4.4": 3, "4.5": 3, "4.6": 1,
};

/** Every R release r2d can provide, oldest first (`3.3.0` … `4.6.1`). */
export const R_RELEASES: string[] = Object.entries(R_LAST_PATCH)
  .sort(([a], [b]) => compareVersions(a, b))
  .flatMap(([line, last]) => Array.from({ length: last + 1 }, (_, patch) => `${line}.${patch}`));

/** Numeric comparison of dotted versions (`3.9` < `3.10`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The valid version closest to `wanted` (`valid` sorted oldest first): beyond either end, that end
 * (3.99 → 3.14, 2.6 → 2.7); otherwise the same major first, then the closest minor and patch
 * (3.1 → 3.5, 4.4.9 → 4.4.3). Ties go to the newer version.
 */
export function nearestVersion(wanted: string, valid: readonly string[]): string {
  if (compareVersions(wanted, valid.at(-1)!) > 0) return valid.at(-1)!;
  if (compareVersions(wanted, valid[0]!) < 0) return valid[0]!;
  const parts = wanted.split(".").map(Number);
  const distance = (v: string): number[] => {
    const pv = v.split(".").map(Number);
    return pv.map((n, i) => Math.abs(n - (parts[i] ?? 0)));
  };
  let best = valid[0]!;
  for (const v of valid) {
    const dv = distance(v);
    const db = distance(best);
    const cmp = dv.findIndex((d, i) => d !== db[i]);
    if (cmp < 0 ? compareVersions(v, best) > 0 : dv[cmp]! < db[cmp]!) best = v;
  }
  return best;
}

/** "2.7 and 3.5 to 3.14": a version list as a short phrase for hints. */
export function describeVersions(valid: readonly string[]): string {
  const byMajor = new Map<string, string[]>();
  for (const v of valid) byMajor.set(v.split(".")[0]!, [...(byMajor.get(v.split(".")[0]!) ?? []), v]);
  const ranges = [...byMajor.values()].map((vs) => (vs.length === 1 ? vs[0]! : `${vs[0]} to ${vs.at(-1)}`));
  return ranges.length > 1 ? `${ranges.slice(0, -1).join(", ")} and ${ranges.at(-1)}` : ranges[0]!;
}
