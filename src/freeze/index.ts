/**
 * `r2d freeze REPO`: build the image (or reuse --image-name when it exists), read the solved
 * environment from a container of it, and write it as a lock file into the repository's config
 * folder: the one command that writes there, and only when asked. The next build installs exactly
 * those versions (the lock file's buildpack). One freezer per kind of environment, chosen by the
 * plan's buildpack: Python's venv (pylock.toml), a conda environment (an explicit list), R's
 * library (renv.lock).
 */
import path from "node:path";
import { buildRepo } from "../build-repo.js";
import { inspectImage, probeEngine } from "../engine/index.js";
import { ConfigError, UnsupportedError } from "../errors.js";
import { isGitUrl } from "../source/index.js";
import { lockChanges } from "./pylock-writer.js";
import { condaFreezer } from "./conda.js";
import { pythonFreezer } from "./python.js";
import { rFreezer } from "./r.js";
import type { FreezeOptions, FreezeResult, Freezer } from "./types.js";
import { readFromRepo, writeIntoRepo } from "./write-file.js";

export type { FreezeOptions, FreezeResult } from "./types.js";

const FREEZERS: readonly Freezer[] = [pythonFreezer, condaFreezer, rFreezer];

export async function freezeRepo(repo: string, options: FreezeOptions = {}): Promise<FreezeResult> {
  if (isGitUrl(repo)) throw new ConfigError("r2d freeze writes into the repository: give a local directory, not a git URL", { location: { file: "command line" }, hint: "clone the repository, then run r2d freeze on the clone" });
  const engine = await probeEngine({ engine: options.engine, docker: options.docker, buildctl: options.buildctl });
  const reuse = options.imageName ? await inspectImage(engine, options.imageName) : null;
  const built = await buildRepo(repo, { ...options, build: !reuse, run: false });
  const plan = built.plan;
  const freezer = FREEZERS.find((f) => f.packs.includes(plan.buildpack));
  if (!freezer) {
    throw new UnsupportedError(`r2d freeze reads ${FREEZERS.map((f) => f.reads).join("; ")}; this repository uses the ${plan.buildpack} buildpack`, {
      location: { file: plan.detected[0]?.path ?? repo },
      hint: plan.buildpack === "pipfile" ? "Pipfile.lock already pins the environment: `pipenv lock` updates it" : "pin versions in the repository's own config files",
    });
  }
  const root = path.resolve(repo, options.subdir ?? "");
  const inConfig = (name: string) => [plan.configDir, name].filter(Boolean).join("/");
  const frozen = await freezer.freeze({ engine, built, options, read: (name) => readFromRepo(root, inConfig(name)) });
  const changes: string[] = [];
  for (const file of frozen.files) {
    const previous = await writeIntoRepo(root, inConfig(file.name), file.text);
    changes.push(...lockChanges(file.pins(previous), file.pins(file.text)).map((c) => `${c}${file.note ?? ""}`));
  }
  const [lock, ...rest] = frozen.files.map((f) => inConfig(f.name));
  return { path: lock ?? "", alsoWritten: rest, imageName: built.imageName, packages: frozen.packages, changes, skipped: frozen.skipped };
}
