import { readFileSync } from "node:fs";
import ejs from "ejs";
import { buildpackKind } from "../buildpacks/index.js";
import { aptCaches } from "../buildpacks/shared.js";
import { ConfigError, UnsupportedError } from "../errors.js";
import { ENTRYPOINT, ENTRYPOINT_SCRIPT, GENERATED_DIR, GENERATED_DOCKERFILE, HELPER_DIR, REPO_PREFIX } from "../plan/layout.js";
import type { BuildPlan, CacheMount, PlanDev, PlanStages, Step } from "../plan/types.js";
import { shellCommand, shellQuote } from "../shell.js";
import { compilerCheckStep } from "./compilers.js";
import { bare, commentText, envValue, hasControl, jsonForm } from "./syntax.js";

/** Templates and helper scripts ship in the package's buildpacks/ folder. */
export const BUILDPACKS_DIR = new URL("../../buildpacks/", import.meta.url);

const templates = new Map<string, ejs.TemplateFunction>();
function template(name: string): ejs.TemplateFunction {
  let fn = templates.get(name);
  if (!fn) {
    const file = new URL(name, BUILDPACKS_DIR);
    // `<%= %>` is for text in comments: a newline there would start an instruction, so none gets through.
    // Values in instructions go through the helpers in ./syntax.ts and src/shell.ts, with `<%- %>`.
    fn = ejs.compile(readFileSync(file, "utf8"), { filename: file.pathname, escape: commentText });
    templates.set(name, fn);
  }
  return fn;
}

function mount(c: CacheMount, owner?: { uid: number; gid: number }): string {
  // A user's cache belongs to the image user's uid and primary group.
  const ids = c.uid !== undefined ? { uid: c.uid, gid: owner?.gid ?? c.uid } : owner;
  return `--mount=type=cache,id=${c.id},target=${c.target}${ids ? `,uid=${ids.uid},gid=${ids.gid}` : ""}${c.sharing ? `,sharing=${c.sharing}` : ""}`;
}

/** One RUN instruction: mounts on their own lines, commands joined with `&&`. */
export function renderRun(step: Step, plan: BuildPlan): string {
  const owner = step.user === "user" ? plan.user : undefined;
  // A root step running a command as the user gives it the user's caches and secrets (root's stay root's).
  const userIds = owner ?? (step.mountsForUser ? plan.user : undefined);
  const uid = userIds?.uid;
  const mounts = [
    ...(step.caches ?? []).map((c) => mount(c, c.uid !== undefined ? userIds : owner)),
    ...(step.secrets ?? []).map((id) => `--mount=type=secret,id=${id}${uid !== undefined ? `,uid=${uid}` : ""}`),
  ];
  const lines = [...mounts, ...step.commands.map((c, i) => (i === 0 ? c : `&& ${c}`))];
  // Quoting keeps a value one shell word, but a newline would still end the instruction: the
  // parsers and plan checks refuse such values first; this is the last line of defence.
  if (lines.some(hasControl)) {
    throw new ConfigError(`the step "${commentText(step.title).slice(0, 100)}" would carry a newline or control character into the Dockerfile`, {
      location: { file: "Dockerfile" },
      hint: "remove line breaks and control characters from file names and config values",
    });
  }
  return `RUN ${lines.join(" \\\n    ")}`;
}

/**
 * --target-repo-dir may name a directory the base image already has: take it only when it is new, empty
 * or already the user's, and never through a symbolic link (chown follows links).
 */
function repoDirGuard(plan: BuildPlan): string {
  const refuse = (why: string) => `{ echo ${shellQuote(`r2d: --target-repo-dir ${plan.repoDir} ${why}; choose a new directory such as /srv/repo`)} >&2; exit 1; }`;
  return [
    `d=${shellQuote(plan.repoDir)}`,
    `if [ -L "$d" ] || [ "$(realpath -m "$d")" != "$d" ]; then ${refuse("is or passes through a symbolic link in the base image")}; fi`,
    `if [ -e "$d" ] && { [ ! -d "$d" ] || { [ "$(stat -c %u "$d")" != ${plan.user.uid} ] && [ -n "$(ls -A "$d")" ]; }; }; then ${refuse(`already exists in the base image, is not empty and is not owned by the image user (uid ${plan.user.uid}), so r2d will not take it over`)}; fi`,
  ].join("; ");
}

