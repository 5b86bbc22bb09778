/**
 * Time of check / time of use: entries swapped after the walk (for a symlink to a host file, a
 * FIFO, a bigger or smaller file, a link with other text) fail the tar stream and the
 * materialisation, naming the path, and no byte of the outside file is ever sent.
 */
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { contextTar, materializeContext, selectContext, type ContextSelection } from "../../src/context/index.js";
import { ConfigError } from "../../src/errors.js";
import { tempDir, tmpRepo, type Tree } from "../helpers/repo.js";
import { readTar } from "./helpers.js";

const MARKER = `R2D-OUTSIDE-${randomBytes(6).toString("hex")}`;
/** The repository's own sub/a.txt: exactly as long as the outside one, so only device and inode tell them apart. */
const MINE = `${"m".repeat(MARKER.length)}\n`;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanups.length) await cleanups.pop()!();
});

/** A repository and, next to it (outside), a folder holding marker files. */
async function setup(spec: Tree): Promise<{ root: string; outside: string }> {
  const r = await tmpRepo(spec);
  cleanups.push(r.cleanup);
  const outside = path.join(path.dirname(r.root), "outside");
  await fs.mkdir(path.join(outside, "sub"), { recursive: true });
  await fs.writeFile(path.join(outside, "secret.txt"), `${MARKER}\n`);
  await fs.writeFile(path.join(outside, "sub", "a.txt"), `${MARKER}\n`);
  await fs.writeFile(path.join(outside, "sub", "big.bin"), Buffer.concat([Buffer.from(MARKER), Buffer.alloc(300 * 1024, 1)]));
  return { root: r.root, outside };
}

/** Replaces `rel` (a file or a folder) with a symlink to `target`. */
async function swapForLink(root: string, rel: string, target: string): Promise<void> {
  await fs.rm(path.join(root, rel), { recursive: true });
  await fs.symlink(target, path.join(root, rel));
}

function swapForLinkSync(root: string, rel: string, target: string): void {
  fsSync.rmSync(path.join(root, rel), { recursive: true });
  fsSync.symlinkSync(target, path.join(root, rel));
}

