/**
 * The buildpack registry. Everything else about packs is derived from this list: the order of
 * detection, the names, the config files detection looks for (and the type of `facts.files`), the
 * secrets and caches builds may use. Adding a buildpack = its module, one line here, a fixture.
 */
import type { Found } from "../detect/found.js";
import type { RepoFacts } from "../detect/types.js";
import { conda } from "./conda.js";
import { condaExplicit } from "./conda-explicit.js";
import { condaLock } from "./conda-lock.js";
import { dockerfile } from "./dockerfile.js";
import { COMMON_FILES } from "./files.js";
import { julia } from "./julia.js";
import { nix } from "./nix.js";
import { pipfile } from "./pipfile.js";
import { poetry } from "./poetry.js";
import { pylock } from "./pylock.js";
import { python } from "./python.js";
import { python2 } from "./python2.js";
import { r } from "./r.js";
import { renv } from "./renv.js";
import { uv } from "./uv.js";
import type { Buildpack, BuildpackKind, FileSpec, ParsedBy, SecretSpec } from "./types.js";

export type * from "./types.js";

/**
 * repo2docker's order: the first pack whose detect() is true builds the repository. r2d's lock file
 * packs (which repo2docker does not have) come after the ones repo2docker has, before plain Python;
 * renv.lock, which pins R, comes just before the R pack, so it wins over install.R.
 */
export const BUILDPACKS = [dockerfile, julia, nix, renv, r, condaExplicit, condaLock, conda, pipfile, python2, pylock, uv, poetry, python] as const;

/** The pack that builds a repository with no config file at all. */
export const DEFAULT_BUILDPACK: Buildpack = python;

export type BuildpackName = (typeof BUILDPACKS)[number]["name"];

type DeclaredFile = (typeof BUILDPACKS)[number]["files"][number] | (typeof COMMON_FILES)[number];

/** What detection found, by key: one entry per config file any registered pack reads. */
export type ConfigFiles = { [S in DeclaredFile as S["key"]]?: Found<ParsedBy<S>> };
export type ConfigKey = keyof ConfigFiles;

const PACKS: readonly Buildpack[] = BUILDPACKS;

/**
 * Every config file detection looks for, each once: the packs' own files in registry order, then
 * the common ones (then any a pack borrows that no pack declares). Findings are reported in this order.
 */
export const CONFIG_FILE_TABLE: readonly FileSpec[] = uniqueBy(
  [...PACKS.flatMap((p) => p.files), ...COMMON_FILES, ...PACKS.flatMap((p) => p.alsoReads ?? [])],
  (f) => f.key,
);

/** Every build secret a registered pack may mount, in registry order. */
export const SECRET_SPECS: readonly SecretSpec[] = uniqueBy(
  PACKS.flatMap((p) => p.secrets ?? []),
  (s) => s.id,
);

export function selectBuildpack(facts: RepoFacts): Buildpack {
  return PACKS.find((pack) => pack.detect(facts)) ?? DEFAULT_BUILDPACK;
}

/** The registered pack of that name (plans carry the name only). */
export function buildpackNamed(name: string): Buildpack {
  const pack = PACKS.find((p) => p.name === name);
  if (!pack) throw new TypeError(`no buildpack named ${name}`);
  return pack;
}

export function buildpackKind(name: string): BuildpackKind {
  return buildpackNamed(name).kind;
}

/** The file spec of a key (its names, where it lives, its own reason for being ignored). */
export function fileSpec(key: string): FileSpec | undefined {
  return CONFIG_FILE_TABLE.find((f) => f.key === key);
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && seen.add(key(item)));
}
