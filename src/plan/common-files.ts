/**
 * The files every generated pack honours, whatever it installs: apt.txt (system packages),
 * postBuild (run once at build time), start (wraps every command) and run.sh (the default command).
 */
import type { RepoFacts } from "../detect/types.js";
import type { ConfigError } from "../errors.js";
import type { BuildPlan, PlanMessage, PlanUser } from "./types.js";

export interface CommonFiles {
  aptPackages: string[];
  scripts: BuildPlan["scripts"];
  postBuild: string | null;
  start: string | null;
  runSh: string | null;
  detected: BuildPlan["detected"];
  messages: PlanMessage[];
}

const SCRIPT_KEYS = ["postBuild", "start", "runSh"] as const;

export function commonFiles(facts: RepoFacts, user: PlanUser): CommonFiles {
  const files = facts.files;
  const out: CommonFiles = { aptPackages: [], scripts: [], postBuild: null, start: null, runSh: null, detected: [], messages: [] };
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
