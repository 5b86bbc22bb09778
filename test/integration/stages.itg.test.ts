/**
 * Builder, runtime and dev stages end to end (issue 12), on a repository laid out like the
 * Cresset template: config files in dependencies/, apt-build.txt / apt-runtime.txt / apt-dev.txt,
 * and an sdist with a C extension from the local index, which only the builder can compile.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type BuildRepoResult } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, docker, runImage, Scope, sh } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

/** The C-extension sdist the infra publishes (test/infra/pypkgs/r2d-cext-0.1.0). */
const CEXT = { name: "r2d-cext", module: "r2d_cext" };
const UID = 1234;
const GID = 2345;

const TRAIN = `import os, r2d_cext
with open("/out/result.txt", "w") as f:
    f.write(str(r2d_cext.add(2, 3)))
print("trained", os.getuid(), os.getgid())
`;

async function imageSize(image: string): Promise<number> {
  const r = await docker(infra, ["image", "inspect", "-f", "{{.Size}}", image]);
  return Number(String(r.stdout).trim());
}

describe("a Cresset-style repository: --config-dir dependencies, runtime and dev targets", () => {
  let repo: string;
  let out: string;
  let runtimeImage: string;
  let devImage: string;
  let runtime: BuildRepoResult;

  beforeAll(async () => {
    repo = await scope.repo({
      "dependencies/requirements.txt": `${CEXT.name}\n`,
      // Debian's Python (the test base image) keeps Python.h in python3-dev: the builder's only.
      "dependencies/apt-build.txt": "python3-dev\n",
      "dependencies/apt-runtime.txt": "tree\n",
      "dependencies/apt-dev.txt": "strace\n",
      "dependencies/requirements-dev.txt": `${infra.pyDep}\n`,
      "train.py": TRAIN,
    });
    out = path.join(await scope.tmp("r2d-itg-out-"), "output");
    runtimeImage = scope.image("stages-runtime");
    devImage = scope.image("stages-dev");
    const common = { configDir: "dependencies", userId: UID, groupId: GID };
    runtime = await buildRepo(repo, buildOptions(infra, { ...common, imageName: runtimeImage, run: true, volumes: [`${out}:/out`], command: ["python", "train.py"] }));
    await buildRepo(repo, buildOptions(infra, { ...common, imageName: devImage, target: "dev" }));
  }, 1_200_000);

  it("the sdist was compiled in the builder: the runtime image imports it and has no compiler", async () => {
    expect(runtime.plan.stages?.copies).toEqual(["/srv/venv"]);
    expect(runtime.run?.exitCode).toBe(0);
    const text = await sh(infra, runtimeImage, `python -c 'import ${CEXT.module}; print(${CEXT.module}.add(40, 2))'; for t in cc gcc strace tree; do command -v "$t" >/dev/null && echo "has $t" || echo "no $t"; done; test -e /usr/include/python3.11/Python.h && echo headers || echo no headers`);
    expect(text.split("\n")).toEqual(["42", "no cc", "no gcc", "no strace", "has tree", "no headers"]);
  });

  it("the dev image has the dev tools and requirements-dev.txt, on top of the same runtime", async () => {
    const text = await sh(infra, devImage, `python -c 'import ${CEXT.module}, ${infra.pyDepModule}; print("both")'; command -v strace tree; id -u; id -g; command -v cc >/dev/null && echo "has cc" || echo "no cc"`);
    // requirements-dev.txt is wheels only: pip's dry run gave the dev image no compiler.
    expect(text.split("\n")).toEqual(["both", "/usr/bin/strace", "/usr/bin/tree", String(UID), String(GID), "no cc"]);
  });

  it("the runtime image is smaller than the dev image", async () => {
    const [small, big] = await Promise.all([imageSize(runtimeImage), imageSize(devImage)]);
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThan(big);
  });

  it("a file written to a bind mount belongs to the chosen uid:gid", async () => {
    expect(runtime.run?.stdout).toContain(`trained ${UID} ${GID}`);
    const file = await stat(path.join(out, "result.txt"));
    expect({ uid: file.uid, gid: file.gid }).toEqual({ uid: UID, gid: GID });
    const again = await runImage(infra, runtimeImage, ["bash", "-c", "stat -c '%u:%g' /srv/venv $HOME"]);
    expect(again.stdout.trim().split("\n")).toEqual([`${UID}:${GID}`, `${UID}:${GID}`]);
  });
});

it("pyproject.toml's dev dependency group is in the dev image only, on top of the runtime image", async () => {
  const pyproject = `[project]\nname = "demo"\nversion = "0"\nrequires-python = ">=3.8"\n\n[dependency-groups]\ndev = ["${infra.pyPkg}==${infra.pyPkgVersion}"]\n`;
  const repo = await scope.repo({ "pyproject.toml": pyproject, "requirements.txt": `${infra.pyDep}\n`, "runtime.txt": "python-3.11\n" });
  const runtime = await buildRepo(repo, buildOptions(infra, { imageName: scope.image("dev-group-runtime") }));
  const dev = await buildRepo(repo, buildOptions(infra, { imageName: scope.image("dev-group-dev"), target: "dev" }));
  const has = (image: string) => sh(infra, image, `python -c 'import importlib.util as u; print(*[bool(u.find_spec(m)) for m in ("${infra.pyDepModule}", "${infra.pyPkgModule}")])'`);
  expect(await has(runtime.imageName)).toBe("True False");
  expect(await has(dev.imageName)).toBe("True True");
  const layers = async (image: string) => JSON.parse(String((await docker(infra, ["image", "inspect", "--format", "{{json .RootFS.Layers}}", image])).stdout)) as string[];
  const runtimeLayers = await layers(runtime.imageName);
  expect((await layers(dev.imageName)).slice(0, runtimeLayers.length)).toEqual(runtimeLayers);
}, 1_200_000);
