/**
 * ensurepip's wheels unpacked into a virtual environment (issue 13), run for real with this
 * machine's Python when it can make one: the command is what the Dockerfile runs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensurepipCommand } from "../../src/buildpacks/venv-pip.js";
import { TempFiles } from "../helpers/repo.js";

const temp = new TempFiles();
afterEach(() => temp.cleanup());
const canVenv = spawnSync("python3", ["-c", "import venv, ensurepip"]).status === 0;

async function environment(): Promise<string> {
  // r2d's environments are /srv/venv and /srv/pipenv: a shebang cannot hold a space.
  const dir = path.join(await temp.dir("r2d-venv-pip-"), "env");
  expect(spawnSync("python3", ["-m", "venv", "--without-pip", dir]).status).toBe(0);
  return dir;
}

describe("ensurepipCommand", () => {
  it("keeps the Dockerfile line one line, with the paths quoted", () => {
    const command = ensurepipCommand("/srv/my env");
    expect(command).not.toContain("\n");
    expect(command).toContain("'/srv/my env/bin/python' -I -c \"$(printf '%s\\n' ");
    expect(command).toContain("'/srv/my env/bin/python' -m ensurepip --default-pip");
  });

  it.skipIf(!canVenv)("gives the environment ensurepip's pip: its scripts, its dist-info, no compiled files", async () => {
    const dir = await environment();
    const r = spawnSync("bash", ["-c", ensurepipCommand(dir)], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("running ensurepip");
    const version = spawnSync("python3", ["-c", "import ensurepip; print(ensurepip.version())"], { encoding: "utf8" }).stdout.trim();
    const pip = spawnSync(path.join(dir, "bin", "pip3"), ["--version"], { encoding: "utf8" });
    expect(pip.stdout).toContain(`pip ${version} from ${dir}/lib/`);
    const site = readdirSync(path.join(dir, "lib")).map((v) => path.join(dir, "lib", v, "site-packages"))[0]!;
    const info = readdirSync(site).find((f) => f.startsWith("pip-") && f.endsWith(".dist-info"))!;
    expect(readFileSync(path.join(site, info, "INSTALLER"), "utf8")).toBe("pip\n");
    expect(existsSync(path.join(site, "pip", "__pycache__"))).toBe(false);
  });

  it.skipIf(!canVenv)("falls back to ensurepip when it cannot unpack (not a virtual environment's Python)", async () => {
    const dir = await environment();
    // The environment's pyvenv.cfg gone: its Python is no longer a virtual environment's.
    spawnSync("rm", [path.join(dir, "pyvenv.cfg")]);
    const r = spawnSync("bash", ["-c", ensurepipCommand(dir)], { encoding: "utf8" });
    expect(r.stderr).toContain("r2d: could not unpack the wheels of ensurepip: running ensurepip");
  });
});
