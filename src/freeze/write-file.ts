/**
 * The one place r2d writes into a repository: a new file in the same folder (created exclusively,
 * never through a link), synced, then renamed over the target, so readers see the old file or the
 * new one and never half of it. Every folder on the way must be a real folder inside the repository.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, open, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";

/** The file's folder (every folder on the way a real one) and its current text (null: it does not exist). */
async function locate(root: string, relative: string): Promise<{ dir: string; target: string; previous: string | null }> {
  const parts = relative.split("/").filter(Boolean);
  if (parts.some((p) => p === "..")) throw new ConfigError(`${relative} is outside the repository`, { location: { file: relative }, hint: "r2d freeze writes inside the repository only" });
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    const st = await lstat(dir);
    if (!st.isDirectory()) throw new ConfigError(`${path.relative(root, dir)} is not a folder (a link?): r2d freeze does not write through links`, { location: { file: relative }, hint: "make it a real folder of the repository" });
  }
  const target = path.join(dir, parts.at(-1)!);
  const existing = await lstat(target).catch(() => null);
  if (existing && !existing.isFile()) throw new ConfigError("exists and is not a regular file (a link?): r2d freeze does not write through links", { location: { file: relative }, hint: "remove it, then freeze again" });
  return { dir, target, previous: existing ? await readNoFollow(target) : null };
}

/** What `relative` holds now (null: it does not exist), read as writeIntoRepo would replace it. */
export async function readFromRepo(root: string, relative: string): Promise<string | null> {
  return (await locate(root, relative)).previous;
}

/** Writes `content` to `relative` and returns what the file held before (null: it did not exist). */
export async function writeIntoRepo(root: string, relative: string, content: string): Promise<string | null> {
  const parts = relative.split("/").filter(Boolean);
  const { dir, target, previous } = await locate(root, relative);
  const temp = path.join(dir, `.${parts.at(-1)}.r2d-${randomBytes(6).toString("hex")}`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    await handle.writeFile(content);
    await handle.sync();
    await handle.close();
    await rename(temp, target);
    return previous;
  } catch (err) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw err;
  }
}

async function readNoFollow(file: string): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}
