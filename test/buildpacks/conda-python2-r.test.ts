/**
 * Python 2.7, R inside conda, and the conda image's own rules (micromamba checked first, the
 * `pip:` list with the pip secret), planned and rendered from temporary repositories.
 */
import { afterEach, describe, expect, it } from "vitest";
import { detectRepo } from "../../src/detect/index.js";
import { makePlan, type BuildPlan, type PlanOptions } from "../../src/plan/index.js";
import { renderDockerfile } from "../../src/render/index.js";
import { expectConfigError } from "../detect/helpers.js";
import { TempFiles } from "../helpers/repo.js";

const ROOT = { uid: 0, name: "root" };
const temp = new TempFiles();
afterEach(() => temp.cleanup());

async function plan(files: Record<string, string>, options: PlanOptions = {}): Promise<BuildPlan> {
  return makePlan(await detectRepo(await temp.repo(files, "r2d-packs-")), { invoking: ROOT, ...options });
}

const steps = (p: BuildPlan) => [...p.systemSteps, ...p.environmentSteps, ...p.preAssembleSteps, ...p.assembleSteps];
const commands = (p: BuildPlan) => steps(p).flatMap((s) => s.commands);

describe("Python 2.7 (runtime.txt python-2.7)", () => {
  it("a conda environment with Python 2.7 for the code; requirements.txt with its pip", async () => {
    const p = await plan({ "runtime.txt": "python-2.7\n", "requirements.txt": "six\n" });
    expect(p.buildpack).toBe("python2");
    expect(p.python).toBe("2.7");
    expect(p.baseImage).toBe("mambaorg/micromamba:1.5.10-bookworm-slim");
    expect(p.path[0]).toBe("/srv/conda/envs/kernel/bin");
    expect(p.env).toMatchObject({ KERNEL_PYTHON_PREFIX: "/srv/conda/envs/kernel", NB_PYTHON_PREFIX: "/srv/conda/envs/kernel", CONDA_DEFAULT_ENV: "/srv/conda/envs/kernel" });
    expect(p.environmentSteps.map((s) => s.commands.at(-1))).toEqual([
      "PIP_CONFIG_FILE=/run/secrets/r2d-pip-conf PIP_CACHE_DIR=/tmp/r2d-cache/pip micromamba create --yes --prefix /srv/conda/envs/kernel --channel conda-forge python=2.7 pip",
    ]);
    expect(p.preAssembleSteps.map((s) => s.commands.at(-1))).toEqual([
      "PIP_CONFIG_FILE=/run/secrets/r2d-pip-conf PIP_CACHE_DIR=/tmp/r2d-cache/pip /srv/conda/envs/kernel/bin/pip install --disable-pip-version-check -r requirements.txt",
    ]);
    expect(p.dependencyFiles).toEqual(["requirements.txt"]);
  });

  it("python-2 means 2.7; requirements3.txt gets a Python 3.10 environment, after 2.7 on PATH", async () => {
    const p = await plan({ "binder/runtime.txt": "python-2\n", "binder/requirements.txt": "six\n", "binder/requirements3.txt": "nbgitpuller\n" });
    expect(p.buildpack).toBe("python2");
    expect(p.path.slice(0, 2)).toEqual(["/srv/conda/envs/kernel/bin", "/srv/conda/envs/notebook/bin"]);
    expect(p.env.NB_PYTHON_PREFIX).toBe("/srv/conda/envs/notebook");
    expect(p.environmentSteps[1]!.commands[0]).toMatch(/micromamba create --yes --prefix \/srv\/conda\/envs\/notebook --channel conda-forge python=3\.10 pip$/);
    expect(p.preAssembleSteps.map((s) => s.commands.at(-1))).toEqual([
      "PIP_CONFIG_FILE=/run/secrets/r2d-pip-conf PIP_CACHE_DIR=/tmp/r2d-cache/pip /srv/conda/envs/notebook/bin/pip install --disable-pip-version-check -r binder/requirements3.txt",
      "PIP_CONFIG_FILE=/run/secrets/r2d-pip-conf PIP_CACHE_DIR=/tmp/r2d-cache/pip /srv/conda/envs/kernel/bin/pip install --disable-pip-version-check -r binder/requirements.txt",
    ]);
    expect(p.detected.map((d) => d.path)).toEqual(["binder/runtime.txt", "binder/requirements.txt", "binder/requirements3.txt"]);
  });

  it("a setup.py is installed with the 2.7 pip after the code is copied", async () => {
    const p = await plan({ "runtime.txt": "python-2.7\n", "setup.py": "from setuptools import setup\nsetup()\n" });
    expect(p.assembleSteps.map((s) => s.commands.at(-1))).toEqual([
      "PIP_CONFIG_FILE=/run/secrets/r2d-pip-conf PIP_CACHE_DIR=/tmp/r2d-cache/pip /srv/conda/envs/kernel/bin/pip install --disable-pip-version-check .",
    ]);
  });

  it("requires-python that excludes 2.7 is refused at runtime.txt", async () => {
    const f = await detectRepo(await temp.repo({ "runtime.txt": "python-2.7\n", "pyproject.toml": '[project]\nrequires-python = ">=3.8"\n' }, "r2d-packs-"));
    expectConfigError(() => makePlan(f, { invoking: ROOT }), { file: "runtime.txt", message: /asks for Python 2\.7 but requires-python is ">=3\.8"/ });
  });

  it("requirements3.txt beside a Python 3 runtime is reported as ignored, with repo2docker's rule", async () => {
    const p = await plan({ "runtime.txt": "python-3.11\n", "requirements3.txt": "x\n" });
    expect(p.buildpack).toBe("python");
    expect(p.ignored).toContainEqual({ path: "requirements3.txt", reason: expect.stringMatching(/only beside runtime\.txt python-2\.7/) });
  });

  it("environment.yml with python=2.7 stays a conda build (not refused)", async () => {
    const p = await plan({ "environment.yml": "dependencies:\n  - python=2.7\n  - numpy\n" });
    expect(p.buildpack).toBe("conda");
    expect(p.python).toBe("2.7");
  });

  it("a Pipfile asking for 2.7 is refused with what works instead", async () => {
    const f = await detectRepo(await temp.repo({ Pipfile: '[packages]\nsix = "*"\n[requires]\npython_version = "2.7"\n' }, "r2d-packs-"));
    expectConfigError(() => makePlan(f, { invoking: ROOT }), { file: "Pipfile", message: /Python 2\.7 from Pipfile is not supported/ });
  });
});

