/**
 * The compiled CLI (`node dist/cli/main.js`, built here from src/): the command's exit code
 * becomes r2d's, `--no-build --json` prints the plan, and bad flags exit 2 without building.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { cli, compileCli, imageId, Scope } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
  await compileCli();
});
afterAll(() => scope.dispose());

describe("r2d CLI", () => {
  let repo: string;
  let common: string[];

  beforeAll(async () => {
    repo = await scope.repo({ "requirements.txt": `${infra.pyDep}\n`, "app.py": "print('cli app')\n" });
    common = ["--base-image", infra.basePython, "--build-network", "host", "--pip-index-url", infra.pipIndex];
  });

  it("--no-run builds the image; then the command's exit code (7) is r2d's", async () => {
    const name = scope.image("cli");
    const build = await cli([repo, "--image-name", name, "--no-run", ...common]);
    expect(build.stderr).toContain(`r2d: built ${name}`);
    expect(build.exitCode).toBe(0);
    const id = await imageId(infra, name);
    expect(id).toMatch(/^sha256:/);

    const run = await cli([repo, "--image-name", name, ...common, "--", "sh", "-c", "echo running; echo on-stderr >&2; exit 7"]);
    expect(run.stdout).toContain("running");
    expect(run.exitCode).toBe(7);
    // The summary comes as soon as the image exists, before the run's own output.
    expect(run.stderr.indexOf(`r2d: built ${name}`)).toBeGreaterThanOrEqual(0);
    expect(run.stderr.indexOf(`r2d: built ${name}`)).toBeLessThan(run.stderr.indexOf("on-stderr"));
    // The second build changed nothing.
    expect(await imageId(infra, name)).toBe(id);

    const ok = await cli([repo, "--image-name", name, ...common, "--", "python", "app.py"]);
    expect(ok.stdout.trim()).toBe("cli app");
    expect(ok.exitCode).toBe(0);
  });

  it("--json builds with one JSON event per line, ending with the result", async () => {
    const name = scope.image("cli-json");
    const r = await cli([repo, "--json", "--no-run", "--image-name", name, ...common]);
    expect(r.exitCode).toBe(0);
    const events = r.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => typeof e.event)).not.toContain("object");
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(["phase", "engine", "context", "progress"]));
    expect(events.find((e) => e.event === "progress")).toMatchObject({ progress: { type: "step", name: expect.any(String) } });
    expect(events.at(-1)).toMatchObject({ event: "result", imageName: name, buildpack: "python", imageId: await imageId(infra, name) });
  });

  it("--no-build --json prints the plan as JSON and builds nothing", async () => {
    const name = scope.image("cli-plan");
    const r = await cli([repo, "--no-build", "--json", "--image-name", name, ...common]);
    expect(r.exitCode).toBe(0);
    const plan = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(plan).toMatchObject({
      buildpack: "python",
      python: expect.stringMatching(/^3\.\d+$/),
      r: null,
      user: { name: expect.any(String), uid: expect.any(Number) },
      baseImage: infra.basePython,
      imageName: name,
    });
    expect(plan.dockerfile).toEqual(expect.stringContaining(`FROM ${infra.basePython}`));
    expect(plan.dockerfile).toEqual(expect.stringContaining("pip install"));
    expect(await imageId(infra, name)).toBeNull();
  });

  it("--user-id 0 exits 2 with a message naming --user-id, and creates no image", async () => {
    const name = scope.image("cli-uid0");
    const r = await cli([repo, "--image-name", name, "--user-id", "0", "--no-run", ...common]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("--user-id");
    expect(r.stderr).toMatch(/root/);
    expect(await imageId(infra, name)).toBeNull();
  });

  it("a failing build exits 1 and says which step failed", async () => {
    const bad = await scope.repo({ "requirements.txt": "r2d-package-that-does-not-exist\n" });
    const name = scope.image("cli-fail");
    const r = await cli([bad, "--image-name", name, "--no-run", ...common]);
    expect(r.exitCode).toBe(1);
    // The cause first: the step in words, its exit code, its last lines, a hint; the command once; then the log.
    expect(r.stderr).toContain('r2d: error: the build step "install requirements.txt with pip" failed with exit code 1');
    expect(r.stderr).toContain("No matching distribution found for r2d-package-that-does-not-exist");
    expect(r.stderr).toMatch(/hint: pip found no release of r2d-package-that-does-not-exist/);
    expect(r.stderr.split("pip install --disable-pip-version-check -r requirements.txt")).toHaveLength(2);
    expect(r.stderr.trimEnd().split("\n").at(-1)).toMatch(/^r2d: full build output: \S+\.log$/);
    expect(await imageId(infra, name)).toBeNull();
  });
});