function userStep(plan: BuildPlan): Step {
  const { uid, gid } = plan.user;
  const name = shellQuote(plan.user.name);
  const home = shellQuote(plan.home);
  const dirs = [...new Set([plan.home, plan.repoDir, "/srv"])];
  return {
    title: `the image user ${plan.user.name} (uid ${uid}${gid === uid ? "" : `, gid ${gid}`}), owning its home, the repository and /srv`,
    user: "root",
    commands: [
      // Base images may already use the uid (ubuntu:24.04 ships `ubuntu` as 1000): take it over.
      `{ old="$(getent passwd ${uid} | cut -d: -f1)"; if [ -n "$old" ] && [ "$old" != ${name} ]; then userdel "$old"; fi; }`,
      `{ old="$(getent group ${gid} | cut -d: -f1)"; if [ -n "$old" ] && [ "$old" != ${name} ]; then groupdel "$old" 2>/dev/null || groupmod -n ${name} "$old"; fi; }`,
      `if getent group ${name} >/dev/null; then groupmod --gid ${gid} ${name}; else groupadd --gid ${gid} ${name}; fi`,
      `if id -u ${name} >/dev/null 2>&1; then usermod --uid ${uid} --gid ${gid} --home ${home} --shell /bin/bash ${name}; else useradd --no-log-init --uid ${uid} --gid ${gid} --home-dir ${home} --shell /bin/bash ${name}; fi`,
      ...(plan.repoDir === plan.home ? [] : [`{ ${repoDirGuard(plan)}; }`]),
      shellCommand(["mkdir", "-p", "--", ...dirs]),
      shellCommand(["chown", `${uid}:${gid}`, "--", ...dirs]),
    ],
  };
}

/**
 * Root's steps (apt.txt, what the base image lacks, the user) as one RUN: each RUN costs a container
 * start and a layer commit, and these change together rarely enough that one layer is the better trade.
 */
function mergeSteps(steps: Step[]): { titles: string[]; step: Step } {
  const caches = new Map(steps.flatMap((s) => s.caches ?? []).map((c) => [c.id, c]));
  return {
    titles: steps.map((s) => s.title),
    step: {
      title: steps.map((s) => s.title).join("; "),
      user: "root",
      commands: steps.flatMap((s) => s.commands),
      caches: [...caches.values()],
      secrets: [...new Set(steps.flatMap((s) => s.secrets ?? []))],
    },
  };
}

function scriptStep(plan: BuildPlan): Step | null {
  // Scripts already executable in the repository keep their mode through COPY: no RUN step (and no
  // container start on every code change) for them.
  const todo = plan.scripts.filter((s) => s.crlf || !s.executable);
  if (todo.length === 0) return null;
  const crlf = todo.filter((s) => s.crlf).map((s) => s.path);
  return {
    title: `Scripts made executable${crlf.length ? " (Windows line endings converted)" : ""}: ${todo.map((s) => s.path).join(", ")}`,
    user: "user",
    commands: [...(crlf.length ? [`sed -i 's/\\r$//' -- ${shellCommand(crlf)}`] : []), shellCommand(["chmod", "+x", "--", ...todo.map((s) => s.path)])],
  };
}

function envLines(plan: BuildPlan): string {
  const entries = Object.entries(plan.env)
    .filter(([k]) => k !== "R2D_ENTRYPOINT")
    .map(([k, v]) => `${k}=${envValue(v, k)}`);
  // `$PATH` is the one reference Docker should expand: the image's own PATH after r2d's directories.
  entries.push(`PATH=${envValue(plan.path.join(":"), "PATH")}:$PATH`);
  return entries.join(" \\\n    ");
}

function configFileName(plan: BuildPlan, name: string): string {
  return plan.configDir ? `${plan.configDir}/${name}` : name;
}

