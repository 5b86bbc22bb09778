/**
 * A failing build step: buildRepo rejects with a BuildError naming the step, and the image name
 * is left as it was (still the previous image, or absent). The CLI keeps the full output where
 * nobody can plant a link first. Engine problems (base image, build network) are exit 3.
 */
import { mkdir, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildError, buildRepo } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { script } from "../helpers/repo.js";
import { buildOptions, cli, compileCli, imageId, Scope } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

const FAILING = '#!/bin/bash\necho "postBuild is about to fail"\nexit 3\n';

async function buildError(p: Promise<unknown>): Promise<BuildError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BuildError);
  return err as BuildError;
}

describe("a failing postBuild", () => {
  let repo: string;

  beforeAll(async () => {
    repo = await scope.repo({ "main.py": "print('main')\n", postBuild: script('#!/bin/bash\necho ok > "$HOME/ok"\n') });
  });

  it("rejects with BuildError naming the step, and the existing tag keeps the previous image", async () => {
    const tag = scope.image("postbuild-fails");
    const good = await buildRepo(repo, buildOptions(infra, { imageName: tag }));
    expect(good.imageId).toMatch(/^sha256:/);
    expect(await imageId(infra, tag)).toBe(good.imageId);

    await writeFile(path.join(repo, "postBuild"), FAILING);
    const err = await buildError(buildRepo(repo, buildOptions(infra, { imageName: tag })));
    expect(err.step).toMatch(/RUN \.\/postBuild/);
    expect(err.message).toContain("postBuild");
    expect(err.message).toContain("exit code 3");
    expect(err.log).toContain("postBuild is about to fail");
    expect(await imageId(infra, tag)).toBe(good.imageId);
  });

  it("creates no tag when the name did not exist before", async () => {
    await writeFile(path.join(repo, "postBuild"), FAILING);
    const tag = scope.image("postbuild-fails-new");
    const err = await buildError(buildRepo(repo, buildOptions(infra, { imageName: tag })));
    expect(err.step).toMatch(/postBuild/);
    expect(await imageId(infra, tag)).toBeNull();
  });
});

describe("the CLI on a failed build", () => {
  let repo: string;
  beforeAll(async () => {
    repo = await scope.repo({ "main.py": "print('main')\n", postBuild: script(FAILING) });
    await compileCli();
  });

  const run = (env: Record<string, string>) =>
    cli([repo, "--image-name", scope.image("cli-fails"), "--no-run", "--base-image", infra.basePython, "--build-network", "host"], { env: { R2D_DOCKER: infra.docker, ...env } });

  it("exit 1; the full output is kept in $XDG_CACHE_HOME/r2d/logs (0600) and its path printed", async () => {
    const cache = await scope.tmp("r2d-itg-cache-");
    const r = await run({ XDG_CACHE_HOME: cache });
    expect(r.exitCode, r.stderr).toBe(1);
    const file = /r2d: full build output: (\S+)/.exec(r.stderr)?.[1];
    expect(file && path.dirname(file)).toBe(path.join(cache, "r2d", "logs"));
    expect(await readFile(file!, "utf8")).toContain("postBuild is about to fail");
    expect((await stat(file!)).mode & 0o777).toBe(0o600);
  });

  it("a planted link where the logs go is not followed and does not crash r2d", async () => {
    const cache = await scope.tmp("r2d-itg-cache-");
    const target = await scope.tmp("r2d-itg-target-");
    await mkdir(path.join(cache, "r2d"), { mode: 0o700 });
    await symlink(target, path.join(cache, "r2d", "logs"));
    const r = await run({ XDG_CACHE_HOME: cache });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(await readdir(target)).toEqual([]);
    expect(r.stderr).toContain(`r2d: warning: cannot keep logs in ${path.join(cache, "r2d", "logs")}: ${path.join(cache, "r2d", "logs")} is a symbolic link`);
    const file = /r2d: full build output: (\S+)/.exec(r.stderr)?.[1];
    expect(file).toMatch(/\/r2d-log-[^/]+\/build-[^/]+\.log$/);
    await rm(path.dirname(file!), { recursive: true, force: true });
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe("engine problems are exit 3 with the cause and the fix", () => {
  it("a base image the engine cannot fetch", async () => {
    const repo = await scope.repo({ "main.py": "print('main')\n" });
    const r = await cli([repo, "--image-name", scope.image("no-base"), "--no-run", "--base-image", "r2d-itg/does-not-exist:1"], { env: { R2D_DOCKER: infra.docker } });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain("r2d: the base image docker.io/r2d-itg/does-not-exist:1 could not be fetched:");
    expect(r.stderr).toContain("hint: pull it first (`docker pull docker.io/r2d-itg/does-not-exist:1`");
  });

  it("a package index out of reach of --build-network none", async () => {
    const repo = await scope.repo({ "requirements.txt": `${infra.pyDep}\n` });
    const r = await cli([repo, "--image-name", scope.image("net-none"), "--no-run", "--base-image", infra.basePython, "--build-network", "none", "--pip-index-url", infra.pipIndex], {
      env: { R2D_DOCKER: infra.docker },
    });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/r2d: the build step \[.*\] RUN .*PIP_CONFIG_FILE.* could not reach a server because the build network is "none": Failed to establish a new connection/);
    expect(r.stderr).toContain("hint: build with --build-network host");
  });
});
