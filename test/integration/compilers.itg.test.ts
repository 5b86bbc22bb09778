/**
 * The builder installs compilers only when the install needs them (issue 13): a requirements.txt
 * of wheels is resolved by pip's dry run in the builder, which then skips build-essential.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type BuildRepoResult, type R2dEvent } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, Scope, sh } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

describe("a requirements.txt of wheels only", () => {
  let result: BuildRepoResult;
  let log: string;
  let image: string;

  beforeAll(async () => {
    // A line of its own, so the dry-run step runs (and prints) rather than coming from the cache.
    const repo = await scope.repo({ "requirements.txt": `# ${randomBytes(8).toString("hex")}\n${infra.pyPkg}==${infra.pyPkgVersion}\n` });
    image = scope.image("compilers-wheels");
    const progress: R2dEvent[] = [];
    result = await buildRepo(repo, buildOptions(infra, { imageName: image, onEvent: (e) => progress.push(e) }));
    // The steps' output only (the plan's events and the step names carry the Dockerfile, which names every branch).
    log = progress.flatMap((e) => (e.type === "progress" && e.event.type === "log" ? [e.event.text] : [])).join("\n");
  }, 900_000);

  it("the builder's dry run finds only wheels and installs no compiler", () => {
    expect(result.plan.stages?.compilers).toEqual({ when: "if-not-wheels", python: "/srv/venv/bin/python", pipArgs: ["-r", "requirements.txt"] });
    expect(log).toMatch(/r2d: 2 packages, all wheels: no C compiler needed/);
    expect(log).not.toMatch(/r2d: installing build-essential|not wheels, so build-essential: \w/);
    expect(log).not.toMatch(/Setting up build-essential/);
  });

  it("the packages are installed in the image", async () => {
    const text = await sh(infra, image, `python -c 'import ${infra.pyPkgModule}, ${infra.pyDepModule}; print("ok")'`);
    expect(text).toBe("ok");
  });
});
