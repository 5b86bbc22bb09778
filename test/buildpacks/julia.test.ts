/**
 * The Julia pack, checked structurally: the test machines cannot download Julia releases or packages,
 * so these tests check that the right steps come in the right order, as the right user, with the
 * depot owned by that user. The install step's shell is run for real against a local tarball.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CONDA_BASE_IMAGE } from "../../src/buildpacks/conda.js";
import { JULIA_DEPOT, JULIA_DIR } from "../../src/buildpacks/julia.js";
import { detectRepo } from "../../src/detect/index.js";
import { ConfigError } from "../../src/errors.js";
import { makePlan, type PlanOptions } from "../../src/plan/index.js";
import { renderDockerfile } from "../../src/render/index.js";
import { expectConfigError } from "../detect/helpers.js";
import { TempFiles, type Tree } from "../helpers/repo.js";
import { indexOf, instructions } from "./dockerfile-lines.js";

const temp = new TempFiles();
afterEach(() => temp.cleanup());

async function plan(tree: Tree, options: PlanOptions = {}) {
  const facts = await detectRepo(await temp.repo(tree));
  return makePlan(facts, { invoking: { uid: 0, name: "root" }, ...options });
}

const PROJECT = '[deps]\nJSON = "682c06a0-de6a-54ab-a142-c8b1cf79cde6"\n\n[compat]\njulia = "~1.10"\n';
const MANIFEST = 'julia_version = "1.10.4"\nmanifest_format = "2.0"\n\n[[deps.JSON]]\nuuid = "682c06a0-de6a-54ab-a142-c8b1cf79cde6"\nversion = "0.21.4"\n';

describe("the Julia pack's Dockerfile", () => {
  it("installs Julia as root, then instantiates from Project.toml + Manifest.toml before the code, and precompiles after it", async () => {
    const p = await plan({ "Project.toml": PROJECT, "Manifest.toml": MANIFEST, "run.jl": "using JSON\n" }, { userId: 1234, userName: "ada" });
    const lines = instructions(renderDockerfile(p));
    const install = indexOf(lines, /^RUN .*julia-1\.10\.10-linux-\$arch\.tar\.gz/);
    const becomeUser = indexOf(lines, /^USER ada$/);
    const copyProject = indexOf(lines, /^COPY --chown=1234:1234 \["src\/Project\.toml"/);
    const copyManifest = indexOf(lines, /^COPY --chown=1234:1234 \["src\/Manifest\.toml"/);
    const instantiate = indexOf(lines, /^RUN JULIA_PKG_PRECOMPILE_AUTO=0 julia -e 'using Pkg; Pkg\.instantiate\(\)'$/);
    const copyRepo = indexOf(lines, /^COPY --chown=1234:1234 \["src\/",/);
    const precompile = indexOf(lines, /^RUN julia -e 'using Pkg; Pkg\.instantiate\(\); Pkg\.resolve\(\); Pkg\.precompile\(\)'$/);
    expect(install).toBeLessThan(becomeUser);
    expect(Math.max(copyProject, copyManifest)).toBeLessThan(instantiate);
    expect(instantiate).toBeLessThan(copyRepo);
    expect(copyRepo).toBeLessThan(precompile);
    // The depot is the user's (created and chowned by root before the user steps); Julia itself stays root's.
    expect(lines[install]).toContain(`chown 1234:1234 ${JULIA_DEPOT}`);
    expect(lines[install]).not.toMatch(new RegExp(`chown [^&]*${JULIA_DIR}`));
    expect(p.env.JULIA_DEPOT_PATH!.split(":")[0]).toBe(JULIA_DEPOT);
    expect(p.env).toMatchObject({ JULIA_PROJECT: "/home/ada", JULIA_VERSION: "1.10.10" });
    expect(p.path[0]).toBe(`${JULIA_DIR}/bin`);
    expect(p.preAssembleSteps.every((s) => s.user === "user") && p.assembleSteps.every((s) => s.user === "user")).toBe(true);
  });

  it("keeps the downloaded tarball in a BuildKit cache, never Pkg's packages", async () => {
    const p = await plan({ "Project.toml": PROJECT });
    const mounts = [...p.systemSteps, ...p.preAssembleSteps, ...p.assembleSteps].flatMap((s) => s.caches ?? []).map((c) => c.target);
    expect(mounts).toContain("/var/cache/r2d-julia");
    expect(mounts.some((t) => t.startsWith(JULIA_DEPOT))).toBe(false);
  });

  it("JULIA_PROJECT follows binder/ and --target-repo-dir", async () => {
    const p = await plan({ "binder/Project.toml": PROJECT, "Project.toml": "[compat\n" }, { targetRepoDir: "/srv/repo" });
    expect(p.env.JULIA_PROJECT).toBe("/srv/repo/binder");
    expect(p.dependencyFiles).toEqual(["binder/Project.toml"]);
    expect(p.ignored).toEqual([{ path: "Project.toml", reason: expect.stringMatching(/binder\/ exists/) }]);
  });

  it.each([
    ["a manifest entry with a path", { "Project.toml": PROJECT, "Manifest.toml": `${MANIFEST}\n[[deps.Mine]]\npath = "dev/Mine"\nuuid = "5c1a3e9a-2f41-4f36-9d38-1a0f9b7d7c11"\n` }, /Mine \(a path in Manifest\.toml\)/],
    ["[sources] with a path", { "Project.toml": `${PROJECT}\n[sources]\nMine = { path = "dev/Mine" }\n` }, /\[sources\] Mine \(path "dev\/Mine"\) in Project\.toml/],
  ])("instantiates after the code is copied when the environment refers to files in the repository: %s", async (_, tree, why) => {
    const p = await plan(tree);
    expect(p.dependencyFiles).toEqual([]);
    expect(p.preAssembleSteps).toEqual([]);
    expect(p.assembleSteps.map((s) => s.commands.join(" "))).toEqual([expect.stringContaining("Pkg.instantiate(); Pkg.resolve(); Pkg.precompile()")]);
    expect(p.messages.find((m) => /after the code is copied/.test(m.text))?.text).toMatch(why);
  });

  it("warns when the manifest was resolved by another Julia line", async () => {
    const p = await plan({ "Project.toml": '[compat]\njulia = "1.6"\n', "Manifest.toml": MANIFEST });
    expect(p.messages).toContainEqual({ level: "warn", text: expect.stringMatching(/^Manifest\.toml was resolved with Julia 1\.10\.4, and the image gets Julia 1\.12\.\d+;.*julia = "~1\.10"/) });
  });

  it("refuses a bound no known release satisfies, at its line, and a broken manifest it would use", async () => {
    const f = await detectRepo(await temp.repo({ "Project.toml": '[deps]\n\n[compat]\njulia = "2.5"\n' }));
    expectConfigError(() => makePlan(f, { invoking: { uid: 0, name: "root" } }), { file: "Project.toml", line: 4, message: /\[compat\] julia = "2\.5" allows \[2\.5\.0, 3\.0\.0\), and no Julia release r2d knows/ });
    const g = await detectRepo(await temp.repo({ "Project.toml": PROJECT, "Manifest.toml": "[[deps.JSON]\n" }));
    expect(() => makePlan(g, { invoking: { uid: 0, name: "root" } })).toThrow(ConfigError);
  });

  it("says when a release has no recorded checksum (the tarball is then checked by HTTPS only)", async () => {
    const p = await plan({ "Project.toml": '[compat]\njulia = "=1.5.4"\n' });
    expect(p.env.JULIA_VERSION).toBe("1.5.4");
    expect(p.systemSteps[0]!.commands.join("\n")).toMatch(/x86_64\) arch=x86_64 dir=x64 sum= ;;/);
    expect(p.messages).toContainEqual({ level: "warn", text: expect.stringMatching(/no sha256 is recorded for Julia 1\.5\.4/) });
  });

  it("refuses --target-repo-dir inside Julia's directories", async () => {
    for (const dir of [`${JULIA_DIR}/x`, JULIA_DEPOT]) {
      await expect(plan({ "Project.toml": PROJECT }, { targetRepoDir: dir })).rejects.toThrow(/where r2d installs the environment/);
    }
  });
});

describe("Python beside Julia (repo2docker's Julia pack is a Python pack underneath)", () => {
  it("no Python files: no Python, the Debian base", async () => {
    const p = await plan({ "Project.toml": PROJECT });
    expect([p.python, p.baseImage, p.env.VIRTUAL_ENV]).toEqual([null, "debian:bookworm-slim", undefined]);
  });

  it("requirements.txt: the runtime.txt Python, a venv, pip before Julia's packages", async () => {
    const p = await plan({ "Project.toml": PROJECT, "requirements.txt": "numpy\n", "runtime.txt": "python-3.12\n" });
    expect([p.python, p.baseImage, p.env.VIRTUAL_ENV]).toEqual(["3.12", "python:3.12-slim-bookworm", "/srv/venv"]);
    expect(p.path.slice(0, 2)).toEqual(["/srv/venv/bin", `${JULIA_DIR}/bin`]);
    expect(p.preAssembleSteps.map((s) => s.title)).toEqual(["pip packages from requirements.txt", expect.stringMatching(/^Julia packages from Project\.toml/)]);
    expect(p.dependencyFiles).toEqual(["requirements.txt", "Project.toml"]);
  });

  it("a Python package (setup.py) is installed after the copy, with the default Python", async () => {
    const p = await plan({ "Project.toml": PROJECT, "setup.py": "from setuptools import setup\nsetup()\n" });
    expect(p.python).toBe("3.10");
    expect(p.assembleSteps.map((s) => s.title)).toEqual(["the repository as a Python package", expect.stringMatching(/^the Julia environment/)]);
  });

  it("environment.yml: a conda environment on the micromamba image", async () => {
    const p = await plan({ "Project.toml": PROJECT, "environment.yml": "dependencies:\n  - python=3.11\n  - numpy\n" });
    expect([p.python, p.baseImage]).toEqual(["3.11", CONDA_BASE_IMAGE]);
    expect(p.detected.map((d) => d.path)).toEqual(["Project.toml", "environment.yml"]);
    // As every conda image: micromamba checked before anything installs, conda/mamba for postBuild.
    expect(p.systemSteps[0]!.title).toBe("micromamba must be in the base image");
    expect(p.env).toMatchObject({ CONDA_PREFIX: "/srv/conda/envs/notebook", MAMBA_ROOT_PREFIX: "/srv/conda" });
    expect(p.helperFiles).toContain("conda-shim");
  });
});
