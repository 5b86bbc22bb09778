/**
 * `.dockerignore` / `.containerignore` are read without leaving the repository: a link out (the
 * file, or the folder it is in) is an error naming it, special files are refused without
 * blocking, size is capped, and messages quote at most ~100 characters of a line.
 */
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { selectContext } from "../../src/context/index.js";
import { IGNORE_FILE_MAX_BYTES } from "../../src/context/ignore-file.js";
import { ConfigError } from "../../src/errors.js";
import { tmpRepo, type Tree } from "../helpers/repo.js";
import { rels } from "./helpers.js";

const MARKER = `R2D-OUTSIDE-${randomBytes(6).toString("hex")}`;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(spec: Tree): Promise<{ root: string; outside: string }> {
  const r = await tmpRepo(spec);
  cleanups.push(r.cleanup);
  const outside = path.join(path.dirname(r.root), "outside");
  await fs.mkdir(path.join(outside, "binder"), { recursive: true });
  // A pattern file that would exclude everything, and whose text must never be printed.
  await fs.writeFile(path.join(outside, "ignore"), `*\n# ${MARKER}\n`);
  await fs.writeFile(path.join(outside, "binder", ".dockerignore"), `*\n# ${MARKER}\n`);
  return { root: r.root, outside };
}

async function failure(p: Promise<unknown>): Promise<ConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe("ignore files stay inside the repository", () => {
  it("a .dockerignore that is a symlink to a host file is an error naming it; the host file is not read", async () => {
    const { root, outside } = await setup({ "a.py": "" });
    await fs.symlink(path.join(outside, "ignore"), path.join(root, ".dockerignore"));
    const err = await failure(selectContext({ root }));
    expect(err.message).toBe(
      `.dockerignore: it is a symlink to ${path.join(outside, "ignore")}, outside the repository: r2d reads nothing outside the repository\n` +
        "  hint: make it a regular file in the repository (or a symlink to one)",
    );
    expect(err.location).toEqual({ file: ".dockerignore" });
    expect(err.message).not.toContain(MARKER);
  });

  it("a relative symlink climbing out, and a .containerignore, are caught the same way", async () => {
    const { root } = await setup({ "a.py": "" });
    await fs.symlink("../outside/ignore", path.join(root, ".containerignore"));
    const err = await failure(selectContext({ root }));
    expect(err.message).toMatch(/^\.containerignore: it is a symlink to \.\.\/outside\/ignore, outside the repository/);
  });

  it("an ignore-file folder (binder/) that links outside is an error naming the file", async () => {
    const { root, outside } = await setup({ "a.py": "" });
    await fs.symlink(path.join(outside, "binder"), path.join(root, "binder"));
    const err = await failure(selectContext({ root, ignoreFileDir: "binder" }));
    expect(err.message).toMatch(/^binder\/\.dockerignore: a folder on its path is a symlink; it resolves to .*outside\/binder\/\.dockerignore, outside the repository/);
    expect(err.message).not.toContain(MARKER);
  });

  it("a symlink to an ignore file inside the repository is read", async () => {
    const { root } = await setup({ "a.py": "", "b.log": "", "config/ignore": "*.log\n" });
    await fs.symlink("config/ignore", path.join(root, ".dockerignore"));
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual([".dockerignore", "a.py", "config/", "config/ignore"]);
  });

  it("a dangling symlink is no ignore file, with a warning", async () => {
    const { root } = await setup({ "a.py": "" });
    await fs.symlink("nowhere", path.join(root, ".dockerignore"));
    const sel = await selectContext({ root });
    expect(sel.warnings).toContain(".dockerignore is a symlink that leads nowhere: not read, nothing excluded by it");
    expect(rels(sel)).toContain("a.py");
  });

  it("a directory or a FIFO named .dockerignore is an error, without blocking", async () => {
    const { root } = await setup({ ".dockerignore/x": "" });
    expect((await failure(selectContext({ root }))).message).toMatch(/^\.dockerignore: it is a directory, not a file of patterns/);
    await fs.rm(path.join(root, ".dockerignore"), { recursive: true });
    execFileSync("mkfifo", [path.join(root, ".dockerignore")]);
    const started = Date.now();
    expect((await failure(selectContext({ root }))).message).toMatch(/^\.dockerignore: it is a FIFO, not a file of patterns/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("an ignore file over the size cap is an error naming it", async () => {
    const { root } = await setup({ ".dockerignore": Buffer.alloc(IGNORE_FILE_MAX_BYTES + 1, "a") });
    const err = await failure(selectContext({ root }));
    expect(err.message).toMatch(/^\.dockerignore: it is 1\.0 MB; r2d reads ignore files up to 1\.0 MB/);
    expect(err.message.length).toBeLessThan(300);
  });

  it("a bad pattern on a very long line is quoted cut to ~100 characters", async () => {
    const line = `[${"x".repeat(5000)}${MARKER}`;
    const { root } = await setup({ ".dockerignore": `ok\n${line}\n` });
    const err = await failure(selectContext({ root }));
    expect(err.location).toEqual({ file: ".dockerignore", line: 2 });
    expect(err.message).toMatch(/^\.dockerignore:2: bad pattern "\[x{98}…": /);
    expect(err.message).not.toContain(MARKER);
    expect(err.message.length).toBeLessThan(400);
  });

  it("the pattern that excluded a path is quoted cut to ~100 characters, control characters replaced", async () => {
    const long = `${"d".repeat(200)}*`;
    const { root } = await setup({ ".dockerignore": `${long}\nesc\u001bX*\n`, [`${"d".repeat(200)}x`]: "", "esc\u001bXy": "" });
    const sel = await selectContext({ root });
    const details = sel.excluded.map((e) => e.detail ?? "");
    expect(details).toContain(`${"d".repeat(99)}… (.dockerignore:1)`);
    expect(details).toContain("esc?X* (.dockerignore:2)");
  });
});
