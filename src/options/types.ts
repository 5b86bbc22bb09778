/**
 * The shape of the option table (src/options/table.ts): one row per option, shared by the CLI,
 * the GitHub Action and the docs. A row's key names its value in `OptionValues`: buildRepo's
 * option of the same name when there is one (the compiler checks that the row's kind yields that
 * option's type), else a setting of the front doors (the run limits, the grader, the output).
 */
import type { BuildRepoOptions } from "../build-repo.js";
import type { GraderProfileName } from "../grader/types.js";
import type { InputSide, Kind } from "./kinds.js";

/** The pipeline stage an option belongs to; the docs group options by it. */
export const STAGES = ["source", "plan", "build", "push", "run", "grade", "output"] as const;
export type Stage = (typeof STAGES)[number];

/** buildRepo options that a row fills under the same name, with the same type. */
export const DIRECT_KEYS = [
  "ref",
  "subdir",
  "imageName",
  "build",
  "run",
  "push",
  "userId",
  "userName",
  "groupId",
  "target",
  "configDir",
  "targetRepoDir",
  "appendix",
  "defaultCommand",
  "baseImage",
  "gpu",
  "labels",
  "buildArgs",
  "excludes",
  "includes",
  "pipIndexUrl",
  "pipExtraIndexUrls",
  "cranMirror",
  "engine",
  "docker",
  "buildctl",
  "platform",
  "buildNetwork",
  "cacheFrom",
  "cacheTo",
  "noCache",
  "builder",
  "provenance",
  "sbom",
  "load",
  "pull",
  "command",
  "env",
  "volumes",
  "publish",
  "publishAll",
  "editable",
  "mountData",
] as const satisfies readonly (keyof BuildRepoOptions)[];

export type DirectKey = (typeof DIRECT_KEYS)[number];
export type DirectOptions = Pick<BuildRepoOptions, DirectKey>;

/** Every value the table reads: buildRepo's own options, then what the CLI and the action make of the rest. */
export interface OptionValues extends DirectOptions {
  /** The repository: the CLI's first argument, the action's `repo` input. */
  repo?: string;
  /** Run limits: the plain run's, and the grader's. */
  memory?: string;
  cpus?: string;
  shmSize?: string;
  gpus?: string;
  grader?: GraderProfileName;
  graderInput?: string;
  graderExpected?: string;
  /** Milliseconds. */
  timeout?: number;
  json?: boolean;
  debug?: boolean;
  progress?: "auto" | "tty" | "plain" | "json";
  /** Action only: more references, the platform list (one), the check command. */
  tags?: string[];
  platforms?: string[];
  runCheck?: string;
  /** Action only: build secrets by id, as values and as files; other flags, as shell words. */
  buildSecrets?: Record<string, string>;
  secretFiles?: Record<string, string>;
  extraArgs?: string;
}

export type OptionKey = keyof OptionValues;

/** The command-line side of a row. */
export interface CliSide {
  /** `--image-name`, `--no-run`; or the argument, `<repo>`, `[command...]`. */
  flag: string;
  short?: `-${string}`;
  /** The value's name in the help: `<name>`. Switches have none. */
  arg?: `<${string}>`;
  /** Other spellings, hidden from --help (repo2docker's names). */
  aliases?: readonly { flag: string; help: string }[];
  /** Environment variable read when the flag is not given. */
  env?: string;
  /** Default shown in --help and used when the flag is not given. */
  default?: string;
}

/**
 * A rule between options, checked when the row's option is given: `needs` one of the named
 * options given too, or `excludes` all of them. A switch such as `--no-run` counts as given when
 * used. Without a message, the CLI says `--a only applies with --b`.
 */
export interface Rule {
  needs?: readonly OptionKey[];
  excludes?: readonly OptionKey[];
  message?: string;
  hint?: string;
  /** The front door it holds for: the command line and buildRepo (default), or the action. */
  for?: "cli" | "action";
}

export interface OptionSpec<T> {
  stage: Stage;
  type: Kind<T>;
  /** The CLI's help text; the action's description too unless the input has its own. */
  help: string;
  cli?: CliSide;
  input?: InputSide;
  rules?: readonly Rule[];
}

/** A row of the table, its value's type folded into its readers. */
export interface OptionRow extends Omit<OptionSpec<unknown>, "type"> {
  key: OptionKey;
  type: Pick<Kind<unknown>, "label" | "choices" | "expected" | "parseArg">;
  /** Stores what commander holds for this option (untyped, checked by the kind). */
  readCli(raw: unknown, into: OptionValues): void;
  /** Stores an action input's text (trimmed, not empty, not the default). */
  readInput(text: string, into: OptionValues): void;
  /** Whether the option counts as given in these values. */
  given(values: OptionValues): boolean;
  /** Sets the kind's empty value (an empty list, a switch off) when none was given. */
  fillEmpty(values: OptionValues): void;
}

/** One row. `T` must be the type buildRepo (or the front door) expects under `key`: the compiler checks it. */
export function option<K extends OptionKey, T extends NonNullable<OptionValues[K]>>(key: K, spec: OptionSpec<T>): OptionRow {
  const { type } = spec;
  const name = spec.cli?.flag ?? spec.input?.name ?? key;
  return {
    ...spec,
    key,
    type,
    readCli(raw, into) {
      const value = type.fromCli(raw, name);
      if (value !== undefined) into[key] = value;
    },
    readInput(text, into) {
      if (!spec.input) return;
      const value = type.fromInput(text, spec.input);
      if (value !== undefined) into[key] = value;
    },
    given: (values) => type.used(values[key]),
    fillEmpty(values) {
      if (values[key] === undefined && type.empty !== undefined) values[key] = type.empty();
    },
  };
}
