import { DEFAULT_BUILDPACK, selectBuildpack } from "../buildpacks/index.js";
import { CRAN_SECRET, PIP_SECRET } from "../buildpacks/shared.js";
import { redactIndexUrl } from "../detect/requirements-txt.js";
import type { ConfigKey, Found, RepoFacts } from "../detect/types.js";
import { clipForMessage, ConfigError, UnsupportedError } from "../errors.js";
import { checkImageName } from "../image-name.js";
import { appendixMessages, checkRepoDir } from "./checks.js";
import type { BuildPlan, PlanMessage } from "./types.js";
import { resolveUser, type UserOptions } from "./user.js";
import { R2D_VERSION } from "./version.js";

export type * from "./types.js";
export { resolveUser } from "./user.js";
export { R2D_VERSION } from "./version.js";

export interface PlanOptions extends UserOptions {
  /** Where the repository lands in the image (default: the user's home). */
  targetRepoDir?: string;
  /** Replaces the buildpack's base image. */
  baseImage?: string;
  /** Raw Dockerfile text appended at the end (repo2docker's --appendix). */
  appendix?: string;
  labels?: Record<string, string>;
  /** Extra context exclusions (Docker pattern syntax), on top of the default `data`. */
  excludes?: string[];
  /** Paths kept in the context even though an exclusion (including the default `data`) matches. */
  includes?: string[];
  /** Where the repository came from, for labels. */
  source?: { repo: string; url?: string; ref?: string | null; revision?: string | null };
  /** Package index settings given to r2d (checked against the requirements file's own). */
  pipIndexUrl?: string;
  pipExtraIndexUrls?: string[];
}

/** Data directories left out of the context unless --include brings them back. */
export const DEFAULT_EXCLUDES = ["data"];

const ENTRYPOINT = "/usr/local/bin/r2d-entrypoint";

/** Why a present config file is not used, for the common cases; the rest get a generic reason. */
function ignoreReason(key: ConfigKey, pack: string, facts: RepoFacts): string {
  if (key === "requirements" && pack === "conda") return "environment.yml is used, and conda environments ignore requirements.txt (list pip packages under `pip:` in the environment file)";
  if (key === "requirements" && pack === "pipfile") return "the Pipfile is used, and it replaces requirements.txt";
  if ((key === "pipfile" || key === "pipfileLock") && pack === "conda") return "environment.yml takes precedence over Pipfile";
  if (key === "runtime" && (pack === "conda" || pack === "pipfile")) return `the ${pack} buildpack takes the Python version from ${pack === "conda" ? "environment.yml" : "the Pipfile"}`;
  if (pack === "dockerfile") return "a Dockerfile is built as is; r2d's other config files do not apply to it";
  if (key === "installR" && !facts.files.description) return "install.R alone does not select R (repo2docker's rule): add a dated runtime.txt such as r-4.4-2024-05-01, or a DESCRIPTION";
  return `the ${pack} buildpack does not read it`;
}

