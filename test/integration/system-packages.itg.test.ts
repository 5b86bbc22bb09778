/**
 * Packages from Debian's mirror at build time (the build uses the host network): apt.txt, and
 * the python3-venv that r2d's system step adds to a bare Debian base image.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type BuildRepoResult } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, Scope, sh, step } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

describe("apt.txt", () => {
  let image: string;
  let result: BuildRepoResult;

  beforeAll(async () => {
    const repo = await scope.repo({ "apt.txt": "# tools\njq\n", "hello.json": '{"greeting": "hi from jq"}\n' });
    image = scope.image("apt");
    result = await buildRepo(repo, buildOptions(infra, { imageName: image }));
  });

  it("installs the listed package from Debian's mirror", () => {
    expect(result.plan.aptPackages).toEqual(["jq"]);
    expect(["done", "cached"]).toContain(step(result.build?.steps, "apt-get install -y -q --no-install-recommends -- jq").status);
  });

  it("the binary runs in the image, as the user", async () => {
    expect(await sh(infra, image, "jq -r .greeting hello.json; command -v jq; whoami")).toBe(
      `hi from jq\n/usr/bin/jq\n${result.plan.user.name}`,
    );
  });
});

describe("a bare Debian base image with requirements.txt", () => {
  let image: string;
  let result: BuildRepoResult;

  beforeAll(async () => {
    // The base has no Python at all.
    const bare = await sh(infra, infra.baseDebian, "command -v python3 || echo none");
    expect(bare).toBe("none");
    const repo = await scope.repo({ "requirements.txt": `${infra.pyPkg}==${infra.pyPkgVersion}\n` });
    image = scope.image("bare-debian");
    result = await buildRepo(repo, buildOptions(infra, { imageName: image, baseImage: infra.baseDebian }));
  });

  it("the system step installs python3-venv from the distribution", async () => {
    const s = step(result.build?.steps, "python3-venv");
    expect(["done", "cached"]).toContain(s.status);
    expect(await sh(infra, image, "dpkg-query -W -f '${Status}' python3-venv")).toBe("install ok installed");
  });

  it("the venv works and has the requirements", async () => {
    const out = await sh(infra, image, `command -v python; python -c 'import ${infra.pyPkgModule} as m; print(m.greet("bare"))'`);
    expect(out).toBe(`/srv/venv/bin/python\n${infra.pyPkg} ${infra.pyPkgVersion}: hello, bare (${infra.pyDep} ${infra.pyDepVersion})`);
  });
});
