/**
 * The GitHub Action's inputs, read the way a runner passes them (`INPUT_<NAME>` variables) and
 * turned into `buildRepo()` options. Pure: the environment goes in, typed values come out.
 *
 * Conventions of docker/build-push-action: kebab-case names; lists separated by newlines or
 * commas, except lists whose items may contain commas themselves (build-args, labels,
 * cache-from, cache-to), which are one item per line; booleans as the strings true/false.
 */
import path from "node:path";
import type { BuildRepoOptions } from "../build-repo.js";
import { looksSecret } from "../detect/credentials.js";
import type { EngineKind } from "../engine/types.js";
import { ConfigError } from "../errors.js";
import { checkImageName } from "../image-name.js";

export type Env = Record<string, string | undefined>;

/** Every input of action.yml (a unit test keeps the two in step). */
export const INPUT_NAMES = [
  "repo",
  "ref",
  "subdir",
  "image-name",
  "tags",
  "push",
  "platforms",
  "build-args",
  "labels",
  "cache-from",
  "cache-to",
  "no-cache",
  "pull",
  "exclude",
  "include",
  "base-image",
  "user-id",
  "user-name",
  "target-repo-dir",
  "pip-index-url",
  "pip-extra-index-url",
  "cran-mirror",
  "build-network",
  "engine",
  "run-check",
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

export interface ActionInputs {
  /** Absolute path of the repository (or a git URL). */
  repo: string;
  ref?: string;
  subdir?: string;
  /** Every reference the image gets: image-name first, then tags. Empty: r2d's default name. */
  refs: string[];
  push: boolean;
  platform?: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  cacheFrom: string[];
  cacheTo: string[];
  noCache: boolean;
  pull: boolean;
  excludes: string[];
  includes: string[];
  baseImage?: string;
  userId?: string;
  userName?: string;
  targetRepoDir?: string;
  pipIndexUrl?: string;
  pipExtraIndexUrls: string[];
  cranMirror?: string;
  buildNetwork?: string;
  engine?: EngineKind;
  /** Shell command run in the built image (`sh -c`); the step fails when it fails. */
  runCheck?: string;
}

/**
 * The raw value of an input, as @actions/core reads it: `INPUT_` + the name upper-cased, with
 * spaces as underscores; hyphens kept. A composite step cannot always set hyphenated variable
 * names, so `INPUT_IMAGE_NAME` is accepted for `image-name` too. Trimmed; "" when unset.
 */
export function getInput(env: Env, name: string): string {
  const key = `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
  const value = env[key] ?? env[key.replace(/-/g, "_")] ?? "";
  return value.trim();
}

/** Splits one line on commas that are not inside double quotes; quotes around an item are removed. */
function splitCommas(line: string): string[] {
  const items: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      items.push(cur);
      cur = "";
      continue;
    }
    cur += ch;
  }
  items.push(cur);
  return items.map((s) => s.trim().replace(/^"(.*)"$/s, "$1"));
}

/**
 * A list input: one item per line, or also per comma unless `commas` is false. Blank items and
 * lines starting with `#` are dropped; items are trimmed.
 */
export function parseList(value: string, opts: { commas?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const raw of value.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    out.push(...(opts.commas === false ? [line] : splitCommas(line)));
  }
  return out.filter((s) => s !== "");
}

const TRUE = ["true", "True", "TRUE"];
const FALSE = ["false", "False", "FALSE"];

/** A boolean input, strict as @actions/core's getBooleanInput: true/True/TRUE, false/False/FALSE, or empty for the default. */
export function parseBoolean(value: string, name: string, fallback = false): boolean {
  if (value === "") return fallback;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new ConfigError(`must be true or false, got "${value}"`, { location: { file: `input ${name}` } });
}

/** `NAME=VALUE` items into a record (later items win), with the input named in the error. */
export function parsePairs(items: string[], name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf("=");
    if (i <= 0) throw new ConfigError(`expects NAME=VALUE lines, got "${item.split("=")[0]}…"`, { location: { file: `input ${name}` } });
    out[item.slice(0, i).trim()] = item.slice(i + 1);
  }
  return out;
}

const ENGINES = ["buildx", "docker", "buildctl"] as const;

function optional(value: string): string | undefined {
  return value === "" ? undefined : value;
}

/** Where a relative `repo` is taken from: the workspace the runner checked out, else the current directory. */
function resolveRepo(repo: string, env: Env, cwd: string): string {
  const isUrl = /^(https?|git|ssh|file):\/\//.test(repo) || /^[\w.-]+@[\w.-]+:/.test(repo);
  if (isUrl) return repo;
  const base = env.GITHUB_WORKSPACE || cwd;
  return path.resolve(base, repo || ".");
}

/** Reads and checks every input. Throws ConfigError naming the input on a bad value. */
export function readInputs(env: Env, cwd: string = process.cwd()): ActionInputs {
  const get = (name: InputName) => getInput(env, name);
  const list = (name: InputName, commas = true) => parseList(get(name), { commas });

  const refs = [...(get("image-name") ? [get("image-name")] : []), ...list("tags")];
  for (const ref of refs) checkImageName(ref, get("image-name") === ref ? "input image-name" : "input tags");
  const uniqueRefs = [...new Set(refs)];

  const platforms = list("platforms");
  if (platforms.length > 1) {
    throw new ConfigError(`r2d builds one platform at a time, got ${platforms.join(", ")}`, {
      location: { file: "input platforms" },
      hint: "run the action once per platform (a matrix), e.g. platforms: linux/amd64",
    });
  }

  const engine = get("engine");
  if (engine !== "" && engine !== "auto" && !(ENGINES as readonly string[]).includes(engine)) {
    throw new ConfigError(`must be auto, buildx, docker or buildctl, got "${engine}"`, { location: { file: "input engine" } });
  }

  const userId = get("user-id");
  if (userId !== "" && !/^\d+$/.test(userId)) {
    throw new ConfigError(`must be a number, got "${userId}"`, { location: { file: "input user-id" }, hint: "for example user-id: 1000" });
  }

  const push = parseBoolean(get("push"), "push");
  if (push && uniqueRefs.length === 0) {
    throw new ConfigError("push needs an image name to push to", {
      location: { file: "input push" },
      hint: "set image-name (or tags) to a registry reference, e.g. ghcr.io/owner/model:latest",
    });
  }

  const buildNetwork = get("build-network");
  return {
    repo: resolveRepo(get("repo"), env, cwd),
    ref: optional(get("ref")),
    subdir: optional(get("subdir")),
    refs: uniqueRefs,
    push,
    platform: platforms[0],
    buildArgs: parsePairs(list("build-args", false), "build-args"),
    labels: parsePairs(list("labels", false), "labels"),
    cacheFrom: list("cache-from", false),
    cacheTo: list("cache-to", false),
    noCache: parseBoolean(get("no-cache"), "no-cache"),
    pull: parseBoolean(get("pull"), "pull"),
    excludes: list("exclude"),
    includes: list("include"),
    baseImage: optional(get("base-image")),
    userId: optional(userId),
    userName: optional(get("user-name")),
    targetRepoDir: optional(get("target-repo-dir")),
    pipIndexUrl: optional(get("pip-index-url")),
    pipExtraIndexUrls: list("pip-extra-index-url"),
    cranMirror: optional(get("cran-mirror")),
    buildNetwork: buildNetwork === "" || buildNetwork === "default" ? undefined : buildNetwork,
    engine: engine === "" || engine === "auto" ? undefined : (engine as EngineKind),
    runCheck: optional(get("run-check")),
  };
}

/** The command a run check runs: a shell line, so quoting works as in a workflow's `run:`. */
export function runCheckCommand(check: string): string[] {
  return ["sh", "-c", check];
}

/** The options of the main build: never the image's default command, the run check if there is one. */
export function toBuildOptions(inputs: ActionInputs): BuildRepoOptions {
  const check = inputs.runCheck;
  return {
    ref: inputs.ref,
    subdir: inputs.subdir,
    imageName: inputs.refs[0],
    // buildRepo cannot load, run and push one build: with a check, the push comes after it passes.
    push: inputs.push && !check,
    run: Boolean(check),
    command: check ? runCheckCommand(check) : undefined,
    runStdio: "pipe",
    platform: inputs.platform,
    buildArgs: inputs.buildArgs,
    labels: inputs.labels,
    cacheFrom: inputs.cacheFrom,
    cacheTo: inputs.cacheTo,
    noCache: inputs.noCache,
    pull: inputs.pull,
    excludes: inputs.excludes,
    includes: inputs.includes,
    baseImage: inputs.baseImage,
    userId: inputs.userId,
    userName: inputs.userName,
    targetRepoDir: inputs.targetRepoDir,
    pipIndexUrl: inputs.pipIndexUrl,
    pipExtraIndexUrls: inputs.pipExtraIndexUrls,
    cranMirror: inputs.cranMirror,
    buildNetwork: inputs.buildNetwork,
    engine: inputs.engine,
  };
}

export interface ActionPlan {
  repo: string;
  /** The build (and run check). */
  build: BuildRepoOptions;
  /** Builds that only push (cached by then): the first reference after a passed check, and each further reference. */
  pushes: BuildRepoOptions[];
  /** Further references given to the local image with `docker tag` (when nothing is pushed). */
  localTags: string[];
}

/** What the action does, in order. Pure. */
export function planAction(inputs: ActionInputs): ActionPlan {
  const build = toBuildOptions(inputs);
  const pushOnly = (imageName: string): BuildRepoOptions => ({
    ...build,
    imageName,
    push: true,
    run: false,
    command: undefined,
    // The first build filled the cache; a no-cache rebuild per reference would build again.
    noCache: false,
    pull: false,
  });
  const [first, ...rest] = inputs.refs;
  if (!inputs.push || first === undefined) return { repo: inputs.repo, build, pushes: [], localTags: rest };
  return {
    repo: inputs.repo,
    build,
    pushes: [...(inputs.runCheck ? [pushOnly(first)] : []), ...rest.map(pushOnly)],
    localTags: [],
  };
}

export { looksSecret };

/** Credentials in the userinfo of URLs inside a text: passwords, and a user name that stands alone (a token). */
function urlCredentials(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/([^/\s@"']+)@/gi)) {
    const userinfo = m[1] ?? "";
    const colon = userinfo.indexOf(":");
    const secret = colon >= 0 ? userinfo.slice(colon + 1) : userinfo === "git" ? "" : userinfo;
    if (!secret) continue;
    out.push(secret);
    try {
      const decoded = decodeURIComponent(secret);
      if (decoded !== secret) out.push(decoded);
    } catch {
      // Not valid percent-encoding: the raw text is what appears.
    }
  }
  return out;
}

/** Values of `name=value` items whose name looks like a credential (a whole line, and each comma-separated item). */
function namedCredentials(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    for (const item of [line, ...line.split(",")]) {
      const m = /^\s*([A-Za-z_][\w.-]*)\s*=(.*)$/s.exec(item);
      if (m && looksSecret(m[1] ?? "")) out.push((m[2] ?? "").trim());
    }
  }
  return out;
}

/**
 * Everything in the inputs that must not appear in a log, computed from the raw environment
 * before any input is parsed (a parse error may quote a value): the whole value of an input
 * whose name looks secret, credentials in URLs (pip-index-url, cran-mirror, a git URL...), and
 * values of secret-looking `NAME=VALUE` items (build-args, labels, cache specs).
 */
export function secretValues(env: Env): string[] {
  const found = new Set<string>();
  for (const [key, raw] of Object.entries(env)) {
    if (!key.startsWith("INPUT_") || !raw) continue;
    const value = raw.trim();
    if (!value) continue;
    if (looksSecret(key.slice("INPUT_".length))) found.add(value);
    for (const s of urlCredentials(value)) found.add(s);
    for (const s of namedCredentials(value)) found.add(s);
  }
  return [...found].filter((s) => s.trim() !== "");
}
