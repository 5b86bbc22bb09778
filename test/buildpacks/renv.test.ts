/** renv.lock's place in the detection order and the R version it selects, planned without a build. */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { planRepo } from "../../src/index.js";
import { TempFiles } from "../helpers/repo.js";

const temp = new TempFiles();
afterEach(() => temp.cleanup());
const INVOKING = { uid: 0, name: "root" };
const LOCK = JSON.stringify({ R: { Version: "4.3.1", Repositories: [{ Name: "CRAN", URL: "https://cran.example.org" }] }, Packages: { aa: { Package: "aa", Version: "1.0", Source: "Repository", Repository: "CRAN" } } });
const plan = async (tree: Record<string, string>) => (await planRepo(await temp.repo(tree), { invoking: INVOKING })).plan;

describe("the renv pack", () => {
  it("wins over install.R and DESCRIPTION (installed after the lock), and takes R.Version", async () => {
    const p = await plan({ "renv.lock": LOCK, "install.R": "install.packages('aa')\n", DESCRIPTION: "Package: mypkg\nVersion: 0.1\n" });
    expect(p.buildpack).toBe("renv");
    expect(p.baseImage).toBe("rocker/r-ver:4.3.1");
    expect(p.ignored).toEqual([{ path: "install.R", reason: "renv.lock is used: it pins every R package" }]);
    expect(p.assembleSteps.map((s) => s.title)).toEqual(["the repository as an R package (DESCRIPTION)"]);
  });

  it("takes the more precise of runtime.txt's R and the lock's, and refuses the two it when it does not", async () => {
    expect((await plan({ "renv.lock": LOCK, "runtime.txt": "r-4.3-2024-01-01\n" })).r).toBe("4.3.1");
    expect((await plan({ "renv.lock": LOCK.replace("4.3.1", "4.3"), "runtime.txt": "r-4.3.2-2024-01-01\n" })).r).toBe("4.3.2");
    expect((await plan({ "renv.lock": LOCK.replace("4.3.1", "4.3") })).r).toBe("4.3.3");
    await expect(plan({ "renv.lock": LOCK, "runtime.txt": "r-4.4-2024-01-01\n" })).rejects.toThrow(ConfigError);
    await expect(plan({ "renv.lock": LOCK, "runtime.txt": "r-4.4-2024-01-01\n" })).rejects.toThrow(/runtime.txt asks for R 4.4 but renv.lock was made with R 4.3.1/);
  });

  it("is not chosen when runtime.txt names another language", async () => {
    const p = await plan({ "renv.lock": LOCK, "runtime.txt": "python-3.11\n" });
    expect(p.buildpack).toBe("python");
    expect(p.ignored.map((i) => i.path)).toContain("renv.lock");
  });
});
