/**
 * A failing build step: buildRepo rejects with a BuildError naming the step, and the image name
 * is left as it was (still the previous image, or absent).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildError, buildRepo } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, imageId, Scope, script } from "./helpers.js";

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