describe("R inside conda (a dated runtime.txt or DESCRIPTION, and environment.yml)", () => {
  const ENV = "dependencies:\n  - numpy\n";

  it("r-base of the runtime.txt version is added to the environment; install.R runs with that R", async () => {
    const p = await plan({ "runtime.txt": "r-4.3-2024-01-15\n", "environment.yml": ENV, "install.R": "install.packages('x')\n" });
    expect(p.buildpack).toBe("r");
    expect(p.r).toBe("4.3.3");
    expect(p.baseImage).toBe("mambaorg/micromamba:1.5.10-bookworm-slim");
    expect(p.path[0]).toBe("/srv/conda/envs/notebook/bin");
    expect(p.preAssembleSteps[0]!.commands.at(-1)).toMatch(/micromamba create --yes --prefix \/srv\/conda\/envs\/notebook --file environment\.yml python=3\.10 r-base=4\.3\.3 --channel conda-forge$/);
    // No distribution R, no rocker image, no venv: everything comes from the environment.
    expect(commands(p).join("\n")).not.toMatch(/r-base-core|python3 -m venv/);
    expect(p.preAssembleSteps[1]!.commands[0]).toContain("Rscript /usr/local/lib/r2d/install-r-packages.R script install.R");
  });

  it("r-DATE uses the default R (4.4.2); an r-base pin in the file is used as is", async () => {
    expect((await plan({ "runtime.txt": "r-2024-05-01\n", "environment.yml": ENV })).r).toBe("4.4.2");
    const pinned = await plan({ "runtime.txt": "r-2024-05-01\n", "environment.yml": "dependencies:\n  - r-base=4.2\n" });
    expect(pinned.r).toBe("4.2");
    expect(pinned.preAssembleSteps[0]!.commands.at(-1)).not.toMatch(/r-base=/);
  });

  it("runtime.txt more precise than the pin adds its version; a contradiction is refused", async () => {
    const p = await plan({ "runtime.txt": "r-4.3.2-2024-01-15\n", "environment.yml": "dependencies:\n  - r-base=4.3\n" });
    expect(p.r).toBe("4.3.2");
    expect(p.preAssembleSteps[0]!.commands.at(-1)).toMatch(/ r-base=4\.3\.2 /);
    const f = await detectRepo(await temp.repo({ "runtime.txt": "r-4.3-2024-01-15\n", "environment.yml": "dependencies:\n  - r-base=4.4.1\n" }, "r2d-packs-"));
    expectConfigError(() => makePlan(f, { invoking: ROOT }), { file: "runtime.txt", message: /asks for R 4\.3 but environment\.yml pins r-base=4\.4\.1/ });
  });

  it("requirements.txt goes to the environment's pip (pip added to the environment)", async () => {
    const p = await plan({ "runtime.txt": "r-2024-05-01\n", "environment.yml": ENV, "requirements.txt": "six\n" });
    expect(p.preAssembleSteps[0]!.commands.at(-1)).toMatch(/ r-base=4\.4\.2 pip --channel conda-forge$/);
    expect(p.preAssembleSteps[1]!.commands.at(-1)).toBe(
      "PIP_CONFIG_FILE=/run/secrets/r2d-pip-conf PIP_CACHE_DIR=/tmp/r2d-cache/pip /srv/conda/envs/notebook/bin/pip install --disable-pip-version-check -r requirements.txt",
    );
  });

  it("when the environment waits for the code (pip: -e .), every install that needs its R or pip waits too, in order", async () => {
    const p = await plan({
      "runtime.txt": "r-2024-05-01\n",
      "environment.yml": "dependencies:\n  - pip:\n    - -e .\n",
      "requirements.txt": "six\n",
      "requirements.R": 'pkg_list <- c("jsonlite")\n',
      "install.R": "1\n",
    });
    expect(p.preAssembleSteps).toEqual([]);
    expect(p.dependencyFiles).toEqual([]);
    expect(p.assembleSteps.map((s) => s.title)).toEqual([
      "conda environment from environment.yml (micromamba)",
      "pip packages from requirements.txt",
      "R packages from requirements.R (pkg_list)",
      "install.R (run as an R script, before the code is copied)",
      "install.R again, with the code, if it failed before",
    ]);
  });

  it("the rendered Dockerfile checks micromamba first and has no rocker base", async () => {
    const dockerfile = renderDockerfile(await plan({ "runtime.txt": "r-2024-05-01\n", "environment.yml": ENV }));
    expect(dockerfile).toMatch(/^FROM mambaorg\/micromamba:1\.5\.10-bookworm-slim( AS r2d-base)?$/m);
    expect(dockerfile).toMatch(/^RUN if ! command -v micromamba >\/dev\/null; then echo 'r2d: the base image has no micromamba/m);
  });

  it("the conda pack reports R wherever the environment brings it", async () => {
    expect((await plan({ "environment.yml": "dependencies:\n  - r-base=4.3.1\n" })).r).toBe("4.3.1");
    expect((await plan({ "environment.yml": "dependencies:\n  - r-ggplot2\n" })).r).toBe("unpinned");
    expect((await plan({ "environment.yml": ENV })).r).toBeNull();
  });
});

describe("R from the image: installs run from the repository root", () => {
  it("binder/install.R and binder/requirements.R run as binder/… from the root, install.R retried with the code", async () => {
    const p = await plan({ "binder/runtime.txt": "r-2024-05-01\n", "binder/install.R": "source('R/deps.R')\n", "binder/requirements.R": "library(x)\n" });
    expect(commands(p).join("\n")).not.toMatch(/(^|\n)cd /);
    expect(p.preAssembleSteps.map((s) => s.title)).toEqual(["binder/requirements.R (run as an R script)", "binder/install.R (run as an R script, before the code is copied)"]);
    expect(p.preAssembleSteps[1]!.commands[0]).toMatch(/install-r-packages\.R script binder\/install\.R && touch \/tmp\/r2d-install\.R-done; } \|\| echo/);
    expect(p.assembleSteps[0]!.commands[0]).toMatch(/^if \[ -e \/tmp\/r2d-install\.R-done \]; then rm -f \/tmp\/r2d-install\.R-done; else .* script binder\/install\.R; fi$/);
  });
});

