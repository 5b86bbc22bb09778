/**
 * The failed build's full output, kept where nobody else can plant a file or a link first:
 * `$XDG_CACHE_HOME/r2d/logs/` (default `~/.cache/r2d/logs/`), folders made 0700 and checked
 * (a real folder, not a link, owned by this user, writable by nobody else), the file created
 * exclusively (O_EXCL | O_NOFOLLOW) under a random name, mode 0600. When that folder cannot be
 * used, a fresh mkdtemp folder is (random name, 0700, never an existing one).
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, mkdir, mkdtemp, open } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** Where failed builds' logs go. */
export function buildLogDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), ".cache");
  return path.join(cache, "r2d", "logs");
}

/** Throws unless `dir` is a real folder owned by this user that no one else can write to. */
async function checkPrivateDir(dir: string): Promise<void> {
  const st = await lstat(dir);
  const uid = process.getuid?.();
  if (st.isSymbolicLink()) throw new Error(`${dir} is a symbolic link`);
  if (!st.isDirectory()) throw new Error(`${dir} is not a folder`);
  if (uid !== undefined && st.uid !== uid) throw new Error(`${dir} belongs to uid ${st.uid}, not to this user (uid ${uid})`);
  if (st.mode & 0o022) throw new Error(`${dir} is writable by others (mode ${(st.mode & 0o777).toString(8)})`);
}

/** Makes (0700) and checks the r2d and logs folders under the cache folder. */
async function privateLogDir(dir: string): Promise<string> {
  const r2dDir = path.dirname(dir);
  await mkdir(path.dirname(r2dDir), { recursive: true, mode: 0o700 });
  for (const d of [r2dDir, dir]) {
    await mkdir(d, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
    await checkPrivateDir(d);
  }
  return dir;
}

async function writeExclusive(dir: string, text: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = path.join(dir, `build-${stamp}-${randomBytes(6).toString("hex")}.log`);
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  return file;
}

/**
 * Writes the log; returns its path and, when the cache folder could not be used, why (the log
 * then went to a fresh private temp folder). Never follows a planted link, never throws for one.
 */
export async function writeBuildLog(text: string, env: NodeJS.ProcessEnv = process.env): Promise<{ file?: string; problem?: string }> {
  let problem: string | undefined;
  try {
    return { file: await writeExclusive(await privateLogDir(buildLogDir(env)), text) };
  } catch (err) {
    problem = `cannot keep logs in ${buildLogDir(env)}: ${(err as Error).message}`;
  }
  try {
    return { file: await writeExclusive(await mkdtemp(path.join(os.tmpdir(), "r2d-log-")), text), problem };
  } catch (err) {
    return { problem: `${problem}; nor in a temp folder: ${(err as Error).message}` };
  }
}
