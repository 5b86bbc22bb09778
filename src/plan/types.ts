/** The build plan: plain, serialisable data. Everything the Dockerfile and the build need. */
import type { BuildpackName } from "../buildpacks/index.js";

export type { BuildpackName };

export interface PlanUser {
  name: string;
  uid: number;
  /** The user's primary group (--group-id; default the caller's gid, or the uid given with --user-id). */
  gid: number;
  /** Where the default came from, for the report ("--user-id", "invoking user", "root fallback"). */
  source: string;
}

/** A BuildKit cache mount (downloads survive between builds without landing in a layer). */
export interface CacheMount {
  id: string;
  target: string;
  /** Owner of the mount, for steps that run as the user. */
  uid?: number;
  sharing?: "shared" | "private" | "locked";
}

/** One RUN instruction. */
export interface Step {
  /** Shown in the Dockerfile as a comment and in reports. */
  title: string;
  user: "root" | "user";
  /** Shell commands, joined with `&&`. */
  commands: string[];
  caches?: CacheMount[];
  /** Build secrets mounted at /run/secrets/<id> (optional: absent secrets are fine). */
  secrets?: string[];
  /** A check of the base image (root only): it runs before anything installs, so its failure is the first one reported. */
  check?: boolean;
  /** A root step that runs a command as the image user: its caches and secrets belong to the user. */
  mountsForUser?: boolean;
}

/** What the image is built for: the runtime image, or the runtime image plus the dev tools (--target). */
export type BuildTarget = "runtime" | "dev";

/**
 * A builder stage and a runtime stage: the environments are built where the compilers are, and
 * the runtime image receives only the built environment folders.
 */
export interface PlanStages {
  /** apt-build.txt: the builder's packages (build-essential is added when the base image has no C compiler). */
  buildPackages: string[];
  /** apt-runtime.txt: packages of the runtime image only. */
  runtimePackages: string[];
  /** The environment folders copied from the builder into the runtime image. */
  copies: string[];
  /** When the builder gets build-essential (only ever where the base image has no C compiler). */
  compilers: Compilers;
}

/**
 * `always`: at the builder's start (apt-build.txt, or installs whose needs r2d cannot tell);
 * `never`: every package to install is a wheel (known from a lock file when planning);
 * `if-not-wheels`: decided during the build, by pip's dry run of `pipArgs` with `python` (the
 * environment's), after the dependency files are copied: only when something is not a wheel.
 */
export type Compilers = { when: "always" } | { when: "never" } | { when: "if-not-wheels"; python: string; pipArgs: string[] };

/** The dev image (--target dev): the runtime image plus apt-dev.txt, requirements-dev.txt and the dev extras. */
export interface PlanDev {
  aptPackages: string[];
  steps: Step[];
  /** Generated lists the dev steps install (a lock file's dev packages), copied into the dev image only. */
  files?: { name: string; content: string }[];
  /** build-essential for requirements-dev.txt, decided by pip's dry run (the runtime image has no compiler). */
  compilers?: Compilers;
}

export interface PlanMessage {
  level: "info" | "warn";
  text: string;
}

/** --gpu: the CUDA base r2d chose, and what it copies into it. */
export interface PlanGpu {
  /** CUDA release of r2d's base, or null when --base-image or the repository's Dockerfile chose the base. */
  cuda: string | null;
  /** Programs copied from other images into the base before anything runs (micromamba). */
  copies: { image: string; source: string; target: string }[];
}

export interface BuildPlan {
  schemaVersion: 1;
  r2dVersion: string;
  buildpack: BuildpackName;
  /** Python X.Y the image provides (null when the buildpack has no Python). */
  python: string | null;
  /** R version the image provides: X.Y[.Z], "unpinned" when environment.yml brings R without pinning r-base; null without R. */
  r: string | null;
  baseImage: string;
  /** True when --base-image replaced the buildpack's own choice. */
  baseImageOverridden: boolean;
  /** Present only with --gpu. */
  gpu?: PlanGpu;
  user: PlanUser;
  home: string;
  /** Where the repository lands (home unless --target-repo-dir). */
  repoDir: string;
  /** The directory holding config files, relative to the repo ("", "binder", ".binder"). */
  configDir: string;
  /** ENV set in the image (build and run time). */
  env: Record<string, string>;
  /** Directories put in front of PATH. */
  path: string[];
  /** Debian packages: the buildpack's, then apt.txt's (in one stage, apt-build.txt's and apt-runtime.txt's too). */
  aptPackages: string[];
  target: BuildTarget;
  /** null: one stage (the repository's own Dockerfile, and packs that install outside their environment folders). */
  stages: PlanStages | null;
  /** null unless --target dev. */
  dev: PlanDev | null;
  /** Steps as root before the user exists (system set-up the buildpack needs). */
  systemSteps: Step[];
  /** Steps that set up the language environment as the user (venv, conda env, R library). */
  environmentSteps: Step[];
  /** Dependency files copied before the code so their install layers stay cached. */
  dependencyFiles: string[];
  /** Installs that need only the dependency files. */
  preAssembleSteps: Step[];
  /** Installs that need the whole repository (local packages, `pip install .`). */
  assembleSteps: Step[];
  /**
   * Files r2d writes from a lock file (a pinned, hashed requirement list), copied with the
   * dependency files to /usr/local/lib/r2d/<name>. Absent when there are none.
   */
  pinnedFiles?: { name: string; content: string }[];
  /** r2d helper scripts (from buildpacks/scripts/) copied to /usr/local/lib/r2d/ before the installs. */
  helperFiles: string[];
  /**
   * Repository-relative scripts made executable (and CRLF-fixed) after the copy. `executable`: the
   * file is already `a+x` in the repository (the context keeps modes), so no `chmod` is needed.
   */
  scripts: { path: string; crlf: boolean; executable?: boolean }[];
  postBuild: string | null;
  start: string | null;
  entrypoint: string[];
  command: string[];
  /** Image labels, passed to the builder (not LABEL lines, so they never bust the layer cache). */
  labels: Record<string, string>;
  /** Build secrets the generated Dockerfile may mount, with what they carry. */
  secrets: { id: string; purpose: string }[];
  appendix: string | null;
  /** For the Dockerfile buildpack: the repository's Dockerfile, relative to the root. */
  dockerfilePath: string | null;
  /** ... and its text, used unchanged. */
  dockerfileText: string | null;
  context: {
    /** Docker-syntax patterns left out of the context besides .dockerignore (e.g. "data"). */
    excludes: string[];
    includes: string[];
    /** Directory whose .dockerignore / .containerignore apply. */
    ignoreFileDir: string;
  };
  /** What was found and used, in order of importance. */
  detected: { path: string; use: string }[];
  ignored: { path: string; reason: string }[];
  messages: PlanMessage[];
}