function aptStep(plan: BuildPlan, packages: readonly string[], file = "apt.txt"): Step {
  return {
    title: `system packages from ${configFileName(plan, file)}`,
    user: "root",
    caches: aptCaches(),
    commands: [
      // Official Debian images delete downloaded .debs after each install; keep them in the cache mount instead.
      "rm -f /etc/apt/apt.conf.d/docker-clean",
      "apt-get update -q",
      // After `--`, a word is a package whatever it looks like (apt.txt is validated as well).
      shellCommand(["apt-get", "install", "-y", "-q", "--no-install-recommends", "--", ...packages]),
    ],
  };
}

/**
 * The builder's root step: a C compiler where the base image has none (unless pip decides later, or
 * no package needs one), apt-build.txt, and the environment folders made (empty) and given to the
 * user, so each COPY --from has its source. None when there is nothing to install and the folders
 * are in /srv, which the user step already gave the user: one container start fewer.
 */
function builderStep(plan: BuildPlan, stages: PlanStages): Step | null {
  const { uid, gid } = plan.user;
  const file = configFileName(plan, "apt-build.txt");
  const compilers = stages.compilers.when === "always";
  if (!compilers && !stages.buildPackages.length && stages.copies.every((dir) => /^\/srv\/[^/]+$/.test(dir))) return null;
  const install = `apt-get update -q && apt-get install -y -q --no-install-recommends -- "\${pkgs[@]}"`;
  const what = [...(compilers ? ["build-essential (where the base image has no C compiler)"] : []), ...(stages.buildPackages.length ? [file] : [])];
  return {
    title: `${what.length ? `${what.join(" and ")}; ` : ""}${stages.copies.join(", ")} for ${plan.user.name}`,
    user: "root",
    caches: aptCaches(),
    commands: [
      "rm -f /etc/apt/apt.conf.d/docker-clean",
      `{ pkgs=(${shellCommand(stages.buildPackages)}); ${compilers ? "command -v cc >/dev/null || pkgs+=(build-essential); " : ""}if [ \${#pkgs[@]} -gt 0 ]; then ${install}; fi; }`,
      shellCommand(["mkdir", "-p", "--", ...stages.copies]),
      shellCommand(["chown", `${uid}:${gid}`, "--", ...stages.copies]),
    ],
  };
}

/** The builder's and the runtime stage's own instructions (null: one stage). */
function stagesView(plan: BuildPlan, run: (step: Step) => { title: string; run: string }) {
  const stages = plan.stages;
  if (!stages) return null;
  const builder = builderStep(plan, stages);
  const check = compilerCheckStep(plan, stages.compilers);
  return {
    builder: builder ? run(builder) : null,
    compilerCheck: check ? run(check) : null,
    runtime: stages.runtimePackages.length ? run(aptStep(plan, stages.runtimePackages, "apt-runtime.txt")) : null,
    copies: stages.copies.map((dir) => `COPY --from=builder --chown=${plan.user.uid}:${plan.user.gid} ${jsonForm([dir, dir], "an environment folder", { substitutes: true })}`),
  };
}

/** The dev image's root steps (apt-dev.txt; compilers if requirements-dev.txt needs them) and its installs. */
function devView(plan: BuildPlan, dev: PlanDev, run: (step: Step) => { title: string; run: string }, copy: (from: string, to: string, what: string) => string) {
  const check = dev.compilers ? compilerCheckStep(plan, dev.compilers) : null;
  return {
    root: dev.aptPackages.length ? run(aptStep(plan, dev.aptPackages, "apt-dev.txt")) : null,
    copies: (dev.files ?? []).map((f) => copy(`${GENERATED_DIR}/${f.name}`, `${HELPER_DIR}/${f.name}`, f.name)),
    compilerCheck: check ? run(check) : null,
    steps: dev.steps.map(run),
  };
}

/**
 * Every instruction's text, made safe for its place (or refused with a ConfigError) before the
 * template runs: the template only lays the pieces out.
 */
