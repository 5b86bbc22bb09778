/**
 * The user's virtual environment without ensurepip: made with `venv --without-pip`, the base
 * image's pip linked in, so `pip` and `python -m pip` at run time install into /srv/venv as the
 * user, and the environment adds next to nothing to the image (below Python 3.12, setuptools
 * unpacked from ensurepip's wheel, as ensurepip would add it). A base image without pip gets
 * ensurepip's pip, unpacked from its wheel.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type BuildRepoResult } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, docker, sh, Scope } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

/** Writes a minimal pure-Python wheel at `file` (no index needed to install it). */
const MAKE_WHEEL = (file: string) =>
  `python3 - <<'EOF'
import zipfile
files = {
    "r2d_runtime_demo/__init__.py": "VALUE = 'installed at run time'\\n",
    "r2d_runtime_demo-0.1.dist-info/METADATA": "Metadata-Version: 2.1\\nName: r2d-runtime-demo\\nVersion: 0.1\\n",
    "r2d_runtime_demo-0.1.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: r2d-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
files["r2d_runtime_demo-0.1.dist-info/RECORD"] = "".join(f"{n},,\\n" for n in files) + "r2d_runtime_demo-0.1.dist-info/RECORD,,\\n"
with zipfile.ZipFile("${file}", "w") as z:
    for name, text in files.items():
        z.writestr(name, text)
EOF`;

/** Below Python 3.12 ensurepip adds setuptools to an environment, and so does r2d. */
const withSetuptools = (version: string) => version.startsWith("3.") && Number(version.split(".")[1]) < 12;

/** ensurepip's pip records the .pyc files it compiles; a wheel's own RECORD lists none. */
const UNPACKED = (name: string) =>
  `cd /srv/venv/lib/python3*/site-packages; cat ${name}-*.dist-info/INSTALLER; grep -c __pycache__ ${name}-*.dist-info/RECORD || :; stat -c '%U' ${name}`;

async function imageSize(name: string): Promise<number> {
  const r = await docker(infra, ["image", "inspect", "-f", "{{.Size}}", name]);
  return Number(String(r.stdout).trim());
}

describe("the environment on a base image with pip", () => {
  let image: string;
  let built: BuildRepoResult;

  beforeAll(async () => {
    const repo = await scope.repo({ "requirements.txt": `${infra.pyPkg}\n`, "app.py": "print('hi')\n" });
    image = scope.image("venv");
    built = await buildRepo(repo, buildOptions(infra, { imageName: image }));
  });

  it("has no copy of pip: pip and python -m pip are the base image's, run in the environment", async () => {
    const out = await sh(infra, image, "pip --version; python -m pip --version; pip3 --version; ls /srv/venv/lib/python3*/site-packages; python -c 'import sys; print(sys.prefix)'");
    const lines = out.split("\n");
    for (const l of lines.slice(0, 3)) expect(l).toMatch(/^pip [\d.]+ from \/srv\/venv\/lib\/r2d-base-pip\/pip \(python 3\.\d+\)$/);
    expect(lines).not.toContain("pip");
    expect(lines).toContain("r2d-base-pip.pth");
    expect(lines.at(-1)).toBe("/srv/venv");
  });

  it("below Python 3.12 has setuptools, unpacked from ensurepip's wheel, the user's, and pip can replace it", async (t) => {
    if (!withSetuptools(infra.pythonVersion)) t.skip();
    const out = await sh(infra, image, `set -e; python -c 'import setuptools; print(setuptools.__file__)'; ${UNPACKED("setuptools")}; pip uninstall -q -y setuptools; python -c 'import setuptools' 2>/dev/null && echo still || echo gone`);
    expect(out.split("\n")).toEqual([expect.stringMatching(/^\/srv\/venv\/lib\/python3\.\d+\/site-packages\/setuptools\/__init__\.py$/), "pip", "0", built.plan.user.name, "gone"]);
  });

  it("installs at run time into /srv/venv, as the image user, with pip and with python -m pip", async () => {
    const user = built.plan.user;
    const out = await sh(
      infra,
      image,
      // The heredoc's EOF must end its line: the rest of the script follows on the next one (set -e).
      `set -e\n${MAKE_WHEEL("/tmp/r2d_runtime_demo-0.1-py3-none-any.whl")}\npip install -q --no-index /tmp/r2d_runtime_demo-0.1-py3-none-any.whl && python -c 'import r2d_runtime_demo as m, os; print(m.VALUE); print(os.path.dirname(m.__file__))' && stat -c '%U' "$(python -c 'import r2d_runtime_demo as m, os; print(os.path.dirname(m.__file__))')" && python -m pip uninstall -q -y r2d-runtime-demo && python -m pip install -q --no-index /tmp/r2d_runtime_demo-0.1-py3-none-any.whl && python -m pip list --format=freeze`,
    );
    const lines = out.split("\n");
    expect(lines[0]).toBe("installed at run time");
    expect(lines[1]).toMatch(/^\/srv\/venv\/lib\/python3\.\d+\/site-packages\/r2d_runtime_demo$/);
    expect(lines[2]).toBe(user.name);
    expect(out).toContain("r2d-runtime-demo==0.1");
    expect(out).toContain(`${infra.pyPkg}==${infra.pyPkgVersion}`);
  });

  it("adds little to the base image: the environment is not a copy of pip (below 3.12: setuptools only)", async () => {
    const added = (await imageSize(image)) - (await imageSize(infra.basePython));
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThan(withSetuptools(infra.pythonVersion) ? 9_000_000 : 2_000_000);
  });
});

describe("the environment on a base image without pip", () => {
  it("gets ensurepip's pip, unpacked from its wheel, and installs the requirements with it", async () => {
    const base = scope.image("no-pip-base");
    const ctx = await scope.tmp();
    await writeFile(path.join(ctx, "Dockerfile"), `FROM ${infra.basePython}\nRUN rm -rf /usr/lib/python3/dist-packages/pip /usr/bin/pip /usr/bin/pip3\n`);
    const made = await docker(infra, ["build", "-q", "--network", "none", "-t", base, ctx]);
    expect(made.exitCode, String(made.stderr)).toBe(0);
    const repo = await scope.repo({ "requirements.txt": `${infra.pyPkg}\n` });
    const image = scope.image("venv-ensurepip");
    await buildRepo(repo, buildOptions(infra, { imageName: image, baseImage: base }));
    const out = await sh(infra, image, `pip --version; python -c 'import ${infra.pyPkgModule}; print("ok")'; head -1 /srv/venv/bin/pip3; ${UNPACKED("pip")}`);
    const lines = out.split("\n");
    expect(lines[0]).toMatch(/^pip [\d.]+ from \/srv\/venv\/lib\/python3\.\d+\/site-packages\/pip /);
    expect(lines.slice(1)).toEqual(["ok", "#!/srv/venv/bin/python", "pip", "0", expect.not.stringMatching(/^root$/)]);
  });
});
