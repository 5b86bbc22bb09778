/** The CLI bundled as scripts/bundle.mjs makes it, in a throwaway package layout (for the tests that run the bin). */
import { execFileSync } from "node:child_process";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TempFiles } from "./repo.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A package folder with dist/bin/ freshly bundled; returns the package root. */
export async function bundledPackage(temp: TempFiles): Promise<string> {
  // The bundle finds buildpacks/, package.json and node_modules/ two folders above itself.
  const pkg = await temp.dir("r2d-bundle-");
  await symlink(path.join(ROOT, "buildpacks"), path.join(pkg, "buildpacks"));
  await symlink(path.join(ROOT, "node_modules"), path.join(pkg, "node_modules"));
  await writeFile(path.join(pkg, "package.json"), await readFile(path.join(ROOT, "package.json")));
  await mkdir(path.join(pkg, "dist"));
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "bundle.mjs"), "--outdir", path.join(pkg, "dist", "bin")], { stdio: "pipe" });
  return pkg;
}
