import { describe, expect, it } from "vitest";
import { newestJulia } from "../../src/buildpacks/julia.js";
import { JULIA_RELEASES, type JuliaRelease } from "../../src/buildpacks/julia-releases.js";
import { inRanges, parseJuliaCompat, toTriple, type VersionRange } from "../../src/detect/julia-compat.js";

function ranges(spec: string): VersionRange[] {
  const parsed = parseJuliaCompat(spec);
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed.ranges;
}

/** [lowest allowed, highest allowed] among a grid of versions, as Pkg's documentation writes intervals. */
function bounds(spec: string): string {
  const grid: string[] = [];
  for (let a = 0; a <= 3; a++) for (let b = 0; b <= 4; b++) for (let c = 0; c <= 4; c++) grid.push(`${a}.${b}.${c}`);
  const allowed = grid.filter((v) => inRanges(toTriple(v), ranges(spec)));
  return allowed.length ? `${allowed[0]}..${allowed.at(-1)}` : "none";
}

describe("Julia [compat] specifiers, as Pkg reads them", () => {
  it.each([
    // Caret, the default: the leftmost non-zero number stays.
    ["1.2.3", "1.2.3..1.4.4"],
    ["^1.2.3", "1.2.3..1.4.4"],
    ["1.2", "1.2.0..1.4.4"],
    ["1", "1.0.0..1.4.4"],
    ["0.2.3", "0.2.3..0.2.4"],
    ["0.0.3", "0.0.3..0.0.3"],
    ["0.0", "0.0.0..0.0.4"],
    ["0", "0.0.0..0.4.4"],
    // Tilde: only the last written number may grow (with three numbers, the patch).
    ["~1.2.3", "1.2.3..1.2.4"],
    ["~1.2", "1.2.0..1.2.4"],
    ["~1", "1.0.0..1.4.4"],
    ["~0.0.3", "0.0.3..0.0.4"],
    // Inequalities (Pkg has no `>` and no `<=`).
    [">= 1.2.3", "1.2.3..3.4.4"],
    ["≥1.2", "1.2.0..3.4.4"],
    ["= 1.2.3", "1.2.3..1.2.3"],
    ["=1.2", "1.2.0..1.2.0"],
    ["< 1.2.3", "0.0.0..1.2.2"],
    ["<1.2", "0.0.0..1.1.4"],
    ["<1", "0.0.0..0.4.4"],
    ["<0", "none"],
    // Hyphen ranges: the upper bound covers every version starting with it.
    ["1.2.3 - 2.3.4", "1.2.3..2.3.4"],
    ["1.2 - 2.3", "1.2.0..2.3.4"],
    ["0.2 - 0", "0.2.0..0.4.4"],
    // A leading v is allowed, as in Pkg.
    ["v1.2", "1.2.0..1.4.4"],
  ])("%s allows %s", (spec, expected) => {
    expect(bounds(spec)).toBe(expected);
  });

  it("comma-separated specifiers are a union (Pkg's own examples)", () => {
    expect(bounds("1.2, 2")).toBe("1.2.0..2.4.4");
    expect(bounds("0.2, 1")).toBe("0.2.0..1.4.4");
    const spec = ranges("0.1.8 - 0.2.2, ^0.3.6");
    const grid = ["0.1.7", "0.1.8", "0.2.0", "0.2.2", "0.2.3", "0.3.5", "0.3.6", "0.3.8", "0.4.0"];
    expect(grid.filter((v) => inRanges(toTriple(v), spec))).toEqual(["0.1.8", "0.2.0", "0.2.2", "0.3.6", "0.3.8"]);
    expect(inRanges(toTriple("0.3.3"), ranges("0.1 - 0.2, ~0.3.2"))).toBe(true);
    expect(inRanges(toTriple("0.3.0"), ranges("~0.3.2"))).toBe(false);
  });

  it.each([["> 1.6"], ["<= 1.6"], ["1.6.x"], ["1.6-1.8"], ["^ 1.6"], ["0.0.0"], ["~0.0.0"], ["julia 1.6"], ["1.6,,1.7"], [""]])("%j is refused, as Pkg refuses it", (spec) => {
    expect(parseJuliaCompat(spec)).toHaveProperty("error");
  });
});

describe("choosing the Julia release: the newest the bound allows (repo2docker's rule)", () => {
  const releases: JuliaRelease[] = ["1.5.4", "1.6.0", "1.6.7", "1.9.4", "1.10.0", "1.10.10", "1.11.9", "1.12.5"].map((version) => ({ version }));

  it.each([
    ["1.6", "1.12.5"], // repo2docker's default spec: the newest 1.x
    ["1.9", "1.12.5"],
    ["~1.10", "1.10.10"],
    ["=1.10.0", "1.10.0"],
    ["1.6 - 1.10", "1.10.10"],
    ["~1.6, ~1.9", "1.9.4"],
    ["< 1.6", "1.5.4"],
    ["0.7", null],
    ["2", null],
  ])("%s → %s", (spec, expected) => {
    expect(newestJulia(ranges(spec), releases)?.version ?? null).toBe(expected);
  });

  it("the release list is ordered, covers the current lines, and records well-formed checksums", () => {
    const versions = JULIA_RELEASES.map((r) => r.version);
    const sorted = [...versions].sort((a, b) => {
      const [x, y] = [toTriple(a), toTriple(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
    expect(versions).toEqual(sorted);
    expect(new Set(versions).size).toBe(versions.length);
    for (const line of ["1.6", "1.10", "1.11", "1.12"]) expect(versions.some((v) => v.startsWith(`${line}.`)), line).toBe(true);
    for (const r of JULIA_RELEASES) for (const sum of Object.values(r.sha256 ?? {})) expect(sum, r.version).toMatch(/^[0-9a-f]{64}$/);
    // Every release repo2docker's default spec can pick from 1.6 on has both checksums.
    for (const r of JULIA_RELEASES.filter((x) => inRanges(toTriple(x.version), ranges("1.6")))) expect(Object.keys(r.sha256 ?? {}).sort(), r.version).toEqual(["aarch64", "x86_64"]);
    expect(newestJulia(ranges("1.6"))?.version).toBe(versions.at(-1));
  });
});
