import { describe, expect, it } from "vitest";
import { lockedList } from "../../src/buildpacks/renv.js";
import { parseRenvLock } from "../../src/detect/renv-lock.js";
import { pinnable, renvLockText, renvPins, rFreezer, type Row } from "../../src/freeze/r.js";

const row = (Package: string, Version: string, extra: Partial<Row> = {}): Row => ({ Package, Version, Repository: "", Priority: "", RemoteType: "", Depends: "", Imports: "", LinkingTo: "", ...extra });

describe("r2d freeze for R libraries", () => {
  it("pins packages from CRAN-like repositories only, saying why the others are left out", () => {
    const rows = [row("r2dhello", "0.1.0"), row("Matrix", "1.7-1", { Priority: "recommended" }), row("gh.pkg", "1.0", { RemoteType: "github" }), row("mypkg", "0.0.1"), row("uni", "2.0", { Repository: "https://x.r-universe.dev" }), row("bad;x", "1.0"), row("ppm", "3.0", { Repository: "RSPM" })];
    const { kept, skipped } = pinnable(rows, "mypkg");
    expect(kept.map((p) => p.Package)).toEqual(["r2dhello", "ppm"]);
    expect(skipped).toEqual([
      "Matrix 1.7-1: comes with R (priority recommended)",
      "gh.pkg 1.0: installed from github, not from a repository",
      "mypkg 0.0.1: the repository's own package (DESCRIPTION)",
      "uni 2.0: from the repository https://x.r-universe.dev, whose URL r2d does not know",
      "bad;x 1.0: not an R package name and version r2d accepts",
    ]);
  });

  it("writes a renv.lock the renv pack reads back, dependencies first", () => {
    const text = renvLockText([row("r2dgreet", "1.0.0", { Imports: "r2dhello (>= 0.1.0),\n methods", Depends: "R (>= 3.5)" }), row("r2dhello", "0.1-0", { Repository: "CRAN" })], "4.2.2", "http://127.0.0.1:1", null);
    const lock = parseRenvLock(text);
    expect(lock.rVersion).toBe("4.2.2");
    expect(lockedList(lock)).toBe("r2dhello\t0.1-0\tCRAN\thttp://127.0.0.1:1\nr2dgreet\t1.0.0\tCRAN\thttp://127.0.0.1:1\n");
    expect(JSON.parse(text).Packages.r2dgreet).toEqual({ Package: "r2dgreet", Version: "1.0.0", Source: "Repository", Repository: "CRAN", Requirements: ["r2dhello"] });
    expect(renvPins(text)).toEqual(new Map([["r2dgreet", "1.0.0"], ["r2dhello", "0.1-0"]]));
    expect(renvPins("{ broken")).toEqual(new Map());
  });

  it("keeps a previous lock's repositories and each package's repository", () => {
    const previous = parseRenvLock(JSON.stringify({ R: { Version: "4.2.2", Repositories: [{ Name: "LOCAL", URL: "http://local.example" }] }, Packages: { aa: { Package: "aa", Version: "1.0", Source: "Repository", Repository: "LOCAL" } } }));
    const lock = parseRenvLock(renvLockText([row("aa", "1.1"), row("bb", "2.0")], "4.3.1", "https://cran.example", previous));
    expect(lock.repositories).toEqual([{ name: "LOCAL", url: "http://local.example" }, { name: "CRAN", url: "https://cran.example" }]);
    expect(lock.packages.map((p) => [p.name, p.version, p.repository])).toEqual([["aa", "1.1", "LOCAL"], ["bb", "2.0", "CRAN"]]);
  });
});

describe("r2d freeze for R in a conda environment", () => {
  it("is refused before any container runs, naming environment.yml", async () => {
    const built = { plan: { buildpack: "r" }, facts: { files: { environment: { path: "binder/environment.yml" } } } };
    const input = { engine: null, built, options: {}, read: () => Promise.resolve(null) } as unknown as Parameters<typeof rFreezer.freeze>[0];
    await expect(rFreezer.freeze(input)).rejects.toThrow(/^binder\/environment.yml: r2d freeze does not read R in a conda environment/);
  });
});