/** facts + options → the build plan. Pure: reads nothing, writes nothing. */
export function makePlan(facts: RepoFacts, options: PlanOptions = {}): BuildPlan {
  const { user, notice } = resolveUser(options);
  const home = `/home/${user.name}`;
  const repoDir = options.targetRepoDir ? checkRepoDir(options.targetRepoDir) : home;
  const pack = selectBuildpack(facts);
  const messages: PlanMessage[] = [];
  if (notice) messages.push({ level: "info", text: notice });

  let c;
  try {
    c = pack.contribute({ facts, user, home, repoDir, baseImage: options.baseImage });
  } catch (err) {
    if (err instanceof UnsupportedError) Object.assign(err, { buildpack: pack.name });
    throw err;
  }
  messages.push(...(c.messages ?? []));
  const files = facts.files;
  const generated = pack.template !== null;

  const runtime = files.runtime?.data;
  if (runtime?.name === "r" && !runtime.date && pack.name !== "r") {
    messages.push({ level: "warn", text: `${files.runtime!.path} says r-${runtime.version} without a date, so R is not selected (repo2docker's rule); write r-${runtime.version}-YYYY-MM-DD` });
  }
  if (pack === DEFAULT_BUILDPACK && !pack.detect(facts)) {
    messages.push({ level: "info", text: "no config file found: a plain Python image (add requirements.txt or environment.yml to install packages)" });
  }
  // What FROM will say: --base-image, else the buildpack's choice, made from its first config file. (The
  // repository's own Dockerfile names its base itself, maybe through an ARG: r2d writes no FROM then.)
  const baseImage = options.baseImage
    ? checkImageName(options.baseImage, "--base-image")
    : generated ? checkImageName(c.baseImage, c.used[0] ? files[c.used[0].key]!.path : pack.name) : c.baseImage;
  if (options.baseImage) {
    messages.push({ level: "info", text: `base image ${options.baseImage} replaces ${c.baseImage}${c.python ? `; the image has whatever Python it ships, not necessarily ${c.python}` : ""}` });
  }

  // Cross-cutting files every generated pack honours.
  const detected = c.used.map(({ key, use }) => ({ path: files[key]!.path, use }));
  const aptPackages = generated && files.apt ? useApt(files.apt) : [];
  if (aptPackages.length) detected.push({ path: files.apt!.path, use: `apt-get install ${aptPackages.join(" ")}` });
  const scripts: BuildPlan["scripts"] = [];
  let postBuild: string | null = null;
  let start: string | null = null;
  let runSh: string | null = null;
  if (generated) {
    for (const key of ["postBuild", "start", "runSh"] as const) {
      const found = files[key];
      if (!found) continue;
      scripts.push({ path: found.path, crlf: found.data?.crlf ?? false, ...(found.data?.executable ? { executable: true } : {}) });
      if (found.data?.crlf) messages.push({ level: "warn", text: `${found.path} has Windows line endings; r2d converts them in the image (your file is not changed)` });
    }
    if (files.postBuild) {
      postBuild = files.postBuild.path;
      detected.push({ path: postBuild, use: `run once at build time as ${user.name}` });
    }
    if (files.start) {
      start = files.start.path;
      detected.push({ path: start, use: "wraps every command at run time (it must end with exec \"$@\")" });
    }
    if (files.runSh) {
      runSh = files.runSh.path;
      detected.push({ path: runSh, use: "the image's default command" });
    }
  } else if (files.runSh) {
    detected.push({ path: files.runSh.path, use: "not the default command: the Dockerfile decides" });
  }

  const usedPaths = new Set(detected.map((d) => d.path));
  const ignored = [...facts.ignored];
  for (const [key, found] of Object.entries(files) as [ConfigKey, { path: string }][]) {
    if (!usedPaths.has(found.path)) ignored.push({ path: found.path, reason: ignoreReason(key, pack.name, facts) });
  }
  for (const s of facts.suspicious) messages.push({ level: "warn", text: `${s.path}: ${s.reason}` });
  for (const c of facts.credentials) {
    messages.push({
      level: "warn",
      text: `${c.path}:${c.line} has a password or token in a URL (${c.redacted}); the file is copied into the image, so anyone with the image can read it. Give the index to r2d instead (--pip-index-url or R2D_PIP_INDEX_URL): it reaches the build as a secret and never the image`,
    });
  }
  messages.push(...checkUsedConfigFiles(facts, options, usedPaths));
  if (generated && files.start?.data && !files.start.data.passesArguments) {
    messages.push({ level: "warn", text: `${files.start.path} never runs "$@", so the command given to the image is swallowed; end it with: exec "$@"` });
  }

  const env: Record<string, string> = generated
    ? {
        LANG: "C.UTF-8",
        LC_ALL: "C.UTF-8",
        PYTHONUNBUFFERED: "1",
        USER: user.name,
        HOME: home,
        NB_USER: user.name,
        NB_UID: String(user.uid),
        REPO_DIR: repoDir,
        ...c.env,
        ...(start ? { R2D_ENTRYPOINT: `${repoDir}/${start}` } : {}),
      }
    : {};
  const source = options.source;
  const labels: Record<string, string> = {
    "r2d.version": R2D_VERSION,
    "r2d.buildpack": pack.name,
    "repo2docker.repo": source?.url ?? "local",
    ...(source?.ref ? { "repo2docker.ref": source.ref } : {}),
    ...(source?.url ? { "org.opencontainers.image.source": source.url } : {}),
    ...(source?.revision ? { "org.opencontainers.image.revision": source.revision } : {}),
    ...options.labels,
  };
  const appendix = generated && options.appendix ? options.appendix : null;
  if (appendix) messages.push(...appendixMessages(appendix, user.name));
  const userExcludes = options.excludes ?? [];
  if (!generated && userExcludes.length === 0) {
    messages.push({ level: "info", text: "Dockerfile repositories keep data/ in the context (the Dockerfile may COPY it); use --exclude to leave directories out" });
  }

  const usesPip = [...(c.environmentSteps ?? []), ...(c.preAssembleSteps ?? []), ...(c.assembleSteps ?? [])].some((s) => s.secrets?.includes(PIP_SECRET));
  const usesCran = [...(c.preAssembleSteps ?? []), ...(c.assembleSteps ?? [])].some((s) => s.secrets?.includes(CRAN_SECRET));

  return {
    schemaVersion: 1,
    r2dVersion: R2D_VERSION,
    buildpack: pack.name,
    python: c.python ?? null,
    r: c.r ?? null,
    baseImage,
    baseImageOverridden: Boolean(options.baseImage),
    user,
    home,
    repoDir,
    configDir: facts.configDir,
    env,
    path: generated ? [...(c.path ?? []), `${home}/.local/bin`, ...(repoDir === home ? [] : [`${repoDir}/.local/bin`])] : [],
    aptPackages,
    systemSteps: c.systemSteps ?? [],
    environmentSteps: c.environmentSteps ?? [],
    helperFiles: c.helperFiles ?? [],
    dependencyFiles: c.dependencyFiles ?? [],
    preAssembleSteps: c.preAssembleSteps ?? [],
    assembleSteps: c.assembleSteps ?? [],
    scripts,
    postBuild,
    start,
    entrypoint: generated ? [ENTRYPOINT] : [],
    command: generated ? (runSh ? [`${repoDir}/${runSh}`] : ["/bin/bash"]) : [],
    labels,
    secrets: [
      ...(usesPip ? [{ id: PIP_SECRET, purpose: "pip index settings (--pip-index-url, --pip-extra-index-url)" }] : []),
      ...(usesCran ? [{ id: CRAN_SECRET, purpose: "CRAN mirror (--cran-mirror)" }] : []),
    ],
    appendix,
    dockerfilePath: c.dockerfilePath ?? null,
    dockerfileText: c.dockerfileText ?? null,
    context: {
      excludes: generated ? [...DEFAULT_EXCLUDES, ...userExcludes] : userExcludes,
      includes: options.includes ?? [],
      ignoreFileDir: facts.configDir,
    },
    detected,
    ignored,
    messages,
  };
}

