import type { IgnoredFile, RepoFacts } from "../detect/types.js";
import type { BuildPlan, CacheMount, Compilers, PlanMessage, PlanUser, Step } from "../plan/types.js";
import type { RepoRoot } from "../source/repo-root.js";
import type { ConfigKey } from "./index.js";

/**
 * A config file r2d may read: its key in `facts.files`, its candidate names (the first present
 * wins), where it may live, and its parser. `config` files live in the config folder (binder/,
 * .binder/) when there is one, else at the root; `root-only` files are read from the root only when
 * there is no config folder (repo2docker's rule for setup.py, pyproject.toml and DESCRIPTION);
 * `root` files always live at the root (run.sh).
 */
export interface FileSpec<K extends string = string, T = unknown> {
  key: K;
  names: readonly string[];
  where: "config" | "root-only" | "root";
  /** null: only its presence matters. */
  parse: ((text: string, file: string) => T) | null;
  /** Files r2d only skims (scripts, Dockerfiles, DESCRIPTION): undecodable bytes are replaced, not refused. */
  skimmed?: boolean;
  /** Scripts: record whether the file itself is executable (the context keeps its mode). */
  recordsExecutable?: boolean;
  /** More reading once parsed (requirements.txt follows its -r/-c targets beneath the root). */
  followUp?(root: RepoRoot, file: string, data: T, credentials: RepoFacts["credentials"]): Promise<void>;
  /** Why the file is not used when the chosen pack does not say otherwise (null: the generic reason). */
  whenIgnored?: (facts: RepoFacts) => string | null;
}

/** The parsed form a spec yields. */
export type ParsedBy<S> = S extends FileSpec<string, infer T> ? T : never;

/**
 * How a pack builds: `generated` renders a Dockerfile from the plan; `own-dockerfile` builds the
 * repository's own Dockerfile as is; `refused` is detected (so the right pack is named) but not built.
 */
export type BuildpackKind = "generated" | "own-dockerfile" | "refused";

/** A build secret a pack's steps may mount at /run/secrets/<id>, and which options fill it. */
export interface SecretSpec {
  id: string;
  /** Shown in the plan: what the secret carries and which option fills it. */
  purpose: string;
  /** The file's name in the run folder. */
  fileName: string;
  /** The file's content for these options, or null when the options leave it empty (not mounted). */
  content(options: SecretOptions): string | null;
}

/** The options secrets are made from (they never reach the plan or the image). */
export interface SecretOptions {
  pipIndexUrl?: string;
  pipExtraIndexUrls?: string[];
  cranMirror?: string;
}

/** A BuildKit cache a pack's steps mount: downloads survive between builds without landing in a layer. */
export interface CacheSpec {
  name: string;
  target: string;
  /** One cache per image user (owned by its uid), or one shared by all (locked while in use). */
  perUser: boolean;
  mount(uid: number): CacheMount;
}

/** What a buildpack sees when it contributes to the plan. */
export interface PackContext {
  facts: RepoFacts;
  user: PlanUser;
  home: string;
  repoDir: string;
  /** --base-image, when given. */
  baseImage?: string;
  /** --platform, when given (lock files' markers are evaluated for it). */
  platform?: string;
}

/** The parts of the plan a buildpack fills in; the planner adds the cross-cutting rest. */
export type Contribution = Partial<
  Pick<
    BuildPlan,
    | "python"
    | "r"
    | "env"
    | "path"
    | "aptPackages"
    | "systemSteps"
    | "environmentSteps"
    | "dependencyFiles"
    | "preAssembleSteps"
    | "assembleSteps"
    | "dockerfilePath"
    | "dockerfileText"
    | "helperFiles"
    | "pinnedFiles"
  >
> & {
  baseImage: string;
  /** When its builder stage needs compilers (default: always, where the base image has no C compiler). */
  compilers?: Compilers;
  /** Config files this pack used, with what for (shown as "detected"). */
  used: { key: ConfigKey; use: string }[];
  /**
   * A command the image's entrypoint runs inside ([program, ...args], the command line appended): the
   * `start` script and the command then run within it (Nix: `nix-shell default.nix`).
   */
  wrapCommand?: string[];
  messages?: PlanMessage[];
  /** The environment's dev extras, installed in the dev image only (--target dev). */
  dev?: DevExtras;
};

/** What a pack adds to the dev image: steps, the generated lists they read, and what each file gave. */
export interface DevExtras {
  steps: Step[];
  files?: { name: string; content: string }[];
  used: { key: ConfigKey; use: string }[];
}

/**
 * A buildpack: one module that says, as data, which files it reads, how it builds, what it calls
 * the files it ignores, which caches and secrets its steps use; and, as two functions, when it
 * applies and what it adds to the plan. No inheritance: packs that share behaviour (R and Pipfile
 * reuse Python's virtual environment) call the same helpers.
 *
 * Declare a pack with an explicit type, `Buildpack<"name", typeof FILES>`: the registry derives the
 * name union and the type of `facts.files` from these declarations.
 */
export interface Buildpack<N extends string = string, F extends readonly FileSpec[] = readonly FileSpec[]> {
  name: N;
  kind: BuildpackKind;
  /** The config files it reads (shared ones come from ./files.ts), in detection order. */
  files: F;
  /**
   * Files of other packs it reads too, as repo2docker's pack inheritance has it (R reads what the
   * conda and Python packs read). They are looked for in their own packs' order.
   */
  alsoReads?: readonly FileSpec[];
  /** Why it leaves a present config file unused, by key (else the file's own reason, else a generic one). */
  ignores?: Partial<Record<ConfigKey, string>> | ((key: ConfigKey, facts: RepoFacts) => string | null);
  caches?: readonly CacheSpec[];
  secrets?: readonly SecretSpec[];
  /** Directories of the image its environments occupy (the repository must not land there). */
  envDirs?: readonly string[];
  /** Its images can take r2d's CUDA base with --gpu (src/buildpacks/gpu.ts says which, by the base it chose). */
  gpu?: boolean;
  /**
   * Its environments are built by the image user inside `envDirs` and need nothing else at run
   * time, so they are built in a builder stage with compilers and only those folders reach the
   * image. Packs that install into system folders or the home (Julia, Nix) build in one stage.
   */
  builderStage?: boolean;
  /** True when this pack should build the repository (the registry takes the first). */
  detect(facts: RepoFacts): boolean;
  /** Throws UnsupportedError for packs r2d detects but cannot build. */
  contribute(ctx: PackContext): Contribution;
}

export type { IgnoredFile, Step };
