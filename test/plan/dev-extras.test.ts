/**
 * The environment's dev extras (issue 12): installed in the dev image only, after the runtime image,
 * which stays the same with or without them.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { detectRepo } from "../../src/detect/index.js";
import { parsePyprojectToml } from "../../src/detect/pyproject-toml.js";
import { parseUvLock, selectUv } from "../../src/detect/uv-lock.js";
import { makePlan, type PlanOptions } from "../../src/plan/index.js";
import { generatedFiles, renderDockerfile } from "../../src/render/index.js";
import { expectConfigError } from "../detect/helpers.js";
import { TempFiles, type Tree } from "../helpers/repo.js";

const temp = new TempFiles();
afterEach(() => temp.cleanup());
const POETRY = readFileSync(new URL("../../fixtures/poetry-lock/repo/poetry.lock", import.meta.url), "utf8");

async function plan(files: Tree, options: PlanOptions = {}) {
  const facts = await detectRepo(await temp.repo(files));
  const p = makePlan(facts, { invoking: { uid: 0, name: "root" }, platform: "linux/amd64", ...options });
  return { plan: p, dockerfile: renderDockerfile(p) };
}
/** The Dockerfile up to the dev stage: what the runtime image is built from. */
const runtimePart = (dockerfile: string) => dockerfile.split("\n# The dev image")[0];

describe("dev extras", () => {
  it("poetry.lock's other groups: a hashed list copied into the dev stage only, the runtime image unchanged", async () => {
    const dev = await plan({ "poetry.lock": POETRY }, { target: "dev" });
    const runtime = await plan({ "poetry.lock": POETRY });
    const devStage = dev.dockerfile.split("FROM runtime AS dev")[1]!;
    expect(devStage).toContain('COPY --chown=1000:1000 ["r2d/pinned-dev-requirements.txt","/usr/local/lib/r2d/pinned-dev-requirements.txt"]');
    expect(devStage).toMatch(/pip install --disable-pip-version-check --no-deps --require-hashes -r \/usr\/local\/lib\/r2d\/pinned-dev-requirements\.txt/);
    expect(runtimePart(dev.dockerfile)).not.toContain("pinned-dev-requirements");
    // The same instructions: only the stage gets a name the dev stage starts from.
    const unnamed = (text: string) => text.replace(/^(FROM \S+) AS runtime$/m, "$1").trimEnd();
    expect(unnamed(runtimePart(dev.dockerfile)!)).toBe(unnamed(runtime.dockerfile));
    expect(dev.plan.dev?.files?.[0]?.content).toMatch(/^pytest==8\.0\.0 --hash=sha256:c{64}$/m);
    expect(generatedFiles(dev.plan, dev.dockerfile).map((f) => f.path)).toContain("r2d/pinned-dev-requirements.txt");
    expect(generatedFiles(runtime.plan, runtime.dockerfile).map((f) => f.path)).not.toContain("r2d/pinned-dev-requirements.txt");
    expect(runtime.plan.messages.map((m) => m.text)).toContain("poetry.lock: pip install --no-deps --require-hashes of its 1 dev packages — for the dev image: build it with --target dev");
  });

  it("uv.lock: the project's dependency groups walked like its dependencies, minus what the runtime image has", () => {
    const hash = (c: string) => `sha256:${c.repeat(64)}`;
    const pkg = (name: string, c: string, deps = "") => `[[package]]\nname = "${name}"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\n${deps}wheels = [{ url = "https://f/${name}-1.0-py3-none-any.whl", hash = "${hash(c)}" }]\n\n`;
    const text = `version = 1\nrequires-python = ">=3.8"\n\n[[package]]\nname = "demo"\nversion = "0"\nsource = { virtual = "." }\ndependencies = [{ name = "a" }]\n\n[package.dev-dependencies]\ndev = [{ name = "pytest" }]\n\n${pkg("a", "a")}${pkg("pytest", "b", 'dependencies = [{ name = "pluggy" }, { name = "a" }]\n')}${pkg("pluggy", "c")}`;
    const lock = parseUvLock(text);
    const target = { python: "3.11", platform: "linux/amd64" };
    expect(selectUv(lock, target, "uv.lock").map((p) => p.name)).toEqual(["a"]);
    expect(selectUv(lock, target, "uv.lock", true).map((p) => p.name)).toEqual(["a", "pytest", "pluggy"]);
  });

  it("pyproject.toml: .[dev] for an installed project, and the dev group with its includes, as quoted arguments", async () => {
    const dev = await plan({ "pyproject.toml": readFileSync(new URL("../../fixtures/python-dev-extras/repo/pyproject.toml", import.meta.url), "utf8") }, { target: "dev" });
    expect(dev.plan.dev?.steps.map((s) => s.commands[0]!.replace(/^.* pip install --disable-pip-version-check /, ""))).toEqual(["'.[dev]'", "'ruff; python_version >= '\\''3.8'\\''' 'pytest>=8'"]);
    expect(dev.plan.detected.filter((d) => d.use.endsWith("in the dev image")).length).toBe(2);
  });

  it.each([
    ['[dependency-groups]\ndev = ["-e ."]\n', /"-e \." which is not a package requirement|is not a package requirement/],
    ['[dependency-groups]\ndev = ["x @ file:///etc"]\n', /not a package requirement/],
    ['[dependency-groups]\ndev = [{include-group = "dev"}]\n', /includes itself \(dev -> dev\)/],
    ['[dependency-groups]\ndev = ["numpy=1.0"]\n', /not a requirement pip can read/],
  ])("refuses a dev group entry that is not a requirement, naming the line (%#)", (text, message) => {
    expectConfigError(() => parsePyprojectToml(text), { file: "pyproject.toml", line: 2, message });
  });
});
