import { Command, InvalidArgumentError, Option } from "commander";
import type { BuildRepoOptions } from "../build-repo.js";
import { ConfigError } from "../errors.js";
import { GRADER_PROFILES, parseDuration, type GraderProfileName } from "../grader/index.js";
import { R2D_VERSION } from "../plan/version.js";

export interface CliOptions {
  repo: string;
  options: BuildRepoOptions;
  json: boolean;
  debug: boolean;
  progress: "auto" | "tty" | "plain";
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `K=V` pairs of a repeatable flag into a record, with the flag named in the error. */
function pairs(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const i = item.indexOf("=");
    if (i <= 0) throw new ConfigError(`${flag} expects NAME=VALUE, got "${item}"`, { location: { file: flag } });
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

/** Docker's size syntax: 512m, 2g, 0m. */
function size(value: string): string {
  if (!/^\d+(\.\d+)?\s*[bkmgt]?$/i.test(value)) throw new InvalidArgumentError("expected a size such as 512m or 2g");
  return value;
}

function cpuCount(value: string): string {
  if (!/^\d*\.?\d+$/.test(value) || Number(value) <= 0) throw new InvalidArgumentError("expected a number of CPUs such as 1 or 0.5");
  return value;
}

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError("expected a duration such as 90s, 10m or 1h (a bare number is seconds)");
  return ms;
}

function integer(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a number");
  return value;
}

/** The r2d command line. Flags shared with repo2docker keep its names and meaning. */
export function program(): Command {
  return new Command("r2d")
    .description("Turn a repository into a small, runnable container image (repo2docker config files, BuildKit builds).")
    .version(R2D_VERSION)
    .argument("<repo>", "local directory or git URL of the repository")
    .argument("[command...]", "command to run in the image instead of its default (run.sh, else bash); put it after --")
    .showHelpAfterError()
    .addOption(new Option("--image-name <name>", "tag of the image (default r2d-<repo>:<commit or latest>)"))
    .addOption(new Option("--ref <ref>", "branch, tag or commit to build, for a git URL"))
    .addOption(new Option("--subdir <dir>", "build from this subdirectory of the repository"))
    .addOption(new Option("--no-build", "plan only: detect, print the summary (with --debug the Dockerfile, with --json the plan) and stop"))
    .addOption(new Option("--no-run", "build (and push) without running the image"))
    .addOption(new Option("--push", "push the image to its registry after building (needs --no-run)"))
    .addOption(new Option("--json-logs", "repo2docker's name for --json").hideHelp())
    .addOption(new Option("--json", "machine-readable output on stdout: the plan with --no-build, else one JSON event per line"))
    .addOption(new Option("--debug", "print the generated Dockerfile and every engine command"))
    .addOption(new Option("--user-id <uid>", "uid of the image user (default: yours; 1000 when r2d runs as root)").argParser(integer))
    .addOption(new Option("--user-name <name>", "name of the image user (default: yours; jovyan when r2d runs as root)"))
    .addOption(new Option("--target-repo-dir <dir>", "where the repository lands in the image (default: the user's home)"))
    .addOption(new Option("--appendix <text>", "Dockerfile instructions appended to the generated Dockerfile"))
    .addOption(new Option("--base-image <image>", "replace the buildpack's base image (it must be Debian or Ubuntu based)"))
    .addOption(new Option("--label <name=value>", "image label (repeatable)").argParser(collect))
    .addOption(new Option("--build-arg <name=value>", "build argument (repeatable)").argParser(collect))
    .addOption(new Option("--exclude <path>", "leave this path out of the build context, besides data/ (repeatable; .dockerignore syntax)").argParser(collect))
    .addOption(new Option("--include <path>", "keep this path in the context even though excluded, e.g. --include data (repeatable)").argParser(collect))
    .addOption(new Option("--pip-index-url <url>", "pip index for the build, passed as a build secret (credentials never reach the image)").env("R2D_PIP_INDEX_URL"))
    .addOption(new Option("--pip-extra-index-url <url>", "extra pip index (repeatable), passed as a build secret").argParser(collect))
    .addOption(new Option("--cran-mirror <url>", "CRAN mirror for R packages, passed as a build secret").env("R2D_CRAN_MIRROR"))
    .addOption(new Option("--engine <kind>", "BuildKit client: buildx, docker (a Docker < 23 client with DOCKER_BUILDKIT=1) or buildctl (BUILDKIT_HOST)").choices(["buildx", "docker", "buildctl"]))
    .addOption(new Option("--docker <path>", "docker client to use").env("R2D_DOCKER"))
    .addOption(new Option("--buildctl <path>", "buildctl client to use"))
    .addOption(new Option("--platform <platform>", "target platform, e.g. linux/amd64 (what graders run)"))
    .addOption(new Option("--build-network <mode>", "network of RUN steps: default, host (reach an index on this machine) or none"))
    .addOption(new Option("--cache-from <ref>", "import build cache (repeatable)").argParser(collect))
    .addOption(new Option("--cache-to <spec>", "export build cache, e.g. type=registry,ref=... (repeatable; buildx and buildctl)").argParser(collect))
    .addOption(new Option("--no-cache", "build without the layer cache"))
    .addOption(new Option("--pull", "always pull the base image"))
    .addOption(new Option("-e, --env <name=value>", "environment variable for the run; a bare NAME copies yours (repeatable)").argParser(collect))
    .addOption(new Option("-v, --volume <src:dest>", "bind mount for the run (repeatable)").argParser(collect))
    .addOption(new Option("-p, --publish <port>", "publish a container port for the run (repeatable)").argParser(collect))
    .addOption(new Option("-P, --publish-all", "publish every port the image exposes, on random host ports"))
    .addOption(new Option("-E, --editable", "mount the local repository over the copy in the image (read-write), so edits show up without a rebuild"))
    .addOption(new Option("--mount-data", "mount the excluded data directories read-only in the running container where the code expects them"))
    .addOption(new Option("--grader <profile>", "run the built image as this grader will and report per check; exit 1 when one fails (docs/graders.md)").choices([...GRADER_PROFILES]))
    .addOption(new Option("--grader-input <dir>", "input folder for --grader (default: the repository's sample_data/, test_data/, tests/input/, ...)"))
    .addOption(new Option("--grader-expected <dir>", "expected outputs for --grader (default: the folder paired with the input, e.g. sample_output/)"))
    .addOption(new Option("--memory <size>", "memory limit of the run, e.g. 512m (--grader modzy: model.yaml's by default)").argParser(size))
    .addOption(new Option("--cpus <n>", "CPU limit of the run, e.g. 1 or 0.5 (--grader modzy: model.yaml's by default)").argParser(cpuCount))
    .addOption(new Option("--shm-size <size>", "size of /dev/shm for the run, e.g. 64m").argParser(size))
    .addOption(new Option("--gpus <gpus>", "GPUs for the run (docker --gpus: all, 1, device=0); none unless given"))
    .addOption(new Option("--timeout <duration>", "wall-clock limit of the graded run (needs --grader), e.g. 30m; it is killed after").argParser(duration))
    .addOption(new Option("--progress <mode>", "build progress display").choices(["auto", "tty", "plain"]).default("auto"));
}

/** argv (without node and script) → what to do. Throws ConfigError (exit 2) on bad flags. */
export function parseCli(argv: string[]): CliOptions {
  const cmd = program()
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  try {
    cmd.parse(argv, { from: "user" });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version") throw err;
    throw new ConfigError(String(e.message ?? err).replace(/^error: /, ""), { location: { file: "command line" }, hint: "see r2d --help" });
  }
  const o = cmd.opts();
  const [repo, command] = cmd.processedArgs as [string, string[]];
  for (const [flag, value] of [["--grader-input", o.graderInput], ["--grader-expected", o.graderExpected], ["--timeout", o.timeout]] as const) {
    if (value !== undefined && !o.grader) throw new ConfigError(`${flag} only applies with --grader`, { location: { file: flag }, hint: `add --grader ${GRADER_PROFILES.join("|")}` });
  }
  const limits = { memory: o.memory as string | undefined, cpus: o.cpus as string | undefined, shmSize: o.shmSize as string | undefined, gpus: o.gpus as string | undefined };
  return {
    repo,
    json: Boolean(o.json || o.jsonLogs),
    debug: Boolean(o.debug),
    progress: o.progress,
    options: {
      imageName: o.imageName,
      ref: o.ref,
      subdir: o.subdir,
      build: o.build,
      run: o.run,
      push: Boolean(o.push),
      userId: o.userId,
      userName: o.userName,
      targetRepoDir: o.targetRepoDir,
      appendix: o.appendix,
      baseImage: o.baseImage,
      labels: pairs(o.label, "--label"),
      buildArgs: pairs(o.buildArg, "--build-arg"),
      excludes: o.exclude ?? [],
      includes: o.include ?? [],
      pipIndexUrl: o.pipIndexUrl,
      pipExtraIndexUrls: o.pipExtraIndexUrl ?? [],
      cranMirror: o.cranMirror,
      engine: o.engine,
      docker: o.docker,
      buildctl: o.buildctl,
      platform: o.platform,
      buildNetwork: o.buildNetwork,
      cacheFrom: o.cacheFrom ?? [],
      cacheTo: o.cacheTo ?? [],
      noCache: o.cache === false,
      pull: Boolean(o.pull),
      command: command.length ? command : undefined,
      env: o.env ?? [],
      volumes: o.volume ?? [],
      publish: o.publish ?? [],
      mountData: Boolean(o.mountData),
      publishAll: Boolean(o.publishAll),
      editable: Boolean(o.editable),
      runOptions: limits,
      grader: o.grader
        ? { profile: o.grader as GraderProfileName, inputDir: o.graderInput, expectedDir: o.graderExpected, timeoutMs: o.timeout as number | undefined, ...limits }
        : undefined,
    },
  };
}
