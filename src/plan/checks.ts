/** Plan-time checks of the values that reach the Dockerfile from flags: refused before any build starts. */
import { BUILDPACKS } from "../buildpacks/index.js";
import { ConfigError, quoteForMessage } from "../errors.js";
import type { PlanMessage } from "./types.js";

/**
 * Directories the image user must never own (nor anything below them): owning /etc or /usr/bin is
 * owning root. `/` and `/tmp` are refused themselves only (a folder below /tmp is the user's anyway).
 */
const SYSTEM_DIRS = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/root", "/run", "/sbin", "/sys", "/usr", "/var"];
const SYSTEM_DIRS_ITSELF = ["/", "/tmp"];
/** r2d's own environments, as the packs declare them: the repository must not land on top of them. */
const R2D_DIRS = [...new Set(BUILDPACKS.flatMap((p) => p.envDirs ?? []))];
const SIMPLE_PATH = /^(?:\/[A-Za-z0-9._-]+)+$/;

const within = (dir: string, root: string) => dir === root || dir.startsWith(`${root}/`);

/** --target-repo-dir: absolute, normalised, simple characters, and not a system directory. */
export function checkRepoDir(dir: string): string {
  const bad = (why: string, hint = "for example --target-repo-dir /srv/repo") => new ConfigError(`--target-repo-dir ${quoteForMessage(dir)} ${why}`, { location: { file: "--target-repo-dir" }, hint });
  if (!dir.startsWith("/")) throw bad("must be an absolute path");
  if (SYSTEM_DIRS_ITSELF.includes(dir)) throw bad("would give the image user a system directory");
  if (dir.includes("//") || dir.endsWith("/") || dir.split("/").some((part) => part === "." || part === "..")) {
    throw bad("must be a normalised path (no //, /./, /../ nor trailing /)", `write it as ${normalised(dir)}, for example --target-repo-dir /srv/repo`);
  }
  if (!SIMPLE_PATH.test(dir)) throw bad("may only hold letters, digits, . _ - and / (no spaces, quotes, $ or other special characters)");
  const system = SYSTEM_DIRS.find((root) => within(dir, root));
  if (system) throw bad(`is ${dir === system ? "" : "inside "}the system directory ${system}: the image user would own it`);
  const own = R2D_DIRS.find((root) => within(dir, root));
  if (own) throw bad(`is inside ${own}, where r2d installs the environment`);
  return dir;
}

function normalised(dir: string): string {
  const parts: string[] = [];
  for (const part of dir.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/**
 * The user the appendix leaves the image as, when it sets one: the last `USER` instruction (keyword
 * in any case, `root`, `0`, `root:group` or `0:0` all mean root).
 */
export function appendixMessages(appendix: string, user: string): PlanMessage[] {
  const users = appendix
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => /^\s*user\s+(\S+)/i.exec(line)?.[1])
    .filter((u): u is string => u !== undefined);
  const last = users.at(-1);
  if (last === undefined || !/^(root|0)(:.*)?$/.test(last)) return [];
  return [{ level: "warn", text: `--appendix ends with USER ${last}, so the image will run as root (graders and hubs refuse such images); end the appendix with USER ${user} (the image user) or leave the USER line out` }];
}