function view(plan: BuildPlan) {
  const run = (step: Step) => ({ title: step.title, run: renderRun(step, plan) });
  const copy = (from: string, to: string, what: string) => `COPY --chown=${plan.user.uid}:${plan.user.gid} ${jsonForm([from, to], what, { substitutes: true })}`;
  // Checks of the base image come first, so a missing tool is reported as that, not as an apt failure.
  const checks = plan.systemSteps.filter((s) => s.check);
  const root = mergeSteps([...checks, ...(plan.aptPackages.length ? [aptStep(plan, plan.aptPackages)] : []), ...plan.systemSteps.filter((s) => !s.check), userStep(plan)]);
  const scripts = scriptStep(plan);
  return {
    plan,
    from: bare(plan.baseImage, "--base-image"),
    // --gpu: programs from other pinned images (micromamba), before any step that needs them.
    baseCopies: (plan.gpu?.copies ?? []).map((c) => `COPY --from=${bare(c.image, "--gpu")} ${jsonForm([c.source, c.target], "--gpu", { substitutes: true })}`),
    root: { titles: root.titles, run: renderRun(root.step, plan) },
    env: envLines(plan),
    user: bare(plan.user.name, "--user-name"),
    workdir: bare(plan.repoDir, "--target-repo-dir"),
    environmentSteps: plan.environmentSteps.map(run),
    dependencyCopies: [
      ...plan.dependencyFiles.map((file) => copy(`${REPO_PREFIX}${file}`, `${plan.repoDir}/${file}`, file)),
      ...(plan.pinnedFiles ?? []).map((f) => copy(`${GENERATED_DIR}/${f.name}`, `${HELPER_DIR}/${f.name}`, f.name)),
    ],
    preAssembleSteps: plan.preAssembleSteps.map(run),
    copyRepository: copy(REPO_PREFIX, `${plan.repoDir}/`, "--target-repo-dir"),
    assembleSteps: plan.assembleSteps.map(run),
    scripts: scripts ? run(scripts) : null,
    postBuild: plan.postBuild ? renderRun({ title: plan.postBuild, user: "user", commands: [shellQuote(`./${plan.postBuild}`)] }, plan) : null,
    startEnv: plan.start ? envValue(plan.env.R2D_ENTRYPOINT ?? "", "R2D_ENTRYPOINT") : null,
    entrypointCopy: `COPY ${GENERATED_DIR}/${ENTRYPOINT_SCRIPT} ${ENTRYPOINT}`,
    helperCopies: plan.helperFiles.map((file) => `COPY ${GENERATED_DIR}/${file} ${HELPER_DIR}/${file}`),
    stages: stagesView(plan, run),
    dev: plan.dev ? devView(plan, plan.dev, run, copy) : null,
    entrypoint: jsonForm(plan.entrypoint, "ENTRYPOINT"),
    command: jsonForm(plan.command, "CMD"),
  };
}

/** plan → Dockerfile text. A repository that brings its own Dockerfile gets it back unchanged. */
export function renderDockerfile(plan: BuildPlan): string {
  const kind = buildpackKind(plan.buildpack);
  if (kind === "own-dockerfile") return plan.dockerfileText ?? "";
  if (kind === "refused") throw new UnsupportedError(`r2d does not render ${plan.buildpack} Dockerfiles`);
  return template("base.ejs")(view(plan));
}

export interface GeneratedFile {
  path: string;
  content: string | Buffer;
  mode: number;
}

const scripts = new Map<string, Buffer>();
/** A helper script shipped in buildpacks/scripts/ (read once). */
function shippedScript(name: string): Buffer {
  let content = scripts.get(name);
  if (!content) {
    content = readFileSync(new URL(`scripts/${name}`, BUILDPACKS_DIR));
    scripts.set(name, content);
  }
  return content;
}

/** Files r2d adds to the build context beside the repository: the Dockerfile, the entrypoint and helpers. */
export function generatedFiles(plan: BuildPlan, dockerfile: string): GeneratedFile[] {
  if (buildpackKind(plan.buildpack) !== "generated") return [];
  return [
    { path: GENERATED_DOCKERFILE, content: dockerfile, mode: 0o644 },
    { path: `${GENERATED_DIR}/${ENTRYPOINT_SCRIPT}`, content: shippedScript(ENTRYPOINT_SCRIPT), mode: 0o755 },
    ...plan.helperFiles.map((f) => ({ path: `${GENERATED_DIR}/${f}`, content: shippedScript(f), mode: 0o644 })),
    ...[...(plan.pinnedFiles ?? []), ...(plan.dev?.files ?? [])].map((f) => ({ path: `${GENERATED_DIR}/${f.name}`, content: f.content, mode: 0o644 })),
  ];
}
