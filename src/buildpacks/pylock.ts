import { use } from "../detect/found.js";
import { selectCandidates } from "../detect/lock-common.js";
import { checkPylockEnvironments, parsePylockToml } from "../detect/pylock-toml.js";
import { configFile, RUNTIME_TXT } from "./files.js";
import { detectsLock, LOCK_PACK, lockedPython } from "./locked-python.js";
import type { Buildpack } from "./types.js";

const PYLOCK_TOML = configFile({ key: "pylock", names: ["pylock.toml"], where: "config", parse: parsePylockToml });
const FILES = [PYLOCK_TOML, RUNTIME_TXT] as const;

/** pylock.toml (PEP 751; what `r2d freeze` writes), installed with pip from a pinned, hashed list. */
export const pylock: Buildpack<"pylock", typeof FILES> = {
  name: "pylock",
  ...LOCK_PACK,
  files: FILES,
  ignores: {
    requirements: "pylock.toml is used: it pins every package, requirements.txt does not",
    uvLock: "pylock.toml comes first among lock files",
    poetryLock: "pylock.toml comes first among lock files",
  },
  detect: detectsLock("pylock"),
  contribute(ctx) {
    const found = ctx.facts.files.pylock!;
    const lock = use(found);
    return lockedPython(ctx, {
      key: "pylock",
      found,
      requiresPython: lock.requiresPython,
      select: (target) => {
        checkPylockEnvironments(lock, target, found.path);
        return selectCandidates(lock.packages, { ...target, groups: lock.defaultGroups }, found.path);
      },
    });
  },
};
