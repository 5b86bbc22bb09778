/**
 * renv.lock against the local CRAN-like repository: an archived (older) version installed exactly,
 * from the repository named in the lock and from --cran-mirror (which replaces the one named CRAN);
 * and `r2d freeze`'s round trip for an install.R repository, after the repository publishes a newer version.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildRepo, type BuildError } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, Scope, sh } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

const TIMEOUT = 900_000;
const rOptions = (extra: Parameters<typeof buildOptions>[1] = {}) => buildOptions(infra, { baseImage: infra.baseR, ...extra });
const installed = (image: string, pkg: string) => sh(infra, image, `Rscript -e 'cat(packageDescription("${pkg}")$Version, find.package("${pkg}"))'`);
const failed = (what: string) => (e: unknown) => {
  throw new Error(`${what} failed: ${(e as Error).message}\n${(e as BuildError).log ?? ""}`);
};

it("renv.lock: the archived version of a package, from the lock's repository and the mirror", async () => {
  const lock = {
    R: { Version: infra.rVersion, Repositories: [{ Name: "CRAN", URL: "http://cran.invalid" }, { Name: "LOCAL", URL: infra.cran }] },
    Packages: {
      [infra.rPkgWithDep]: { Package: infra.rPkgWithDep, Version: infra.rPkgWithDepVersion, Source: "Repository", Repository: "CRAN", Requirements: [infra.rPkg] },
      [infra.rPkg]: { Package: infra.rPkg, Version: infra.rPkgOldVersion, Source: "Repository", Repository: "LOCAL" },
    },
  };
  const repo = await scope.repo({ "renv.lock": JSON.stringify(lock, null, 2), "install.R": `install.packages("${infra.rPkg}")\n` });
  const result = await buildRepo(repo, rOptions({ imageName: scope.image("renv") })).catch(failed("the build"));
  expect(result.plan.buildpack).toBe("renv");
  expect(await installed(result.imageName, infra.rPkg)).toBe(`${infra.rPkgOldVersion} /srv/rlibs/${infra.rPkg}`);
  expect(await installed(result.imageName, infra.rPkgWithDep)).toBe(`${infra.rPkgWithDepVersion} /srv/rlibs/${infra.rPkgWithDep}`);
}, TIMEOUT);
