/** Small helpers the engine adapters share: finding binaries, reading versions. */
import { access, constants, stat } from "node:fs/promises";
import path from "node:path";
import { createRequire } from "node:module";
import type Coerce from "semver/functions/coerce.js";
import type Gte from "semver/functions/gte.js";
import type Lt from "semver/functions/lt.js";
import type { Engine } from "../types.js";

// Required on first use (CommonJS, synchronously): planning alone (`--no-build`) never needs it.
const requireCjs = createRequire(import.meta.url);
let semverFns: { coerce: typeof Coerce; gte: typeof Gte; lt: typeof Lt } | undefined;
/** The three semver functions the adapters compare versions with. */
export function semver(): NonNullable<typeof semverFns> {
  semverFns ??= {
    coerce: requireCjs("semver/functions/coerce.js") as typeof Coerce,
    gte: requireCjs("semver/functions/gte.js") as typeof Gte,
    lt: requireCjs("semver/functions/lt.js") as typeof Lt,
  };
  return semverFns;
}

/** How long a daemon may take to answer `docker version` (probe) or the after-failure check. */
export const ENGINE_ANSWER_TIMEOUT_MS = 5000;
/** A daemon answers `docker version` in milliseconds; one that takes longer is hung (or not a daemon). */
export const PROBE_TIMEOUT_MS = ENGINE_ANSWER_TIMEOUT_MS;

export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every executable `name` on PATH, in order (like `which -a`). */
export async function whichAll(name: string, pathEnv: string | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const dir of (pathEnv ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const file = path.resolve(dir, name);
    if (await isExecutableFile(file)) out.push(file);
  }
  return out;
}

/** A name is looked up on PATH; a path (with a slash) is taken as is. */
export async function resolveBinary(nameOrPath: string, pathEnv: string | undefined): Promise<string | undefined> {
  if (nameOrPath.includes("/")) {
    const file = path.resolve(nameOrPath);
    return (await isExecutableFile(file)) ? file : undefined;
  }
  return (await whichAll(nameOrPath, pathEnv))[0];
}

export function firstLine(text: string): string {
  return text.trim().split("\n")[0]?.trim() ?? "";
}

/** `v0.13.2` in `github.com/moby/buildkit v0.13.2 6cf2a3b` (buildx and buildctl print the same shape). */
export function versionIn(text: string): string | undefined {
  return /\bv?(\d+\.\d+\.\d+[^\s]*)/.exec(text)?.[1];
}

/** True when `version` (any docker/buildx/buildkit spelling) is at least `min`. */
export function versionAtLeast(version: string | undefined, min: string): boolean {
  if (!version) return false;
  const { coerce, gte } = semver();
  const v = coerce(version);
  return v !== null && gte(v, min);
}

/** The progress format the client will print: the one asked for when it can, else plain. */
export function progressFormat(engine: Pick<Engine, "capabilities">, wanted: "plain" | "rawjson"): "plain" | "rawjson" {
  return engine.capabilities.progress.includes(wanted) ? wanted : "plain";
}
