/**
 * The R buildpack with a Synapse-style requirements.R: its pkg_list is installed from the
 * CRAN mirror r2d is given (the local CRAN-like repository), not from the URL in the file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type BuildRepoResult } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, Scope, runImage, sh } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

describe("requirements.R (Synapse style)", () => {
  let image: string;
  let result: BuildRepoResult;

  beforeAll(async () => {
    const repo = await scope.repo({
      "requirements.R": `pkg_list <- c("${infra.rPkg}")\ninstall.packages(pkg_list, repos="http://cran.us.r-project.org")\n`,
      "main.R": `library(${infra.rPkg})\ncat(r2d_hello("main"), "\\n")\n`,
    });
    image = scope.image("r-synapse");
    result = await buildRepo(repo, buildOptions(infra, { imageName: image, baseImage: infra.baseR }));
  });

  it("selects the R buildpack and installs pkg_list from the mirror", () => {
    expect(result.plan.buildpack).toBe("r");
    expect(result.plan.detected.map((d) => d.path)).toContain("requirements.R");
  });

  it("Rscript -e 'library(r2dhello)' works in the image, as the image user", async () => {
    const r = await runImage(infra, image, ["Rscript", "-e", `library(${infra.rPkg}); cat(as.character(packageVersion("${infra.rPkg}")))`]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(infra.rPkgVersion);
    expect(await sh(infra, image, "Rscript main.R")).toBe(`hello, main (${infra.rPkg} ${infra.rPkgVersion})`);
  });

  it("the package lives in the user's library, not the system one", async () => {
    const out = await sh(infra, image, `Rscript -e 'cat(find.package("${infra.rPkg}"))'; echo; stat -c %U "$R_LIBS_USER"`);
    expect(out).toBe(`/srv/rlibs/${infra.rPkg}\n${result.plan.user.name}`);
  });
});
