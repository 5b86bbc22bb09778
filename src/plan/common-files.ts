/**
 * The files every generated pack honours, whatever it installs: apt.txt (system packages),
 * postBuild (run once at build time), start (wraps every command) and run.sh (the default command);
 * and the common tools those scripts call, which r2d's slim base images lack.
 */
import { aptCaches } from "../buildpacks/shared.js";
import type { Contribution } from "../buildpacks/types.js";
import type { ScriptCommand } from "../detect/script.js";
import type { RepoFacts } from "../detect/types.js";
import type { ConfigError } from "../errors.js";
import { shellCommand } from "../shell.js";
import type { BuildPlan, PlanMessage, PlanUser, Step } from "./types.js";

export interface CommonFiles {
  aptPackages: string[];
  /** Root steps for the tools the scripts call (installed when the base image lacks them). */
  systemSteps: Step[];
  scripts: BuildPlan["scripts"];
  postBuild: string | null;
  start: string | null;
  runSh: string | null;
  detected: BuildPlan["detected"];
  messages: PlanMessage[];
}

const SCRIPT_KEYS = ["postBuild", "start", "runSh"] as const;

/**
 * Programs repo2docker's base image (buildpack-deps plus less, unzip and gettext-base) has and
 * r2d's slim bases may lack, with the Debian packages that bring them. A script calling one gets
 * it installed from apt when the base image does not have it.
 */
export const SCRIPT_TOOLS: Readonly<Record<string, readonly string[]>> = {
  wget: ["wget", "ca-certificates"],
  curl: ["curl", "ca-certificates"],
  git: ["git", "ca-certificates"],
  hg: ["mercurial"],
  svn: ["subversion"],
  ssh: ["openssh-client"],
  scp: ["openssh-client"],
  unzip: ["unzip"],
  bzip2: ["bzip2"],
  bunzip2: ["bzip2"],
  xz: ["xz-utils"],
  unxz: ["xz-utils"],
  make: ["make"],
  gcc: ["gcc"],
  cc: ["gcc"],
  "g++": ["g++"],
  "c++": ["g++"],
  patch: ["patch"],
  file: ["file"],
  gpg: ["gnupg"],
  envsubst: ["gettext-base"],
  less: ["less"],
  ps: ["procps"],
};

const CONDA_TOOLS = new Set(["conda", "mamba", "micromamba"]);
const ROOT_TOOLS = new Set(["apt-get", "apt", "sudo", "dpkg"]);

export function commonFiles(facts: RepoFacts, user: PlanUser, pack: Pick<Contribution, "env">): CommonFiles {
  const files = facts.files;
  const out: CommonFiles = { aptPackages: [], systemSteps: [], scripts: [], postBuild: null, start: null, runSh: null, detected: [], messages: [] };
  if (files.apt) {
    out.aptPackages = useApt(files.apt);
    if (out.aptPackages.length) out.detected.push({ path: files.apt.path, use: `apt-get install ${out.aptPackages.join(" ")}` });
  }
  for (const key of SCRIPT_KEYS) {
    const found = files[key];
    if (!found) continue;
    out.scripts.push({ path: found.path, crlf: found.data?.crlf ?? false, ...(found.data?.executable ? { executable: true } : {}) });
    if (found.data?.crlf) out.messages.push({ level: "warn", text: `${found.path} has Windows line endings; r2d converts them in the image (your file is not changed)` });
  }
  const tools = scriptTools(facts, Boolean(pack.env?.CONDA_DIR));
  out.systemSteps.push(...tools.steps);
  out.messages.push(...tools.messages);
  if (files.postBuild) {
    out.postBuild = files.postBuild.path;
    out.detected.push({ path: out.postBuild, use: `run once at build time as ${user.name}` });
  }
  if (files.start) {
    out.start = files.start.path;
    out.detected.push({ path: out.start, use: "wraps every command at run time (it must end with exec \"$@\")" });
  }
  if (files.runSh) {
    out.runSh = files.runSh.path;
    out.detected.push({ path: out.runSh, use: "the image's default command" });
  }
  return out;
}

/** The calls of every script, each with the script's path. */
function scriptCalls(facts: RepoFacts): (ScriptCommand & { path: string })[] {
  return SCRIPT_KEYS.flatMap((key) => {
    const found = facts.files[key];
    return (found?.data?.commands ?? []).map((c) => ({ ...c, path: found!.path }));
  });
}

/**
 * The tools the scripts call: a root step installing the missing ones from apt (checked one by
 * one at build time, so a base image that has them runs no apt at all), a notice per tool naming
 * the first script line that calls it; warnings for calls that cannot work in the image.
 */
export function scriptTools(facts: RepoFacts, hasConda: boolean): { steps: Step[]; messages: PlanMessage[] } {
  const messages: PlanMessage[] = [];
  const first = new Map<string, ScriptCommand & { path: string }>();
  for (const call of scriptCalls(facts)) if (!first.has(call.name)) first.set(call.name, call);
  const tools = [...first.values()].filter((c) => Object.hasOwn(SCRIPT_TOOLS, c.name));
  for (const t of tools) {
    messages.push({ level: "info", text: `${t.path}:${t.line} calls ${t.name}: r2d installs it from apt (${SCRIPT_TOOLS[t.name]![0]}) when the base image lacks it` });
  }
  for (const c of first.values()) {
    if (ROOT_TOOLS.has(c.name)) messages.push({ level: "warn", text: `${c.path}:${c.line} calls ${c.name}, but scripts run as the image user, without root: list system packages in apt.txt instead` });
    if (CONDA_TOOLS.has(c.name) && !hasConda) messages.push({ level: "warn", text: `${c.path}:${c.line} calls ${c.name}, but this image has no conda (only environment.yml gives one): use pip, or add an environment.yml` });
    if ((c.name === "conda" || c.name === "mamba") && hasConda) {
      messages.push({ level: "info", text: `${c.path}:${c.line} calls ${c.name}: the image has micromamba, and r2d's ${c.name} runs it for install, update, remove, clean, create, env create/update, list, run, info, config and search` });
    }
  }
  if (!tools.length) return { steps: [], messages };
  const checks = tools.map((t) => `command -v ${shellCommand([t.name])} >/dev/null || missing+=(${shellCommand([...SCRIPT_TOOLS[t.name]!])});`);
  const install = `apt-get update -q && apt-get install -y -q --no-install-recommends -- "\${missing[@]}"`;
  const step: Step = {
    title: `tools the scripts call, from apt where the base image lacks them: ${tools.map((t) => t.name).join(", ")}`,
    user: "root",
    // One group, so an apt failure before it is never mistaken for this step's (or the reverse).
    commands: [`{ missing=(); ${checks.join(" ")} if [ \${#missing[@]} -gt 0 ]; then ${install}; fi; }`],
    caches: aptCaches(),
  };
  return { steps: [step], messages };
}

/** A start script that never hands on its arguments swallows every command given to the image. */
export function startMessages(facts: RepoFacts): PlanMessage[] {
  const start = facts.files.start;
  if (!start?.data || start.data.passesArguments) return [];
  return [{ level: "warn", text: `${start.path} never runs "$@", so the command given to the image is swallowed; end it with: exec "$@"` }];
}

function useApt(found: { path: string; data?: string[]; error?: ConfigError }): string[] {
  if (found.error) throw found.error;
  return found.data ?? [];
}
