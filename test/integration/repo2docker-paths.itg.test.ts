/**
 * What repo2docker builds, built for real: the tools a postBuild calls installed from apt on a slim
 * base, installs from binder/ run from the repository root (`-e .`), R packages with a dependency
 * on Debian's r-base-core (no make), install.R that sources the repository's files, and the
 * conda image's first check (a base without micromamba; an apt failure reported as one).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildError, buildRepo, type BuildRepoResult } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, docker, eventLog, Scope, sh, step } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

async function buildError(p: Promise<unknown>): Promise<BuildError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BuildError);
  return err as BuildError;
}

/** The local index's URL of a wheel (a zip file), from its project page. */
function wheelUrl(): string {
  return `${infra.pipIndex.replace(/\/simple\/?$/, "")}/packages/r2d_hello-${infra.pyDepVersion}-py3-none-any.whl`;
}

describe("a postBuild calling wget and unzip on r2d-test/python:bookworm", () => {
  let image: string;
  let result: BuildRepoResult;
  const log = eventLog();

  beforeAll(async () => {
    // The base has neither tool.
    expect(await sh(infra, infra.basePython, "command -v wget unzip || echo none")).toBe("none");
    const repo = await scope.repo({
      "requirements.txt": `${infra.pyDep}==${infra.pyDepVersion}\n`,
      postBuild: `#!/bin/bash\nset -euo pipefail\n# fetch a wheel and look inside\nwget -q -O "$HOME/hello.whl" '${wheelUrl()}'\nunzip -l "$HOME/hello.whl" | grep -c r2d_hello/ > "$HOME/files-in-wheel.txt"\n`,
    });
    image = scope.image("postbuild-tools");
    result = await buildRepo(repo, buildOptions(infra, { imageName: image, onEvent: log.onEvent }));
  }, 600_000);

  it("the plan names the script lines, and one root step installs the tools", () => {
    const texts = result.plan.messages.map((m) => m.text);
    expect(texts).toContain("postBuild:4 calls wget: r2d installs it from apt (wget) when the base image lacks it");
    expect(texts).toContain("postBuild:5 calls unzip: r2d installs it from apt (unzip) when the base image lacks it");
    expect(["done", "cached"]).toContain(step(result.build?.steps, "command -v wget").status);
  });

  it("postBuild ran with them, and they are in the image", async () => {
    expect(Number(await sh(infra, image, 'cat "$HOME/files-in-wheel.txt"'))).toBeGreaterThan(0);
    expect(await sh(infra, image, "command -v wget unzip")).toBe("/usr/bin/wget\n/usr/bin/unzip");
  });
});

describe("binder/requirements.txt with -e . runs from the repository root", () => {
  let image: string;

  beforeAll(async () => {
    const repo = await scope.repo({
      "binder/requirements.txt": `-e .\n${infra.pyDep}==${infra.pyDepVersion}\n`,
      // Read because binder/requirements.txt says `-e .` (a root setup.py is otherwise ignored beside binder/).
      "setup.py": 'from setuptools import setup\nsetup(name="rootpkg", version="0.1", py_modules=["rootpkg"])\n',
      "rootpkg.py": 'WHERE = "the repository root"\n',
    });
    image = scope.image("binder-editable");
    const result = await buildRepo(repo, buildOptions(infra, { imageName: image }));
    expect(result.plan.assembleSteps.map((s) => s.commands.at(-1))).toContainEqual(expect.stringMatching(/pip install --disable-pip-version-check -r binder\/requirements\.txt$/));
  }, 600_000);

  it("the package at the root is installed (editable), not binder/", async () => {
    const out = await sh(infra, image, `python -c 'import rootpkg, os; print(rootpkg.WHERE); print(os.path.dirname(rootpkg.__file__) == os.environ["HOME"])'`);
    expect(out).toBe("the repository root\nTrue");
  });
});

