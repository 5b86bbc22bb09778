import { describe, expect, it } from "vitest";
import { describeSelection, formatBytes, type ContextSelection, type ExcludedEntry } from "../../src/context/index.js";

function sel(fileCount: number, bytes: number, excluded: ExcludedEntry[]): ContextSelection {
  return { root: "/r", files: [], fileCount, bytes, excluded, warnings: [] };
}

describe("describeSelection", () => {
  it("summarises what was sent and what was left out, grouped by reason", () => {
    const s = sel(12, 34_500, [
      { path: ".git", reason: "git", kind: "dir" },
      { path: "a.log", reason: "dockerignore", kind: "file" },
      { path: "data", reason: "data", kind: "dir" },
      { path: "node_modules", reason: "dockerignore", kind: "dir" },
      { path: "secrets.txt", reason: "symlink-outside", detail: "/etc/secrets.txt", kind: "symlink" },
    ]);
    expect(describeSelection(s)).toBe(
      "sent 12 files, 34.5 kB; left out: data/ (data directory), .git/ (version control), 2 paths (.dockerignore), " +
        "secrets.txt -> /etc/secrets.txt (symlink outside the repository)",
    );
  });

  it("mentions paths re-included inside an excluded directory", () => {
    expect(describeSelection(sel(1, 5, [{ path: "data", reason: "data", kind: "dir", keptInside: 1 }]))).toBe(
      "sent 1 file, 5 B; left out: data/ (data directory; 1 path inside kept)",
    );
  });

  it("says only what was sent when nothing was left out", () => {
    expect(describeSelection(sel(0, 0, []))).toBe("sent 0 files, 0 B");
  });

  it("formats sizes in decimal units", () => {
    expect([999, 1000, 34_500, 1_234_567, 123_456_789, 5e9].map(formatBytes)).toEqual([
      "999 B",
      "1.0 kB",
      "34.5 kB",
      "1.2 MB",
      "123 MB",
      "5.0 GB",
    ]);
  });
});
