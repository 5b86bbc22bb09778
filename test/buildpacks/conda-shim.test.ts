/**
 * r2d's `conda`/`mamba` stand-in (buildpacks/scripts/conda-shim), run with bash against a fake
 * micromamba that prints the arguments it gets: the usual postBuild commands map to micromamba's.
 */
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TempFiles } from "../helpers/repo.js";

const SHIM = fileURLToPath(new URL("../../buildpacks/scripts/conda-shim", import.meta.url));
const temp = new TempFiles();
let bin: string;

beforeAll(async () => {
  bin = await temp.dir("r2d-shim-");
  const fake = path.join(bin, "micromamba");
  await writeFile(fake, '#!/bin/bash\nif [ "$1" = --version ]; then echo 1.5.10; exit 0; fi\necho "yes=$MAMBA_ALWAYS_YES root=$MAMBA_ROOT_PREFIX"\nprintf "<%s>" "$@"\necho\n');
  await chmod(fake, 0o755);
});
afterAll(() => temp.cleanup());

async function shim(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const r = await execa("bash", [SHIM, ...args], {
    reject: false,
    env: { PATH: `${bin}:/usr/bin:/bin`, CONDA_DEFAULT_ENV: "/srv/conda/envs/notebook", CONDA_DIR: "/srv/conda", ...env },
    extendEnv: false,
  });
  return { code: r.exitCode ?? -1, out: String(r.stdout), err: String(r.stderr) };
}

/** The micromamba argument list the shim ran, as `<a><b>…`. */
async function mapped(args: string[], env?: Record<string, string>): Promise<string> {
  const r = await shim(args, env);
  expect(r.code, r.err).toBe(0);
  return r.out.split("\n")[1]!;
}

describe("conda-shim: the usual postBuild commands", () => {
  it("conda install targets the image's environment, never asks, and says what it runs", async () => {
    const r = await shim(["conda", "install", "-c", "conda-forge", "numpy=1.26"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe("yes=true root=/srv/conda\n<install><--prefix></srv/conda/envs/notebook><-c><conda-forge><numpy=1.26>");
    expect(r.err).toBe("r2d: conda runs as: micromamba install --prefix /srv/conda/envs/notebook -c conda-forge numpy=1.26");
  });

  it.each([
    [["conda", "install", "-y", "-n", "other", "scipy"], "<install><-y><-n><other><scipy>"],
    [["mamba", "install", "--prefix=/opt/env", "scipy"], "<install><--prefix=/opt/env><scipy>"],
    [["conda", "upgrade", "--all"], "<update><--prefix></srv/conda/envs/notebook><--all>"],
    [["conda", "uninstall", "tqdm"], "<remove><--prefix></srv/conda/envs/notebook><tqdm>"],
    [["conda", "clean", "--all", "-f", "-y"], "<clean><--all><-f><-y>"],
    [["mamba", "clean", "-afy"], "<clean><-afy>"],
    [["conda", "list"], "<list><--prefix></srv/conda/envs/notebook>"],
    [["conda", "env", "update", "-f", "binder/extra.yml"], "<install><--prefix></srv/conda/envs/notebook><--file><binder/extra.yml>"],
    [["conda", "env", "update", "--file=extra.yml", "-n", "notebook"], "<install><--file><extra.yml><-n><notebook>"],
    [["conda", "env", "update"], "<install><--prefix></srv/conda/envs/notebook><--file><environment.yml>"],
    [["conda", "env", "create", "-f", "other.yml"], "<create><--file><other.yml>"],
    [["conda", "env", "list"], "<env><list>"],
    [["conda", "create", "-n", "py39", "python=3.9"], "<create><-n><py39><python=3.9>"],
    [["conda", "run", "-n", "py39", "python", "-V"], "<run><-n><py39><python><-V>"],
    [["conda", "config", "--add", "channels", "bioconda"], "<config><prepend><channels><bioconda>"],
    [["conda", "config", "--set", "channel_priority", "strict"], "<config><set><channel_priority><strict>"],
  ])("%j → micromamba %s", async (args, want) => {
    expect(await mapped(args)).toBe(want);
  });

  it("env update --prune is accepted with a note (micromamba cannot prune)", async () => {
    const r = await shim(["conda", "env", "update", "--prune", "-f", "environment.yml"]);
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[1]).toBe("<install><--prefix></srv/conda/envs/notebook><--file><environment.yml>");
    expect(r.err).toContain("--prune: micromamba does not remove packages the file no longer lists; ignored");
  });

  it("activate is a no-op that says why", async () => {
    const r = await shim(["conda", "activate", "notebook"]);
    expect(r).toEqual({ code: 0, out: "", err: "r2d: `conda activate` is not needed here: the environment /srv/conda/envs/notebook is already first on PATH" });
  });

  it("--version names the stand-in and micromamba's version", async () => {
    expect((await shim(["mamba", "--version"])).out).toBe("mamba (r2d's stand-in over micromamba 1.5.10)");
  });

  it("an unknown command fails with exit 2 and the list of known ones", async () => {
    const r = await shim(["conda", "build", "recipe/"]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/^r2d: `conda build recipe\/` is not one of the commands r2d's conda \(over micromamba\) knows: install, update/);
  });

  it("without an environment to act on, install fails clearly", async () => {
    const r = await shim(["conda", "install", "x"], { CONDA_DEFAULT_ENV: "" });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no environment given \(-n\/-p\) and CONDA_DEFAULT_ENV is not set/);
  });
});