describe("R on Debian's r-base-core: a package with a dependency, and install.R sourcing the repository's files", () => {
  let image: string;
  let result: BuildRepoResult;

  beforeAll(async () => {
    expect(await sh(infra, infra.baseR, "command -v make || echo none")).toBe("none");
    const repo = await scope.repo({
      "binder/requirements.R": `pkg_list <- c("${infra.rPkgWithDep}")\n`,
      // Fails before the code is copied (R/ is not there yet), so it runs again after the copy.
      "binder/install.R": 'source("R/setup.R")\n',
      "R/setup.R": 'writeLines(paste("sourced from", getwd()), file.path(Sys.getenv("HOME"), "install-r.txt"))\n',
    });
    image = scope.image("r-with-dependency");
    result = await buildRepo(repo, buildOptions(infra, { imageName: image, baseImage: infra.baseR }));
  }, 900_000);

  it("installs the package and its dependency into the user's library", async () => {
    expect(result.plan.buildpack).toBe("r");
    const out = await sh(infra, image, `Rscript -e 'cat(${infra.rPkgWithDep}::r2d_greet("itg"))'; echo; Rscript -e 'cat(dirname(find.package("${infra.rPkg}")))'`);
    expect(out).toBe(`${infra.rPkgWithDep} ${infra.rPkgWithDepVersion}: hello, itg (${infra.rPkg} ${infra.rPkgVersion})\n/srv/rlibs`);
  });

  it("install.R ran from the repository root, after the copy", async () => {
    expect(await sh(infra, image, 'cat "$HOME/install-r.txt"; test ! -e /tmp/r2d-install.R-done && echo "marker gone"')).toBe(`sourced from /home/${result.plan.user.name}\nmarker gone`);
    expect(["done", "cached"]).toContain(step(result.build?.steps, "rm -f /tmp/r2d-install.R-done").status);
  });
});

describe("conda images check the base image first", () => {
  it("a base image without micromamba: the message names --base-image, and apt never ran", async () => {
    const repo = await scope.repo({ "environment.yml": "dependencies:\n  - numpy\n", "apt.txt": "jq\n" });
    const err = await buildError(buildRepo(repo, buildOptions(infra, { imageName: scope.image("no-micromamba"), baseImage: infra.basePython })));
    // The check's own output line (the RUN line that holds the text is printed too, so match the output).
    expect(err.log).toMatch(/^#\d+ (?:[\d.]+ )?r2d: the base image has no micromamba, which the conda environment \(environment\.yml\) needs: leave out --base-image, or give it an image that has micromamba/m);
    expect(err.log).not.toMatch(/Reading package lists|Get:\d+ http/);
  }, 600_000);

  it("an apt failure in a conda image is reported as an apt failure", async () => {
    // A base image whose micromamba exists (a stub: the build stops at apt, before it is used).
    const base = scope.image("fake-micromamba");
    const made = await docker(infra, ["build", "-q", "--network", "none", "-t", base, "-"], {
      input: `FROM ${infra.baseDebian}\nRUN printf '#!/bin/sh\\nexit 0\\n' > /usr/local/bin/micromamba && chmod 755 /usr/local/bin/micromamba\n`,
    });
    expect(made.exitCode, String(made.stderr)).toBe(0);
    const repo = await scope.repo({ "environment.yml": "dependencies:\n  - numpy\n", "apt.txt": "r2d-no-such-package\n" });
    const err = await buildError(buildRepo(repo, buildOptions(infra, { imageName: scope.image("conda-apt-fails"), baseImage: base })));
    expect(err.log).toMatch(/Unable to locate package r2d-no-such-package/);
    expect(err.log).not.toMatch(/^#\d+ (?:[\d.]+ )?r2d: the base image has no micromamba/m);
  }, 600_000);
});

describe("a Dockerfile in binder/ gets Docker's ignore rule: the context root's .dockerignore", () => {
  it("the root .dockerignore applies, binder/.dockerignore does not", async () => {
    const repo = await scope.repo({
      "binder/Dockerfile": `FROM ${infra.baseDebian}\nCOPY . /app\nCMD ["ls", "/app"]\n`,
      ".dockerignore": "secret.txt\n",
      "binder/.dockerignore": "kept.txt\n",
      "secret.txt": "left out by the root .dockerignore\n",
      "kept.txt": "sent: binder/.dockerignore is not Docker's file for this build\n",
    });
    const image = scope.image("binder-dockerfile");
    const { baseImage: _unused, ...opts } = buildOptions(infra);
    const result = await buildRepo(repo, { ...opts, imageName: image });
    expect(result.plan.context.ignoreFileDir).toBe("");
    expect(await sh(infra, image, "ls /app | sort | tr '\\n' ' '")).toBe("binder kept.txt");
  }, 600_000);
});
