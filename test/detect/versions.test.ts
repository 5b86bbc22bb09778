import { describe, expect, it } from "vitest";
import { compareVersions, describeVersions, nearestVersion, PYTHON_VERSIONS, R_RELEASES, R_VERSIONS } from "../../src/detect/versions.js";

describe("the version data", () => {
  it("Python: 2.7 and 3.5 to 3.14, in order", () => {
    expect(PYTHON_VERSIONS[0]).toBe("2.7");
    expect(PYTHON_VERSIONS.at(-1)).toBe("3.14");
    expect([...PYTHON_VERSIONS].sort(compareVersions)).toEqual(PYTHON_VERSIONS);
    expect(describeVersions(PYTHON_VERSIONS)).toBe("2.7 and 3.5 to 3.14");
  });

  it("every X.Y → X.Y.Z the R map gives is a release r2d accepts", () => {
    for (const full of Object.values(R_VERSIONS)) expect(R_RELEASES).toContain(full);
    expect(R_RELEASES[0]).toBe("3.3.0");
    expect(R_RELEASES).toContain("4.0.5");
    expect(R_RELEASES).not.toContain("4.0.6");
    expect([...R_RELEASES].sort(compareVersions)).toEqual(R_RELEASES);
  });
});

describe("nearestVersion", () => {
  it.each([
    ["3.99", PYTHON_VERSIONS, "3.14"],
    ["3.1", PYTHON_VERSIONS, "3.5"],
    ["3.4", PYTHON_VERSIONS, "3.5"],
    ["2.9", PYTHON_VERSIONS, "2.7"],
    ["2.0", PYTHON_VERSIONS, "2.7"],
    ["4.0", PYTHON_VERSIONS, "3.14"],
    ["3.12", PYTHON_VERSIONS, "3.12"],
    ["4.4.9", R_RELEASES, "4.4.3"],
    ["4.7.0", R_RELEASES, "4.6.1"],
    ["3.0.0", R_RELEASES, "3.3.0"],
  ])("%s → %s", (wanted, valid, nearest) => {
    expect(nearestVersion(wanted, valid)).toBe(nearest);
  });

  it("compareVersions is numeric (3.9 < 3.10)", () => {
    expect(compareVersions("3.9", "3.10")).toBeLessThan(0);
    expect(compareVersions("4.0.5", "4.0")).toBeGreaterThan(0);
    expect(compareVersions("3.10", "3.10.0")).toBe(0);
  });
});
