/**
 * The GitHub Action's inputs, read the way a runner passes them (`INPUT_<NAME>` variables) and
 * turned into `buildRepo()` options. Pure: the environment goes in, typed values come out.
 * Names, defaults, kinds and rules come from the option table (src/options/table.ts).
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
import { graderBuildDefaults } from "../grader/index.js";
import { checkRules, directOptions, INPUT_ROWS, readInputValues, type DirectOptions, type Env, type OptionValues } from "../options/index.js";
import type { BuildSecret } from "../prepare/index.js";
import { mergeExtraArgs, readExtraArgs } from "./extra-args.js";

export { getInput, parseBoolean, parseList, parsePairs, type Env } from "../options/index.js";

/** Every input of action.yml, in the table's order (a unit test keeps the two in step). */
export const INPUT_NAMES: readonly string[] = INPUT_ROWS.flatMap((row) => (row.input ? [row.input.name] : []));

export interface ActionInputs {
  /** Absolute path of the repository (or a git URL). */
  repo: string;
  /** Every reference the image gets: image-name first, then tags. Empty: r2d's default name. */
  refs: string[];
  push: boolean;
  platform?: string;
  engine?: EngineKind;
  /** Shell command run in the built image (`sh -c`); the step fails when it fails. */
  runCheck?: string;
  /** The grader and its inputs (paths resolved against the workspace). */
  grader?: BuildRepoOptions["grader"];
  /** Limits of the run check's run (the grader has its own copy). */
  runOptions: NonNullable<BuildRepoOptions["runOptions"]>;
  /** secrets and secret-files, in that order. */
  secrets: BuildSecret[];
  /** The other inputs, as the buildRepo options of the same names. */
  build: Omit<DirectOptions, "imageName" | "push">;
}

/** The image user repo2docker and Binder use, unless an input (or the grader's contract) says otherwise. */
export const ACTION_USER = { userId: "1000", userName: "jovyan" } as const;

/** Where a relative `repo` is taken from: the workspace the runner checked out, else the current directory. */
function resolveRepo(repo: string, env: Env, cwd: string): string {
  const isUrl = /^(https?|git|ssh|file):\/\//.test(repo) || /^[\w.-]+@[\w.-]+:/.test(repo);
  if (isUrl) return repo;
  return inWorkspace(repo || ".", env, cwd);
}

/** A path input, relative to the workspace the runner checked out (else the current directory). */
function inWorkspace(p: string, env: Env, cwd: string): string {
  return path.resolve(env.GITHUB_WORKSPACE || cwd, p);
}

/** The inputs' values, with what extra-args adds (each setting given once). */
function allValues(env: Env): OptionValues {
  const values = readInputValues(env);
  return values.extraArgs ? mergeExtraArgs(values, readExtraArgs(values.extraArgs)) : values;
}

/** jovyan/1000 in CI (a runner's own uid, 1001, matches nothing where the image runs), unless given or the grader's contract names one. */
function defaultUser(values: OptionValues): void {
  const grader: { userId?: unknown; userName?: unknown } = values.grader ? graderBuildDefaults(values.grader, { userId: values.userId, userName: values.userName }) : {};
  if (grader.userId !== undefined || grader.userName !== undefined) return;
  values.userId ??= ACTION_USER.userId;
  values.userName ??= ACTION_USER.userName;
}

function graderOf(values: OptionValues, env: Env, cwd: string): BuildRepoOptions["grader"] {
  if (!values.grader) return undefined;
  const resolve = (p: string | undefined) => (p ? inWorkspace(p, env, cwd) : undefined);
  const { memory, cpus, shmSize, gpus } = values;
  return { profile: values.grader, inputDir: resolve(values.graderInput), expectedDir: resolve(values.graderExpected), timeoutMs: values.timeout, memory, cpus, shmSize, gpus };
}