/** Reads a stream to its end or its error, within a time limit; every byte that came out is kept. */
async function drain(stream: NodeJS.ReadableStream, ms = 5000): Promise<{ bytes: Buffer; error?: Error }> {
  const chunks: Buffer[] = [];
  const result = new Promise<{ bytes: Buffer; error?: Error }>((resolve) => {
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve({ bytes: Buffer.concat(chunks) }));
    stream.on("error", (error: Error) => resolve({ bytes: Buffer.concat(chunks), error }));
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the stream neither ended nor failed within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const tarOf = (sel: ContextSelection) => contextTar(sel, { prefix: "src/", extra: [{ path: "Dockerfile", content: "FROM x\n" }] });

async function outDir(): Promise<string> {
  const d = await tempDir("r2d-out-");
  cleanups.push(d.cleanup);
  return path.join(d.path, "ctx");
}

/** Every file's bytes under a directory (links not followed). */
async function allBytes(d: string): Promise<Buffer> {
  const out: Buffer[] = [];
  for (const e of await fs.readdir(d, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    if (e.isFile()) out.push(await fs.readFile(p));
  }
  return Buffer.concat(out);
}

/** The selection without directory entries: only the per-file device/inode check stands between a swap and the bytes. */
const filesOnly = (sel: ContextSelection): ContextSelection => ({ ...sel, files: sel.files.filter((f) => f.type !== "dir") });

describe("contextTar: entries swapped after the walk", () => {
  it("records the walk's device and inode for files, symlinks and directories", async () => {
    const { root } = await setup({ "a.txt": "a", "sub/b.txt": "b", "l": { symlink: "a.txt" } });
    const sel = await selectContext({ root });
    for (const f of sel.files) {
      const st = await fs.lstat(f.abs);
      expect([f.rel, f.dev, f.ino]).toEqual([f.rel, st.dev, st.ino]);
    }
  });

  it("a file swapped for a symlink to a host file: the stream fails naming it, the host file is not sent", async () => {
    const { root, outside } = await setup({ "a.txt": "a", "b.txt": "keep out" });
    const sel = await selectContext({ root });
    await swapForLink(root, "b.txt", path.join(outside, "secret.txt"));
    const { bytes, error } = await drain(tarOf(sel));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toContain(`b.txt changed while the build context was being sent (it is now a symlink to ${path.join(outside, "secret.txt")}; it was a regular file of 8 bytes)`);
    expect(error!.message).toMatch(/hint: /);
    expect(bytes.includes(MARKER)).toBe(false);
  });

  it("a big (streamed) file swapped for a symlink fails the same way", async () => {
    const { root, outside } = await setup({ "big.bin": Buffer.alloc(300 * 1024, 2) });
    const sel = await selectContext({ root });
    await swapForLink(root, "big.bin", path.join(outside, "sub", "big.bin"));
    const { bytes, error } = await drain(tarOf(sel));
    expect(error?.message).toMatch(/^big\.bin changed while the build context was being sent \(it is now a symlink to /);
    expect(bytes.includes(MARKER)).toBe(false);
  });

  it("a folder swapped for a symlink to a host folder with the same file names: caught by the device/inode check", async () => {
    const { root, outside } = await setup({ "sub/a.txt": MINE });
    const sel = await selectContext({ root });
    await swapForLink(root, "sub", path.join(outside, "sub"));
    // Without the folder's own entry the file is opened through the folder link (O_NOFOLLOW only
    // guards the last component): the file's device and inode are what fail it.
    const { bytes, error } = await drain(tarOf(filesOnly(sel)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toContain(`sub/a.txt changed while the build context was being sent (sub is now a symlink to ${path.join(outside, "sub")}; it was a directory)`);
    expect(bytes.includes(MARKER)).toBe(false);
    // With it, the folder entry itself fails first.
    const whole = await drain(tarOf(sel));
    expect(whole.error?.message).toMatch(/^sub changed while the build context was being sent \(it is now a symlink to .*; it was a directory\)/);
    expect(whole.bytes.includes(MARKER)).toBe(false);
  });

  it("a folder swapped while an earlier big file is being streamed: the later file fails, nothing outside is sent", async () => {
    const { root, outside } = await setup({ "sub/0-big.bin": Buffer.alloc(4 * 1024 * 1024, 3), "sub/a.txt": MINE });
    const sel = await selectContext({ root });
    await fs.mkdir(path.join(outside, "moved"));
    await fs.copyFile(path.join(outside, "sub", "a.txt"), path.join(outside, "moved", "a.txt"));
    await fs.copyFile(path.join(root, "sub", "0-big.bin"), path.join(outside, "moved", "0-big.bin"));
    const stream = tarOf(sel);
    let seen = 0;
    let swapped = false;
    stream.on("data", (c: Buffer) => {
      seen += c.length;
      if (!swapped && seen > 256 * 1024) {
        swapped = true; // mid-way through sub/0-big.bin, after the sub/ entry was checked
        fsSync.renameSync(path.join(root, "sub"), path.join(outside, "old-sub"));
        fsSync.symlinkSync(path.join(outside, "moved"), path.join(root, "sub"));
      }
    });
    const { bytes, error } = await drain(stream);
    expect(swapped).toBe(true);
    expect(error?.message).toContain("sub/a.txt changed while the build context was being sent (sub is now a symlink to");
    expect(bytes.includes(MARKER)).toBe(false);
  });

  it("a file swapped for a FIFO fails at once instead of blocking", async () => {
    const { root } = await setup({ "a.txt": "abc", "pipe": "was a file" });
    const sel = await selectContext({ root });
    await fs.rm(path.join(root, "pipe"));
    execFileSync("mkfifo", [path.join(root, "pipe")]);
    const { error } = await drain(tarOf(sel), 3000);
    expect(error?.message).toMatch(/^pipe changed while the build context was being sent \(it is now a FIFO; it was a regular file of 10 bytes\)/);
  });

  it("a file that grew or shrank fails, read whole or streamed", async () => {
    const { root } = await setup({ "small.txt": "12345", "big.bin": Buffer.alloc(200 * 1024, 4) });
    const sel = await selectContext({ root });
    await fs.appendFile(path.join(root, "small.txt"), "6");
    expect((await drain(tarOf(sel))).error?.message).toMatch(/^small\.txt changed .*\(it is now 6 bytes; it was 5\)/);

    const sel2 = await selectContext({ root });
    await fs.truncate(path.join(root, "big.bin"), 100 * 1024);
    expect((await drain(tarOf(sel2))).error?.message).toMatch(/^big\.bin changed .*\(it is now 102400 bytes; it was 204800\)/);
  });

  it("a file that grows while it is being read fails instead of sending a cut copy", async () => {
    const { root } = await setup({ "big.bin": Buffer.alloc(1024 * 1024, 5) });
    const sel = await selectContext({ root });
    const stream = tarOf(sel);
    let grown = false;
    stream.on("data", () => {
      if (!grown) {
        grown = true;
        fsSync.appendFileSync(path.join(root, "big.bin"), Buffer.alloc(10, 6)); // same inode, now longer
      }
    });
    expect((await drain(stream)).error?.message).toMatch(/^big\.bin changed while the build context was being sent \(it grew past the 1048576 bytes it had\)/);
  });

  it("a file replaced by another file (new inode) fails even with the same size", async () => {
    const { root } = await setup({ "a.txt": "aaaa" });
    const sel = await selectContext({ root });
    // Moved away, not deleted: a deleted file's inode number could be reused at once by the new one.
    await fs.rename(path.join(root, "a.txt"), path.join(root, "..", "old-a.txt"));
    await fs.writeFile(path.join(root, "a.txt"), "bbbb");
    expect((await drain(tarOf(sel))).error?.message).toMatch(/^a\.txt changed .*\(it was replaced by another file\)/);
  });

  it("a symlink whose text changed, or that became a file, fails", async () => {
    const { root } = await setup({ "a.txt": "a", "b.txt": "b", "l": { symlink: "a.txt" } });
    const sel = await selectContext({ root });
    await fs.rm(path.join(root, "l"));
    await fs.symlink("b.txt", path.join(root, "l"));
    expect((await drain(tarOf(sel))).error?.message).toMatch(/^l changed .*\((it is now a symlink to b\.txt; it was a symlink to a\.txt|it was replaced by another symlink)\)/);

    const sel2 = await selectContext({ root });
    await fs.rm(path.join(root, "l"));
    await fs.writeFile(path.join(root, "l"), "now a file");
    expect((await drain(tarOf(sel2))).error?.message).toMatch(/^l changed .*\(it is now a regular file of 10 bytes; it was a symlink to b\.txt\)/);
  });

  it("a file that vanished fails naming it", async () => {
    const { root } = await setup({ "a.txt": "a" });
    const sel = await selectContext({ root });
    await fs.rm(path.join(root, "a.txt"));
    expect((await drain(tarOf(sel))).error?.message).toMatch(/^a\.txt changed .*\(it is gone; it was a regular file of 1 bytes\)/);
  });

  it("an unchanged repository still streams completely", async () => {
    const { root } = await setup({ "a.txt": "a", "big.bin": Buffer.alloc(300 * 1024, 7), "l": { symlink: "a.txt" }, "d/e": "" });
    const entries = await readTar(tarOf(await selectContext({ root })));
    expect(entries.map((e) => e.name)).toEqual(["src/", "src/a.txt", "src/big.bin", "src/d/", "src/d/e", "src/l", "Dockerfile"]);
  });
});

describe("materializeContext: entries swapped after the walk", () => {
  async function failsWith(sel: ContextSelection, re: RegExp): Promise<string> {
    const out = await outDir();
    const err = await materializeContext(sel, { prefix: "src/", dir: out, extra: [] }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(re);
    return out;
  }

  it("a file swapped for a symlink to a host file", async () => {
    const { root, outside } = await setup({ "a.txt": "a", "b.txt": "keep out" });
    const sel = await selectContext({ root });
    await swapForLink(root, "b.txt", path.join(outside, "secret.txt"));
    const out = await failsWith(sel, /^b\.txt changed .*\(it is now a symlink to .*secret\.txt; it was a regular file of 8 bytes\)/);
    expect((await allBytes(out)).includes(MARKER)).toBe(false);
  });

  /** Swaps sub/ for a link to the outside folder just before the first file is linked: after the folders were checked. */
  function swapOnFirstLink(root: string, outside: string, linkWorks: boolean): void {
    const realLink = fs.link.bind(fs);
    let swapped = false;
    vi.spyOn(fs, "link").mockImplementation(async (src, dst) => {
      if (!swapped) {
        swapped = true;
        fsSync.renameSync(path.join(root, "sub"), path.join(outside, "old-sub"));
        fsSync.symlinkSync(path.join(outside, "sub"), path.join(root, "sub"));
      }
      if (!linkWorks) throw Object.assign(new Error("EXDEV: cross-device link"), { code: "EXDEV" });
      return realLink(src, dst);
    });
  }

  it("a folder swapped for a symlink: the hard link made through it is caught by device/inode and removed", async () => {
    const { root, outside } = await setup({ "sub/a.txt": MINE });
    const sel = await selectContext({ root });
    swapOnFirstLink(root, outside, true);
    const out = await failsWith(sel, /^sub\/a\.txt changed .*\(sub is now a symlink to .*; it was a directory\)/);
    expect((await allBytes(out)).includes(MARKER)).toBe(false);
    expect(fsSync.existsSync(path.join(out, "src", "sub", "a.txt"))).toBe(false);
  });

  it("a folder already swapped when materialising starts fails on the folder", async () => {
    const { root, outside } = await setup({ "sub/a.txt": MINE });
    const sel = await selectContext({ root });
    await swapForLink(root, "sub", path.join(outside, "sub"));
    await failsWith(sel, /^sub changed .*\(it is now a symlink to .*; it was a directory\)/);
  });

  it("the copy fallback (another filesystem) checks the file it reads the same way", async () => {
    const { root, outside } = await setup({ "sub/a.txt": MINE, "b.txt": "bbb" });
    vi.spyOn(fs, "link").mockRejectedValue(Object.assign(new Error("EXDEV: cross-device link"), { code: "EXDEV" }));
    const good = await outDir();
    await materializeContext(await selectContext({ root }), { prefix: "", dir: good, extra: [] });
    expect(await fs.readFile(path.join(good, "sub", "a.txt"), "utf8")).toBe(MINE);
    expect((await fs.stat(path.join(good, "b.txt"))).ino).not.toBe((await fs.stat(path.join(root, "b.txt"))).ino);

    const sel2 = await selectContext({ root });
    await fs.appendFile(path.join(root, "b.txt"), "b");
    await failsWith(sel2, /^b\.txt changed .*\(it is now 4 bytes; it was 3\)/);

    vi.restoreAllMocks();
    const sel = await selectContext({ root });
    swapOnFirstLink(root, outside, false);
    const out = await failsWith(sel, /^sub\/a\.txt changed .*\(sub is now a symlink to .*; it was a directory\)/);
    expect((await allBytes(out)).includes(MARKER)).toBe(false);
  });

  it("a FIFO, a resized file and a changed symlink fail", async () => {
    const { root } = await setup({ "pipe": "file", "a.txt": "12345", "l": { symlink: "a.txt" } });
    let sel = await selectContext({ root });
    await fs.rm(path.join(root, "pipe"));
    execFileSync("mkfifo", [path.join(root, "pipe")]);
    await failsWith(sel, /^pipe changed .*\(it is now a FIFO; it was a regular file of 4 bytes\)/);
    await fs.rm(path.join(root, "pipe"));

    sel = await selectContext({ root });
    await fs.writeFile(path.join(root, "a.txt"), "123");
    await failsWith(sel, /^a\.txt changed .*\(it is now 3 bytes; it was 5\)/);

    sel = await selectContext({ root });
    await fs.rm(path.join(root, "l"));
    await fs.symlink("/etc/hostname", path.join(root, "l"));
    await failsWith(sel, /^l changed .*symlink to \/etc\/hostname/);
  });

  it("generated files are created anew, never through a name that is already there", async () => {
    const { root } = await setup({ "Dockerfile": "FROM repo\n" });
    const out = await outDir();
    await materializeContext(await selectContext({ root }), { prefix: "", dir: out, extra: [{ path: "Dockerfile", content: "FROM r2d\n", mode: 0o600 }] });
    expect(await fs.readFile(path.join(root, "Dockerfile"), "utf8")).toBe("FROM repo\n");
    expect((await fs.stat(path.join(out, "Dockerfile"))).mode & 0o777).toBe(0o600);
  });
});

describe("selectContext: entries swapped during the walk", () => {
  /**
   * Runs `swap` the first time the walk reads the folder whose real path ends with `suffix`:
   * before the listing is read, or once it has been (`after`).
   */
  function onReaddir(suffix: string, swap: () => void, after = false): void {
    const real = fs.readdir.bind(fs) as (p: fsSync.PathLike, o: unknown) => Promise<unknown>;
    let done = false;
    vi.spyOn(fs, "readdir").mockImplementation(((p: fsSync.PathLike, o: unknown) => {
      const s = String(p);
      const where = s.startsWith("/proc/self/fd/") ? fsSync.realpathSync(s) : path.resolve(s);
      if (done || !where.endsWith(suffix)) return real(p, o);
      done = true;
      if (after) return real(p, o).then((r) => (swap(), r));
      swap();
      return real(p, o);
    }) as typeof fs.readdir);
  }

  it("a folder that is already a symlink when its parent is listed is a skipped link, as always", async () => {
    const { root, outside } = await setup({ "sub/a.txt": MINE, "z.txt": "" });
    onReaddir(path.sep + path.basename(root), () => swapForLinkSync(root, "sub", path.join(outside, "sub")));
    const sel = await selectContext({ root });
    expect(sel.files.map((f) => f.rel)).toEqual(["z.txt"]);
    expect(sel.excluded).toEqual([expect.objectContaining({ path: "sub", reason: "symlink-outside" })]);
  });

  it("a folder swapped for a symlink between its parent's listing and its opening is an error; nothing outside is listed", async () => {
    const { root, outside } = await setup({ "sub/a.txt": MINE, "z.txt": "" });
    onReaddir(path.sep + path.basename(root), () => swapForLinkSync(root, "sub", path.join(outside, "sub")), true);
    await expect(selectContext({ root })).rejects.toThrow(/^sub changed while the build context was being selected \(it is now a symlink to .*outside\/sub; it was a directory\)/);
  });

  it("a folder swapped after the walk opened it: the walk keeps reading the folder it opened, never the link", async () => {
    const { root, outside } = await setup({ "sub/a.txt": MINE, "sub/only-inside.txt": "" });
    onReaddir(`${path.sep}sub`, () => {
      fsSync.renameSync(path.join(root, "sub"), path.join(outside, "old-sub"));
      fsSync.symlinkSync(path.join(outside, "sub"), path.join(root, "sub"));
    });
    const sel = await selectContext({ root });
    // What the walk listed is the folder it opened (now moved away), not the link's target.
    expect(sel.files.map((f) => f.rel)).toContain("sub/only-inside.txt");
    expect(sel.files.map((f) => f.rel)).not.toContain("sub/big.bin");
    const { bytes, error } = await drain(tarOf(sel));
    expect(error?.message).toMatch(/^sub changed .*\(it is now a symlink to /);
    expect(bytes.includes(MARKER)).toBe(false);
  });

  it("without /proc/self/fd the walk falls back to paths, and the send-time checks still catch a swap", async () => {
    const { root, outside } = await setup({ "sub/a.txt": MINE, "b.txt": "bbb" });
    const realStat = fsSync.statSync;
    vi.spyOn(fsSync, "statSync").mockImplementation(((p: fsSync.PathLike, o?: fsSync.StatSyncOptions) =>
      String(p).startsWith("/proc/self/fd/") ? undefined : realStat(p, o)));
    const readdir = vi.spyOn(fs, "readdir");
    const sel = await selectContext({ root });
    expect(readdir.mock.calls.map((c) => String(c[0]))).toEqual(expect.arrayContaining([root, path.join(root, "sub")]));
    expect(sel.files.map((f) => f.rel)).toEqual(["b.txt", "sub", "sub/a.txt"]);
    await swapForLink(root, "sub", path.join(outside, "sub"));
    const { bytes, error } = await drain(tarOf(filesOnly(sel)));
    expect(error?.message).toMatch(/^sub\/a\.txt changed .*\(sub is now a symlink to /);
    expect(bytes.includes(MARKER)).toBe(false);
  });
});
