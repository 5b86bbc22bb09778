/**
 * The compiled CLI refuses what cannot work before building: -p on this machine's daemon (started
 * with --bridge=none, like locked-down CI hosts), a bad flag; under --json every error is a JSON
 * line on stdout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { cli, compileCli, imageId, Scope } from "../integration/helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
  await compileCli();
});
afterAll(() => scope.dispose());

describe("flags checked before any work", () => {
  it("-p on a daemon without a bridge network: exit 2 with the fix, nothing built; as JSON on stdout with --json", async () => {
    const repo = await scope.repo({ "app.py": "print('x')\n" });
    const name = scope.image("publish");
    const r = await cli([repo, "--image-name", name, "--base-image", infra.basePython, "-p", "8888:8888"], { env: { R2D_DOCKER: infra.docker } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain("r2d: --publish: the Docker daemon has no bridge network");
    expect(r.stderr).toContain("hint: start dockerd with its default bridge network");
    expect(r.stderr).not.toContain(" => ");
    expect(await imageId(infra, name)).toBeNull();

    const j = await cli([repo, "--json", "--image-name", name, "--base-image", infra.basePython, "-P"], { env: { R2D_DOCKER: infra.docker } });
    expect(j.exitCode).toBe(2);
    const last = JSON.parse(j.stdout.trim().split("\n").at(-1)!) as { event: string; error: { name: string; message: string } };
    expect(last).toMatchObject({ event: "error", error: { name: "ConfigError", message: expect.stringMatching(/^--publish-all: the Docker daemon has no bridge network/) } });
  });

  it("bad flags under --json: the error is JSON on stdout, exit 2", async () => {
    for (const args of [["--json", "--no-such-flag"], ["--json", "--build-network", "bridge"], ["--json", "--push"]]) {
      const r = await cli([".", ...args]);
      expect(r.exitCode, args.join(" ")).toBe(2);
      expect(JSON.parse(r.stdout)).toMatchObject({ event: "error", error: { name: "ConfigError" } });
    }
  });
});