describe("conda images", () => {
  it("micromamba is checked before apt.txt, in its own if, so an apt failure is reported as one", async () => {
    const p = await plan({ "environment.yml": "dependencies:\n  - numpy\n", "apt.txt": "jq\n" }, { baseImage: "debian:bookworm" });
    const dockerfile = renderDockerfile(p);
    const check = dockerfile.indexOf("if ! command -v micromamba >/dev/null; then echo 'r2d: the base image has no micromamba");
    const apt = dockerfile.indexOf("apt-get update -q");
    expect(check).toBeGreaterThan(0);
    expect(apt).toBeGreaterThan(check);
    expect(dockerfile).toContain("leave out --base-image, or give it an image that has micromamba");
    expect(dockerfile).not.toMatch(/command -v micromamba >\/dev\/null \|\|/);
  });

  it("the environment's pip: list gets the pip index secret and cache", async () => {
    const p = await plan({ "environment.yml": "dependencies:\n  - pip\n  - pip:\n    - requests\n" });
    const create = p.preAssembleSteps[0]!;
    expect(create.commands[0]).toMatch(/^PIP_CONFIG_FILE=\/run\/secrets\/r2d-pip-conf PIP_CACHE_DIR=\/tmp\/r2d-cache\/pip micromamba create /);
    expect(create.secrets).toEqual(["r2d-pip-conf"]);
    expect(create.caches?.map((c) => c.target)).toEqual(["/srv/conda/pkgs", "/tmp/r2d-cache/pip"]);
    expect(p.secrets.map((s) => s.id)).toEqual(["r2d-pip-conf"]);
  });

  it("binder/environment.yml is read from the root (no cd): micromamba runs its pip: list in the file's folder itself", async () => {
    const p = await plan({ "binder/environment.yml": "dependencies:\n  - pip:\n    - -e .\n" });
    expect(p.assembleSteps[0]!.commands).toHaveLength(1);
    expect(p.assembleSteps[0]!.commands[0]).toMatch(/ --file binder\/environment\.yml /);
  });
});
