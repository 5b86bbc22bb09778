import { use } from "../detect/found.js";
import { parseUvLock, selectUv } from "../detect/uv-lock.js";
import { configFile, RUNTIME_TXT } from "./files.js";
import { detectsLock, LOCK_PACK, lockedPython } from "./locked-python.js";
import type { Buildpack } from "./types.js";

const UV_LOCK = configFile({ key: "uvLock", names: ["uv.lock"], where: "config", parse: parseUvLock });
const FILES = [UV_LOCK, RUNTIME_TXT] as const;

/** uv.lock, read by r2d and installed with pip from a pinned, hashed list (no uv in the image). */
export const uv: Buildpack<"uv", typeof FILES> = {
  name: "uv",
  ...LOCK_PACK,
  files: FILES,
  ignores: { requirements: "uv.lock is used: it pins every package, requirements.txt does not", poetryLock: "uv.lock comes before poetry.lock among lock files" },
  detect: detectsLock("uvLock"),
  contribute(ctx) {
    const found = ctx.facts.files.uvLock!;
    const lock = use(found);
    const hasGroups = Object.keys(lock.packages[lock.root]!.groups).length > 0;
    return lockedPython(ctx, {
      key: "uvLock",
      found,
      requiresPython: lock.requiresPython,
      select: (target) => selectUv(lock, target, found.path),
      selectDev: hasGroups ? (target) => selectUv(lock, target, found.path, true) : undefined,
    });
  },
};
