import { readFileSync } from "node:fs";
import ejs from "ejs";
import { aptCaches } from "../buildpacks/shared.js";
import { UnsupportedError } from "../errors.js";
import type { BuildPlan, CacheMount, Step } from "../plan/types.js";

/** Templates and helper scripts ship in the package's buildpacks/ folder. */
export const BUILDPACKS_DIR = new URL("../../buildpacks/", import.meta.url);

const templates = new Map<string, ejs.TemplateFunction>();
function template(name: string): ejs.TemplateFunction {
  let fn = templates.get(name);
  if (!fn) {
    const file = new URL(name, BUILDPACKS_DIR);
    fn = ejs.compile(readFileSync(file, "utf8"), { filename: file.pathname, escape: (s: unknown) => String(s) });
    templates.set(name, fn);
  }
  return fn;
}

function mount(c: CacheMount, uid?: number): string {
  const owner = c.uid ?? uid;
  return `--mount=type=cache,id=${c.id},target=${c.target}${owner !== undefined ? `,uid=${owner},gid=${owner}` : ""}${c.sharing ? `,sharing=${c.sharing}` : ""}`;
}

/** One RUN instruction: mounts on their own lines, commands joined with `&&`. */
export function renderRun(step: Step, plan: BuildPlan): string {
  const uid = step.user === "user" ? plan.user.uid : undefined;
  const mounts = [
    ...(step.caches ?? []).map((c) => mount(c, uid)),
    ...(step.secrets ?? []).map((id) => `--mount=type=secret,id=${id}${uid !== undefined ? `,uid=${uid}` : ""}`),
  ];
  const lines = [...mounts, ...step.commands.map((c, i) => (i === 0 ? c : `&& ${c}`))];
  return `RUN ${lines.join(" \\\n    ")}`;
}

function userStep(plan: BuildPlan): Step {
  const { name, uid } = plan.user;
  const dirs = [...new Set([plan.home, plan.repoDir, "/srv"])].join(" ");
  return {
    title: `the image user ${plan.user.name} (uid ${plan.user.uid}), owning its home, the repository and /srv`,
    user: "root",
    commands: [
      // Base images may already use the uid (ubuntu:24.04 ships `ubuntu` as 1000): take it over.
      `{ old="$(getent passwd ${uid} | cut -d: -f1)"; if [ -n "$old" ] && [ "$old" != ${name} ]; then userdel "$old"; fi; }`,
      `{ old="$(getent group ${uid} | cut -d: -f1)"; if [ -n "$old" ] && [ "$old" != ${name} ]; then groupdel "$old" 2>/dev/null || groupmod -n ${name} "$old"; fi; }`,
      `(getent group ${name} >/dev/null || groupadd --gid ${uid} ${name})`,
      `if id -u ${name} >/dev/null 2>&1; then usermod --uid ${uid} --gid ${uid} --home ${plan.home} --shell /bin/bash ${name}; else useradd --no-log-init --uid ${uid} --gid ${uid} --home-dir ${plan.home} --shell /bin/bash ${name}; fi`,
      `mkdir -p ${dirs}`,
      `chown ${uid}:${uid} ${dirs}`,
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
    commands: [...(crlf.length ? [`sed -i 's/\\r$//' ${crlf.join(" ")}`] : []), `chmod +x ${todo.map((s) => s.path).join(" ")}`],
  };
}

function envLines(plan: BuildPlan): string {
  const entries = Object.entries(plan.env).filter(([k]) => k !== "R2D_ENTRYPOINT");
  entries.push(["PATH", `${plan.path.join(":")}:$PATH`]);
  return entries.map(([k, v]) => `${k}=${/[\s"]/.test(v) ? JSON.stringify(v) : v}`).join(" \\\n    ");
}

/** plan → Dockerfile text. The Dockerfile buildpack returns the repository's own file unchanged. */
export function renderDockerfile(plan: BuildPlan): string {
  if (plan.buildpack === "dockerfile") return plan.dockerfileText ?? "";
  if (plan.buildpack === "julia" || plan.buildpack === "nix") {
    throw new UnsupportedError(`r2d does not render ${plan.buildpack} Dockerfiles yet`);
  }
  const aptStep: Step = {
    title: `system packages from ${plan.configDir ? `${plan.configDir}/apt.txt` : "apt.txt"}`,
    user: "root",
    caches: aptCaches(),
    commands: [
      // Official Debian images delete downloaded .debs after each install; keep them in the cache mount instead.
      "rm -f /etc/apt/apt.conf.d/docker-clean",
      "apt-get update -q",
      `apt-get install -y -q --no-install-recommends ${plan.aptPackages.join(" ")}`,
    ],
  };
  return template("base.ejs")({
    plan,
    rootStep: mergeSteps([...(plan.aptPackages.length ? [aptStep] : []), ...plan.systemSteps, userStep(plan)]),
    scriptStep: scriptStep(plan),
    envLines: envLines(plan),
    run: (step: Step) => renderRun(step, plan),
    copy: (file: string) => `COPY --chown=${plan.user.uid}:${plan.user.uid} ${JSON.stringify([`src/${file}`, `${plan.repoDir}/${file}`])}`,
    json: (value: unknown) => JSON.stringify(value),
  });
}

/** Files r2d adds to the build context beside the repository (under r2d/). */
export function generatedFiles(plan: BuildPlan, dockerfile: string): { path: string; content: string | Buffer; mode: number }[] {
  if (plan.buildpack === "dockerfile") return [];
  const script = (name: string) => readFileSync(new URL(`scripts/${name}`, BUILDPACKS_DIR));
  return [
    { path: "r2d/Dockerfile", content: dockerfile, mode: 0o644 },
    { path: "r2d/r2d-entrypoint", content: script("r2d-entrypoint"), mode: 0o755 },
    ...plan.helperFiles.map((f) => ({ path: `r2d/${f}`, content: script(f), mode: 0o644 })),
  ];
}
