/** r2d's cache folder, in a module of its own so the CLI can name it without loading the engine. */
import os from "node:os";
import path from "node:path";

/** Where the CLI keeps r2d's cache: `$XDG_CACHE_HOME/r2d`, default `~/.cache/r2d`. */
export function r2dCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), ".cache");
  return path.join(base, "r2d");
}
