import { symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { readFromRepo } from "../../src/freeze/write-file.js";
import { TempFiles } from "../helpers/repo.js";

const temp = new TempFiles();
afterEach(() => temp.cleanup());

it("the lock file's current text is read as it would be replaced: never through a link, null when absent", async () => {
  const root = await temp.repo({ binder: { dir: true }, "binder/renv.lock": "{}\n" });
  expect(await readFromRepo(root, "binder/renv.lock")).toBe("{}\n");
  expect(await readFromRepo(root, "renv.lock")).toBeNull();
  const outside = await temp.dir();
  await writeFile(path.join(outside, "renv.lock"), "secret\n");
  await symlink(outside, path.join(root, "linked"));
  await expect(readFromRepo(root, "linked/renv.lock")).rejects.toThrow(/not a folder/);
  await symlink(path.join(outside, "renv.lock"), path.join(root, "renv.lock"));
  await expect(readFromRepo(root, "renv.lock")).rejects.toThrow(/not a regular file/);
});
