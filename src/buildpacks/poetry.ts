import { use } from "../detect/found.js";
import { selectCandidates } from "../detect/lock-common.js";
import { parsePoetryLock } from "../detect/poetry-lock.js";
import { configFile, RUNTIME_TXT } from "./files.js";
import { detectsLock, LOCK_PACK, lockedPython } from "./locked-python.js";
import type { Buildpack } from "./types.js";

const POETRY_LOCK = configFile({ key: "poetryLock", names: ["poetry.lock"], where: "config", parse: parsePoetryLock });
const FILES = [POETRY_LOCK, RUNTIME_TXT] as const;

/** poetry.lock's main group, read by r2d and installed with pip from a pinned, hashed list (no Poetry in the image). */
export const poetry: Buildpack<"poetry", typeof FILES> = {
  name: "poetry",
  ...LOCK_PACK,
  files: FILES,
  ignores: { requirements: "poetry.lock is used: it pins every package, requirements.txt does not" },
  detect: detectsLock("poetryLock"),
  contribute(ctx) {
    const found = ctx.facts.files.poetryLock!;
    const lock = use(found);
    return lockedPython(ctx, {
      key: "poetryLock",
      found,
      requiresPython: lock.requiresPython,
      select: (target) => selectCandidates(lock.packages, target, found.path),
      selectDev: lock.devPackages.length ? (target) => selectCandidates(lock.devPackages, target, found.path) : undefined,
    });
  },
};
