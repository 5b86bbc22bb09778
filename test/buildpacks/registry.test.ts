import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BUILDPACKS, buildpackKind, CONFIG_FILE_TABLE, SECRET_SPECS, type Buildpack } from "../../src/buildpacks/index.js";
import { COMMON_FILES } from "../../src/buildpacks/files.js";
import { GPU_CACHES } from "../../src/buildpacks/gpu.js";
import { UnsupportedError } from "../../src/errors.js";
import { planRepo } from "../../src/index.js";
import type { BuildPlan, Step } from "../../src/plan/types.js";

const FIXTURES = fileURLToPath(new URL("../../fixtures/", import.meta.url));
const PACKS: readonly Buildpack[] = BUILDPACKS;

/** The pack each fixture exercises: from its plan, or from the UnsupportedError of a refused pack. */
async function packOfFixture(name: string): Promise<string | null> {
  const dir = path.join(FIXTURES, name);
  const optionsFile = path.join(dir, "options.json");
  const options = existsSync(optionsFile) ? JSON.parse(readFileSync(optionsFile, "utf8")) : {};
  try {
    return (await planRepo(path.join(dir, "repo"), { invoking: { uid: 0, name: "root" }, ...options })).plan.buildpack;
  } catch (err) {
    return err instanceof UnsupportedError ? (err.buildpack ?? null) : null;
  }
}

describe("the buildpack registry", () => {
  it("has a fixture for every registered buildpack (adding a pack = module + registry line + fixture)", async () => {
    const fixtures = readdirSync(FIXTURES).filter((d) => existsSync(path.join(FIXTURES, d, "repo")));
    const covered = new Set(await Promise.all(fixtures.map(packOfFixture)));
    const missing = PACKS.map((p) => p.name).filter((name) => !covered.has(name));
    expect(missing, "packs without a fixture folder under fixtures/").toEqual([]);
  });

  it("has unique names, and every file key is declared once with one spec", () => {
    expect(new Set(PACKS.map((p) => p.name)).size).toBe(PACKS.length);
    const byKey = new Map<string, unknown>();
    for (const spec of [...PACKS.flatMap((p) => [...p.files, ...(p.alsoReads ?? [])]), ...COMMON_FILES]) {
      const seen = byKey.get(spec.key);
      expect(seen === undefined || seen === spec, `two different specs for the key ${spec.key}`).toBe(true);
      byKey.set(spec.key, spec);
    }
    expect(CONFIG_FILE_TABLE.map((f) => f.key).sort()).toEqual([...byKey.keys()].sort());
  });

  it("only borrows files that some pack (or the common set) declares, so facts.files types them", () => {
    const declared = new Set([...PACKS.flatMap((p) => p.files.map((f) => f.key)), ...COMMON_FILES.map((f) => f.key)]);
    for (const pack of PACKS) for (const f of pack.alsoReads ?? []) expect(declared.has(f.key), `${pack.name} borrows ${f.key}`).toBe(true);
  });

  it("names the kind of each pack", () => {
    for (const pack of PACKS) expect(["generated", "own-dockerfile", "refused"]).toContain(buildpackKind(pack.name));
    expect(() => buildpackKind("nope")).toThrow(/no buildpack named nope/);
  });
});

/** Every step of a plan, whatever its phase. */
function steps(plan: BuildPlan): Step[] {
  return [...plan.systemSteps, ...plan.environmentSteps, ...plan.preAssembleSteps, ...plan.assembleSteps];
}

describe("caches and secrets are declared by the packs that use them", () => {
  const planned = readdirSync(FIXTURES).filter((d) => existsSync(path.join(FIXTURES, d, "expected", "plan.json")));
  it.each(planned)("fixture %s", (name) => {
    const plan = JSON.parse(readFileSync(path.join(FIXTURES, name, "expected", "plan.json"), "utf8")) as BuildPlan;
    const pack = PACKS.find((p) => p.name === plan.buildpack)!;
    // --gpu's own steps (a CUDA base's Python, CA certificates) mount the caches src/buildpacks/gpu.ts declares.
    const cacheTargets = new Set([...(pack.caches ?? []), ...(plan.gpu ? GPU_CACHES : [])].map((c) => c.target));
    for (const step of steps(plan)) {
      for (const cache of step.caches ?? []) expect(cacheTargets.has(cache.target), `${pack.name} mounts an undeclared cache at ${cache.target}`).toBe(true);
      for (const id of step.secrets ?? []) expect((pack.secrets ?? []).some((s) => s.id === id), `${pack.name} mounts an undeclared secret ${id}`).toBe(true);
    }
    // The plan describes exactly the secrets its steps mount, with the purpose their spec gives.
    const mounted = new Set(steps(plan).flatMap((s) => s.secrets ?? []));
    expect(plan.secrets).toEqual(SECRET_SPECS.filter((s) => mounted.has(s.id)).map(({ id, purpose }) => ({ id, purpose })));
  });
});