function secretsOf(values: OptionValues, env: Env, cwd: string): BuildSecret[] {
  const files = Object.entries(values.secretFiles ?? {}).map(([id, file]) => ({ id: id.trim(), file: inWorkspace(file.trim(), env, cwd) }));
  const own = Object.entries(values.buildSecrets ?? {}).map(([id, value]) => ({ id: id.trim(), value }));
  return [...own, ...files];
}

/** image-name, then tags, each checked, without repeats. */
function references(imageName: string | undefined, tags: string[]): string[] {
  if (imageName) checkImageName(imageName, "input image-name");
  for (const tag of tags) checkImageName(tag, "input tags");
  return [...new Set([...(imageName ? [imageName] : []), ...tags])];
}

/** Reads and checks every input. Throws ConfigError naming the input on a bad value. */
export function readInputs(env: Env, cwd: string = process.cwd()): ActionInputs {
  const values = allValues(env);
  const refs = references(values.imageName, values.tags ?? []);
  const platforms = values.platforms ?? [];
  if (platforms.length > 1) {
    throw new ConfigError(`r2d builds one platform at a time, got ${platforms.join(", ")}`, {
      location: { file: "input platforms" },
      hint: "run the action once per platform (a matrix), e.g. platforms: linux/amd64",
    });
  }
  checkRules(values, "action");
  for (const row of INPUT_ROWS) row.fillEmpty(values);
  defaultUser(values);
  // Names and push are the action's plan's to decide (planAction): they stay out of the build settings.
  const build = directOptions(values);
  delete build.imageName;
  delete build.push;
  return {
    repo: resolveRepo(values.repo ?? "", env, cwd),
    refs,
    push: values.push === true,
    platform: platforms[0],
    engine: values.engine,
    runCheck: values.runCheck,
    grader: graderOf(values, env, cwd),
    runOptions: { memory: values.memory, cpus: values.cpus, shmSize: values.shmSize, gpus: values.gpus },
    secrets: secretsOf(values, env, cwd),
    build,
  };
}

/** The command a run check runs: a shell line, so quoting works as in a workflow's `run:`. */
export function runCheckCommand(check: string): string[] {
  return ["sh", "-c", check];
}

/** Whether the image is run before anything is pushed: a run check or a grader. */
export const checksImage = (inputs: Pick<ActionInputs, "runCheck" | "grader">): boolean => Boolean(inputs.runCheck || inputs.grader);

/** The options of the main build: never the image's default command; the run check or the grader if there is one. */
export function toBuildOptions(inputs: ActionInputs): BuildRepoOptions {
  const check = inputs.runCheck;
  return {
    ...inputs.build,
    imageName: inputs.refs[0],
    // buildRepo cannot load, run and push one build: with a check, the push comes after it passes.
    push: inputs.push && !checksImage(inputs),
    run: checksImage(inputs),
    command: check ? runCheckCommand(check) : undefined,
    runStdio: "pipe",
    platform: inputs.platform,
    ...(inputs.grader ? { grader: inputs.grader } : {}),
    ...(Object.values(inputs.runOptions).some((v) => v !== undefined) ? { runOptions: inputs.runOptions } : {}),
    ...(inputs.secrets.length ? { secrets: inputs.secrets } : {}),
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
    grader: undefined,
    // The first build filled the cache; a no-cache rebuild per reference would build again.
    noCache: false,
    pull: false,
  });
  const [first, ...rest] = inputs.refs;
  if (!inputs.push || first === undefined) return { repo: inputs.repo, build, pushes: [], localTags: rest };
  return {
    repo: inputs.repo,
    build,
    pushes: [...(checksImage(inputs) ? [pushOnly(first)] : []), ...rest.map(pushOnly)],
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
    // Every value of `secrets` (ID=VALUE lines) is one, whatever its id is called.
    if (key === "INPUT_SECRETS") for (const line of value.split(/\r?\n/)) if (line.includes("=")) found.add(line.slice(line.indexOf("=") + 1).trim());
    for (const s of urlCredentials(value)) found.add(s);
    for (const s of namedCredentials(value)) found.add(s);
  }
  return [...found].filter((s) => s.trim() !== "");
}
