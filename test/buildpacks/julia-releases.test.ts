import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { JULIA_RELEASES } from "../../src/buildpacks/julia-releases.js";
import { TempFiles } from "../helpers/repo.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = path.join(ROOT, "scripts/update-julia-releases.mjs");
const DATA = path.join(ROOT, "src/buildpacks/julia-releases.ts");
const temp = new TempFiles();
afterEach(() => temp.cleanup());

async function generate(index: unknown): Promise<string> {
  const file = path.join(await temp.dir(), "versions.json");
  writeFileSync(file, JSON.stringify(index));
  const r = spawnSync(process.execPath, [SCRIPT, "--from", file], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  return r.stdout;
}

const file = (triplet: string, sha256: string, extra: Record<string, string> = {}) => ({ triplet, kind: "archive", extension: "tar.gz", sha256, ...extra });

describe("scripts/update-julia-releases.mjs (how the release list is kept up to date)", () => {
  it("keeps stable releases from 0.7.0 on, oldest first, with their Linux tarballs' sha256", async () => {
    const out = await generate({
      "1.11.0": { stable: true, files: [file("x86_64-linux-gnu", "a".repeat(64)), file("aarch64-linux-gnu", "b".repeat(64)), file("x86_64-linux-gnu", "c".repeat(64), { kind: "installer" })] },
      "1.9.4": { stable: true, files: [file("x86_64-linux-gnu", "d".repeat(64)), file("x86_64-apple-darwin14", "e".repeat(64))] },
      "1.12.0-rc1": { stable: false, files: [] },
      "0.6.4": { stable: true, files: [] },
      "0.7.0": { stable: true, files: [] },
    });
    expect(out.split("\n").filter((l) => l.startsWith("  { version"))).toEqual([
      '  { version: "0.7.0" },',
      `  { version: "1.9.4", sha256: { x86_64: "${"d".repeat(64)}" } },`,
      `  { version: "1.11.0", sha256: { x86_64: "${"a".repeat(64)}", aarch64: "${"b".repeat(64)}" } },`,
    ]);
  });

  it("src/buildpacks/julia-releases.ts is exactly the script's output for the releases it lists", async () => {
    const index = Object.fromEntries(
      JULIA_RELEASES.map((r) => [
        r.version,
        { stable: true, files: Object.entries(r.sha256 ?? {}).map(([arch, sum]) => file(`${arch}-linux-gnu`, sum)) },
      ]),
    );
    expect(await generate(index)).toBe(readFileSync(DATA, "utf8"));
  });
});
