// One row per option, in --help order, so the file is long on purpose: splitting it would scatter the table.
/**
 * Every option of r2d, once: the CLI's flags (src/options/commander.ts makes the commander
 * program), the GitHub Action's inputs (src/options/action-inputs.ts reads them; a test checks
 * action.yml against this table) and docs/cli.md (src/cli/reference.ts, grouped by stage).
 * Help texts are the CLI's; an input's description is action.yml's.
 */
import { ENGINE_CHOICES_HELP, ENGINE_KINDS } from "../engine/adapters/index.js";
import { GRADER_PROFILES } from "../grader/profiles.js";
import { argument, choice, command, cpuCount, duration, flag, integer, list, negatable, pairs, size, text, words } from "./kinds.js";
import { option, type OptionRow, type Rule } from "./types.js";

const NEEDS_GRADER: Rule = { needs: ["grader"] };
const NEEDS_GRADER_INPUT: Rule = { needs: ["grader"], for: "action" };

export const OPTION_TABLE: readonly OptionRow[] = [
  option("repo", {
    stage: "source",
    type: argument,
    cli: { flag: "<repo>" },
    help: "local directory or git URL of the repository",
    input: { name: "repo", default: "${{ github.workspace }}", description: "Repository to build, a directory (relative to the workspace) or a git URL." },
  }),
  option("command", {
    stage: "run",
    type: words,
    cli: { flag: "[command...]" },
    help: "command to run in the image instead of its default (run.sh, else bash); put it after --",
  }),
  option("imageName", {
    stage: "push",
    type: text,
    cli: { flag: "--image-name", arg: "<name>" },
    help: "tag of the image (default r2d-<repo>:<commit or latest>)",
    input: { name: "image-name", description: "Reference of the image, e.g. ghcr.io/owner/model:v1 (default r2d-<repo>:<commit>)." },
  }),
  option("ref", {
    stage: "source",
    type: text,
    cli: { flag: "--ref", arg: "<ref>" },
    help: "branch, tag or commit to build: a git URL is cloned at it; a local repository's is checked out in a temporary clone (your working tree is left as it is)",
    input: { name: "ref", description: "Branch, tag or commit to build (a git URL is cloned at it; a local repository's is checked out in a temporary clone)." },
  }),
  option("subdir", {
    stage: "source",
    type: text,
    cli: { flag: "--subdir", arg: "<dir>" },
    help: "build from this subdirectory of the repository",
    input: { name: "subdir", description: "Build from this subdirectory of the repository." },
  }),
  option("build", {
    stage: "build",
    type: negatable,
    cli: { flag: "--no-build" },
    help: "plan only: detect, print the summary (with --debug the Dockerfile, with --json the plan) and stop",
  }),
  option("run", { stage: "run", type: negatable, cli: { flag: "--no-run" }, help: "build (and push) without running the image" }),
  option("push", {
    stage: "push",
    type: flag,
    cli: { flag: "--push" },
    help: "push the image to its registry after building (needs --no-run)",
    input: { name: "push", description: "Push every reference to its registry (log in first with docker/login-action)." },
    rules: [
      {
        needs: ["run", "build"],
        message: "--push needs --no-run (the engine cannot load and push one build)",
        hint: "add --no-run, then run the pushed image where you need it",
      },
      // The action runs its check first and pushes after, so it needs no --no-run; it needs a name.
      {
        for: "action",
        needs: ["imageName", "tags"],
        message: "push needs an image name to push to",
        hint: "set image-name (or tags) to a registry reference, e.g. ghcr.io/owner/model:latest",
      },
    ],
  }),
  option("json", {
    stage: "output",
    type: flag,
    cli: { flag: "--json", aliases: [{ flag: "--json-logs", help: "repo2docker's name for --json" }] },
    help: "machine-readable output on stdout: the plan with --no-build, else one JSON event per line",
  }),
  option("debug", { stage: "output", type: flag, cli: { flag: "--debug" }, help: "print the generated Dockerfile and every engine command" }),
  option("userId", {
    stage: "plan",
    type: integer,
    cli: { flag: "--user-id", arg: "<uid>" },
    help: "uid of the image user (default: yours; 1000 when r2d runs as root)",
    input: { name: "user-id", description: "uid of the image user (default 1000, as repo2docker; crowdai grader 1001)." },
  }),
  option("userName", {
    stage: "plan",
    type: text,
    cli: { flag: "--user-name", arg: "<name>" },
    help: "name of the image user (default: yours; jovyan when r2d runs as root)",
    input: { name: "user-name", description: "Name of the image user (default jovyan, as repo2docker; crowdai grader crowdai)." },
  }),
  // Issue 12 (stages, targets, config folder, gid): one block.
  option("groupId", {
    stage: "plan",
    type: integer,
    cli: { flag: "--group-id", arg: "<gid>" },
    help: "gid of the image user's primary group (default: yours; with --user-id, that number; 1000 when r2d runs as root)",
    input: { name: "group-id", description: "gid of the image user's primary group (default the runner's; 1000 when running as root)." },
  }),
  option("target", {
    stage: "plan",
    type: choice(["runtime", "dev"] as const),
    cli: { flag: "--target", arg: "<target>" },
    help: "runtime: the environment built with compilers, the image without them (default); dev: the runtime image plus apt-dev.txt, requirements-dev.txt and the environment's dev extras",
    input: { name: "target", default: "runtime", description: "runtime (default) or dev: the runtime image plus apt-dev.txt, requirements-dev.txt and the environment's dev extras." },
  }),
  option("configDir", {
    stage: "source",
    type: text,
    cli: { flag: "--config-dir", arg: "<dir>" },
    help: "read the config files from this folder of the repository instead of binder/ or .binder/ (same rules), e.g. dependencies",
    input: { name: "config-dir", description: "Folder of the repository holding the config files instead of binder/ (same rules)." },
  }),
  option("targetRepoDir", {
    stage: "plan",
    type: text,
    cli: { flag: "--target-repo-dir", arg: "<dir>" },
    help: "where the repository lands in the image (default: the user's home)",
    input: { name: "target-repo-dir", description: "Where the repository lands in the image (default the user's home)." },
  }),
  option("defaultCommand", {
    stage: "plan",
    type: command,
    cli: { flag: "--default-command", arg: "<command>" },
    help: 'the image\'s default command instead of run.sh (or bash), e.g. "python -u src/train.py" or a JSON array; run from the repository folder. Several images from one repository: one build per command',
    input: { name: "default-command", description: "The image's default command instead of run.sh (or bash), e.g. python -u src/train.py, or a JSON array." },
  }),
  option("appendix", {
    stage: "plan",
    type: text,
    cli: { flag: "--appendix", arg: "<text>" },
    help: "Dockerfile instructions appended to the generated Dockerfile",
    input: { name: "appendix", description: "Dockerfile instructions appended to the generated Dockerfile (several lines)." },
  }),
  option("baseImage", {
    stage: "plan",
    type: text,
    cli: { flag: "--base-image", arg: "<image>", env: "R2D_BASE_IMAGE" },
    help: "replace the buildpack's base image (it must be Debian or Ubuntu based)",
    input: { name: "base-image", description: "Replace the buildpack's base image (Debian or Ubuntu based)." },
  }),
  option("gpu", {
    stage: "plan",
    type: flag,
    cli: { flag: "--gpu" },
    help: "build on a CUDA base (nvidia/cuda with cuDNN; the requested Python or micromamba on it) and run with --gpus all (docs/gpu.md)",
    input: { name: "gpu", description: "Build on a CUDA base (docs/gpu.md); the run check gets --gpus all unless gpus says otherwise." },
  }),
  option("labels", {
    stage: "plan",
    type: pairs,
    cli: { flag: "--label", arg: "<name=value>" },
    help: "image label (repeatable)",
    input: { name: "labels", commas: false, description: "Image labels, NAME=VALUE, one per line." },
  }),
  option("buildArgs", {
    stage: "build",
    type: pairs,
    cli: { flag: "--build-arg", arg: "<name=value>" },
    help: "build argument (repeatable)",
    input: { name: "build-args", commas: false, description: "Build arguments, NAME=VALUE, one per line (recorded in the image; not for secrets)." },
  }),
  option("excludes", {
    stage: "plan",
    type: list,
    cli: { flag: "--exclude", arg: "<path>" },
    help: "leave this path out of the build context, besides data/ (repeatable; .dockerignore syntax)",
    input: { name: "exclude", description: "Paths left out of the build context besides data/ (list, .dockerignore syntax)." },
  }),
  option("includes", {
    stage: "plan",
    type: list,
    cli: { flag: "--include", arg: "<path>" },
    help: "keep this path in the context even though excluded, e.g. --include data (repeatable)",
    input: { name: "include", description: "Paths kept in the context although excluded, e.g. data (list)." },
  }),
  option("pipIndexUrl", {
    stage: "build",
    type: text,
    cli: { flag: "--pip-index-url", arg: "<url>", env: "R2D_PIP_INDEX_URL" },
    help: "pip index for the build, passed as a build secret (credentials never reach the image)",
    input: { name: "pip-index-url", description: "pip index for the build, passed as a build secret; its password is masked in logs." },
  }),
  option("pipExtraIndexUrls", {
    stage: "build",
    type: list,
    cli: { flag: "--pip-extra-index-url", arg: "<url>" },
    help: "extra pip index (repeatable), passed as a build secret",
    input: { name: "pip-extra-index-url", description: "Extra pip indexes (list), passed as a build secret." },
  }),
  option("cranMirror", {
    stage: "build",
    type: text,
    cli: { flag: "--cran-mirror", arg: "<url>", env: "R2D_CRAN_MIRROR" },
    help: "CRAN mirror for R packages, passed as a build secret",
    input: { name: "cran-mirror", description: "CRAN mirror for R packages, passed as a build secret." },
  }),
  option("engine", {
    stage: "build",
    type: choice(ENGINE_KINDS),
    cli: { flag: "--engine", arg: "<kind>" },
    help: `BuildKit client: ${ENGINE_CHOICES_HELP}`,
    input: { name: "engine", default: "auto", description: `BuildKit client, auto, ${ENGINE_KINDS.slice(0, -1).join(", ")} or ${ENGINE_KINDS.at(-1)}.` },
  }),
  option("builder", {
    stage: "build",
    type: text,
    cli: { flag: "--builder", arg: "<name>" },
    help: "buildx builder instance to build with (buildx engine only), e.g. the one docker/setup-buildx-action made",
    input: { name: "builder", description: "buildx builder instance, e.g. docker/setup-buildx-action's name output (buildx engine only)." },
  }),
  option("provenance", {
    stage: "build",
    type: text,
    cli: { flag: "--provenance", arg: "<value>" },
    help: "provenance attestation, as buildx takes it: true, false, mode=max (buildx 0.10+ or buildctl; other engines refuse all but false)",
    input: { name: "provenance", description: "Provenance attestation (true, false, mode=max...); buildx 0.10+ or buildctl, refused by the classic docker engine." },
  }),
  option("sbom", {
    stage: "build",
    type: text,
    cli: { flag: "--sbom", arg: "<value>" },
    help: "SBOM attestation, as buildx takes it: true, false, generator=... (buildx 0.10+ or buildctl; other engines refuse all but false)",
    input: { name: "sbom", description: "SBOM attestation (true, false, generator=...); buildx 0.10+ or buildctl, refused by the classic docker engine." },
  }),
  option("docker", { stage: "build", type: text, cli: { flag: "--docker", arg: "<path>", env: "R2D_DOCKER" }, help: "docker client to use" }),
  option("buildctl", { stage: "build", type: text, cli: { flag: "--buildctl", arg: "<path>" }, help: "buildctl client to use" }),
  option("platform", {
    stage: "build",
    type: text,
    cli: { flag: "--platform", arg: "<platform>" },
    help: "target platform, e.g. linux/amd64 (what graders run)",
  }),
  option("buildNetwork", {
    stage: "build",
    type: choice(["default", "host", "none"] as const),
    cli: { flag: "--build-network", arg: "<mode>", env: "R2D_BUILD_NETWORK" },
    help: "network of RUN steps: default, host (reach an index on this machine) or none",
    input: { name: "build-network", default: "default", description: "Network of RUN steps, default, host or none." },
  }),
  option("cacheFrom", {
    stage: "build",
    type: list,
    cli: { flag: "--cache-from", arg: "<ref>" },
    help: "import build cache (repeatable)",
    input: { name: "cache-from", commas: false, description: "Build cache sources, one per line (an image reference or type=...,key=value)." },
  }),
  option("cacheTo", {
    stage: "build",
    type: list,
    cli: { flag: "--cache-to", arg: "<spec>" },
    help: "export build cache, e.g. type=registry,ref=... (repeatable; buildx and buildctl)",
    input: { name: "cache-to", commas: false, description: "Build cache exports, one per line (type=...,key=value; buildx and buildctl engines)." },
  }),
  option("noCache", {
    stage: "build",
    type: flag,
    cli: { flag: "--no-cache" },
    help: "build without the layer cache",
    input: { name: "no-cache", description: "Build without the layer cache." },
  }),
  option("pull", { stage: "build", type: flag, cli: { flag: "--pull" }, help: "always pull the base image", input: { name: "pull", description: "Always pull the base image." } }),
  option("env", {
    stage: "run",
    type: list,
    cli: { flag: "--env", short: "-e", arg: "<name=value>" },
    help: "environment variable for the run; a bare NAME copies yours (repeatable)",
  }),
  option("volumes", { stage: "run", type: list, cli: { flag: "--volume", short: "-v", arg: "<src:dest>" }, help: "bind mount for the run (repeatable)" }),
  option("publish", { stage: "run", type: list, cli: { flag: "--publish", short: "-p", arg: "<port>" }, help: "publish a container port for the run (repeatable)" }),
  option("publishAll", {
    stage: "run",
    type: flag,
    cli: { flag: "--publish-all", short: "-P" },
    help: "publish every port the image exposes, on random host ports",
  }),
  option("editable", {
    stage: "run",
    type: flag,
    cli: { flag: "--editable", short: "-E" },
    help: "mount the local repository over the copy in the image (read-write), so edits show up without a rebuild",
    rules: [{ excludes: ["ref"], message: "--editable mounts your working tree, which --ref does not build", hint: "drop --ref to run your working tree, or drop --editable" }],
  }),
  option("mountData", {
    stage: "run",
    type: flag,
    cli: { flag: "--mount-data" },
    help: "mount the excluded data directories read-only in the running container where the code expects them",
  }),
  option("grader", {
    stage: "grade",
    type: choice(GRADER_PROFILES),
    cli: { flag: "--grader", arg: "<profile>" },
    help: "run the built image as this grader will and report per check; exit 1 when one fails (docs/graders.md)",
    input: { name: "grader", description: "Grade the built image as synapse, crowdai or modzy will; the step fails when a check fails, and nothing is pushed." },
    rules: [
      { excludes: ["run", "build"], message: "--grader runs the built image: it cannot go with --no-run or --no-build", hint: "drop --no-run (and --push), or drop --grader" },
      { for: "action", excludes: ["runCheck"], message: "grader and run-check both run the built image: choose one", hint: "use a second step (or job) for the other" },
    ],
  }),
  option("graderInput", {
    stage: "grade",
    type: text,
    cli: { flag: "--grader-input", arg: "<dir>" },
    help: "input folder for --grader (default: the repository's sample_data/, test_data/, tests/input/, ...)",
    input: { name: "grader-input", description: "Input folder for the grader, relative to the workspace (default the repository's sample_data/, test_data/...)." },
    rules: [NEEDS_GRADER, NEEDS_GRADER_INPUT],
  }),
  option("graderExpected", {
    stage: "grade",
    type: text,
    cli: { flag: "--grader-expected", arg: "<dir>" },
    help: "expected outputs for --grader (default: the folder paired with the input, e.g. sample_output/)",
    input: { name: "grader-expected", description: "Expected outputs for the grader, relative to the workspace (default the folder paired with the input)." },
    rules: [NEEDS_GRADER, NEEDS_GRADER_INPUT],
  }),
  option("memory", {
    stage: "run",
    type: size,
    cli: { flag: "--memory", arg: "<size>" },
    help: "memory limit of the run, e.g. 512m (--grader modzy: model.yaml's by default)",
    input: { name: "memory", description: "Memory limit of the graded run or run check, e.g. 512m (modzy grader: model.yaml's by default)." },
  }),
  option("cpus", {
    stage: "run",
    type: cpuCount,
    cli: { flag: "--cpus", arg: "<n>" },
    help: "CPU limit of the run, e.g. 1 or 0.5 (--grader modzy: model.yaml's by default)",
    input: { name: "cpus", description: "CPU limit of the graded run or run check, e.g. 1 or 0.5 (modzy grader: model.yaml's by default)." },
  }),
  option("shmSize", { stage: "run", type: size, cli: { flag: "--shm-size", arg: "<size>" }, help: "size of /dev/shm for the run, e.g. 64m" }),
  option("gpus", {
    stage: "run",
    type: text,
    cli: { flag: "--gpus", arg: "<gpus>" },
    help: "GPUs for the run and the grader (docker --gpus: all, 1, device=0); default: all with --gpu, else none; none runs a --gpu image without GPUs",
    input: { name: "gpus", description: "GPUs for the run check as docker --gpus takes them (all, 1, device=0), or none; default all with gpu, else none." },
  }),
  option("timeout", {
    stage: "grade",
    type: duration,
    cli: { flag: "--timeout", arg: "<duration>" },
    help: "wall-clock limit of the graded run (needs --grader), e.g. 30m; it is killed after",
    input: { name: "timeout", description: "Wall-clock limit of the graded run, e.g. 30m; it is killed after." },
    rules: [NEEDS_GRADER, NEEDS_GRADER_INPUT],
  }),
  option("progress", {
    stage: "output",
    type: choice(["auto", "tty", "plain", "json"] as const),
    cli: { flag: "--progress", arg: "<mode>", default: "auto" },
    help: "build progress: tty (a live display redrawn in place), plain (a line per step start, output line and end, as BuildKit's plain), json (the --json event stream, on stderr); auto is tty on a terminal, else plain",
  }),
  // Action only: build-push-action's names, and the check that replaces the CLI's run.
  option("tags", { stage: "push", type: list, help: "More references for the same image (list).", input: { name: "tags" } }),
  option("platforms", { stage: "build", type: list, help: "Target platform, e.g. linux/amd64 (one; use a matrix for several).", input: { name: "platforms" } }),
  option("runCheck", {
    stage: "run",
    type: text,
    help: "Shell command run in the built image (sh -c); the step fails when it fails, and nothing is pushed.",
    input: { name: "run-check" },
  }),
  option("load", {
    stage: "push",
    type: flag,
    help: "Also keep the image in the runner's image store when pushing (without push it always is).",
    input: { name: "load" },
  }),
  option("buildSecrets", {
    stage: "build",
    type: pairs,
    help: "Build secrets, ID=VALUE, one per line: r2d-pip-conf (a pip.conf) and r2d-cran (a CRAN URL) reach r2d's install steps; others a repository's own Dockerfile (RUN --mount=type=secret,id=ID).",
    input: { name: "secrets", commas: false },
  }),
  option("secretFiles", {
    stage: "build",
    type: pairs,
    help: "Build secrets from files, ID=PATH (relative to the workspace), one per line; same ids as secrets.",
    input: { name: "secret-files", commas: false },
  }),
  option("extraArgs", {
    stage: "build",
    type: text,
    help: "Other r2d flags, e.g. --target dev --appendix 'RUN ...' (split like shell words, never run by a shell; checked as the CLI checks them).",
    input: { name: "extra-args" },
  }),
];

/** The row of a value, for messages and rules. */
export function rowOf(key: OptionRow["key"]): OptionRow {
  const row = OPTION_TABLE.find((r) => r.key === key);
  if (!row) throw new Error(`internal: no option row for ${key}`);
  return row;
}
