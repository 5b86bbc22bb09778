/** No instruction that cannot work: r2d is not on the npm registry, and its licence file exists. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const markdown = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? markdown(p) : n.endsWith(".md") ? [p] : [];
  });

describe("install instructions", () => {
  it.each([path.join(ROOT, "README.md"), ...markdown(path.join(ROOT, "docs"))].map((f) => [path.relative(ROOT, f), f]))("%s installs r2d only from a clone", (_name, file) => {
    const text = readFileSync(file, "utf8");
    expect(text).not.toMatch(/npm (?:install|i)\s+(?:-g|--global)\s+r2d\b/);
    expect(text).not.toMatch(/npx (?:-y |--yes )?r2d@/);
  });

  it("LICENSE holds the licence package.json declares", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { license: string };
    expect(pkg.license).toBe("BSD-3-Clause");
    expect(readFileSync(path.join(ROOT, "LICENSE"), "utf8")).toMatch(/^BSD 3-Clause License\n[\s\S]*Neither the name of the copyright holder/);
  });
});