/**
 * Plan-time checks of the config files the plan uses: a read error kept at detection is raised,
 * environment.yml's warnings are shown, and a requirements file's own index options never win
 * silently over --pip-index-url (an error naming the line); when they apply they are reported.
 */
function checkUsedConfigFiles(facts: RepoFacts, options: PlanOptions, used: Set<string>): PlanMessage[] {
  const messages: PlanMessage[] = [];
  for (const found of Object.values(facts.files) as Found<unknown>[]) {
    if (used.has(found.path) && found.error) throw found.error;
  }
  const env = facts.files.environment;
  if (env?.data && used.has(env.path)) {
    for (const w of env.data.warnings) messages.push({ level: "warn", text: `${env.path}:${w.line}: ${w.text}` });
  }
  const req = facts.files.requirements;
  if (!req?.data || !used.has(req.path)) return messages;
  for (const opt of req.data.indexOptions) {
    const setting = `${opt.option}${opt.value ? ` ${clipForMessage(redactIndexUrl(opt.value))}` : ""}`;
    if (options.pipIndexUrl && (opt.option === "--index-url" || opt.option === "--no-index")) {
      throw new ConfigError(`sets ${setting}, which would silently override --pip-index-url`, {
        location: { file: opt.file, line: opt.line },
        hint: `remove that line from ${opt.file}, or drop --pip-index-url`,
      });
    }
    const what = opt.option === "--index-url" || opt.option === "--no-index" ? "its own package index" : "a package index option";
    messages.push({ level: "info", text: `${opt.file}:${opt.line} sets ${what} (${setting}); it is used` });
  }
  return messages;
}

function useApt(found: { path: string; data?: string[]; error?: ConfigError }): string[] {
  if (found.error) throw found.error;
  return found.data ?? [];
}
