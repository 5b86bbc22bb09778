import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { contextTar, selectContext } from "../../src/context/index.js";
import { ConfigError } from "../../src/errors.js";
import { tmpRepo, type Tree } from "../helpers/repo.js";
import { readTar, snapshot, streamToBuffer } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function repo(spec: Tree): Promise<string> {
  const r = await tmpRepo(spec);
  cleanups.push(r.cleanup);
  return r.root;
}

describe("contextTar", () => {
  it("writes dirs, files and symlinks under the prefix, then the extras at their own paths", async () => {
    const root = await repo({
      "README.md": "# hi\n",
      "bin/run": { mode: 0o755, content: "#!/bin/sh\necho hi\n" },
      "empty": { dir: true, mode: 0o700 },
      "link": { symlink: "README.md" },
      "data/big.csv": "x",
      ".git/HEAD": "x",
    });
    const mtime = new Date("2021-03-04T05:06:07Z");
    await fs.utimes(path.join(root, "README.md"), mtime, mtime);
    const sel = await selectContext({ root, excludes: ["data"] });
    const entries = await readTar(
      contextTar(sel, {
        prefix: "src/",
        uid: 1000,
        gid: 100,
        extra: [
          { path: "Dockerfile", content: "FROM scratch\n" },
          { path: "r2d/entrypoint.sh", content: Buffer.from("#!/bin/sh\nexec \"$@\"\n"), mode: 0o755 },
        ],
      }),
    );
    expect(entries.map((e) => `${e.type} ${e.name}`)).toEqual([
      "directory src/",
      "file src/README.md",
      "directory src/bin/",
      "file src/bin/run",
      "directory src/empty/",
      "symlink src/link",
      "file Dockerfile",
      "directory r2d/",
      "file r2d/entrypoint.sh",
    ]);
    const by = Object.fromEntries(entries.map((e) => [e.name, e]));
    for (const e of entries) {
      expect([e.uid, e.gid, e.uname, e.gname]).toEqual([1000, 100, "", ""]);
    }
    expect(by["src/README.md"]!.body.toString()).toBe("# hi\n");
    expect(by["src/README.md"]!.mtime.getTime()).toBe(mtime.getTime());
    expect(by["src/bin/run"]!.mode).toBe(0o755);
    expect(by["src/empty/"]!.mode).toBe(0o700);
    expect(by["src/link"]!.linkname).toBe("README.md");
    expect(by["src/link"]!.size).toBe(0);
    expect(by["Dockerfile"]!.mode).toBe(0o644);
    expect(by["Dockerfile"]!.body.toString()).toBe("FROM scratch\n");
    expect(by["r2d/entrypoint.sh"]!.mode).toBe(0o755);
  });

  it("with prefix \"\" an extra replaces the repository's file of the same path (one entry, the extra)", async () => {
    const root = await repo({ Dockerfile: "FROM repo\n", "a.py": "" });
    const sel = await selectContext({ root });
    const entries = await readTar(contextTar(sel, { prefix: "", extra: [{ path: "Dockerfile", content: "FROM r2d\n" }] }));
    expect(entries.map((e) => e.name)).toEqual(["a.py", "Dockerfile"]);
    expect(entries[1]!.body.toString()).toBe("FROM r2d\n");
    expect(entries[0]!.uid).toBe(0);
  });

  it("is byte-for-byte deterministic", async () => {
    const spec: Tree = {};
    for (let i = 0; i < 30; i++) spec[`d${i % 4}/f${i}.txt`] = `file ${i}\n`;
    const root = await repo(spec);
    const a = await streamToBuffer(contextTar(await selectContext({ root }), { prefix: "src/", extra: [{ path: "x", content: "y" }] }));
    const b = await streamToBuffer(contextTar(await selectContext({ root }), { prefix: "src/", extra: [{ path: "x", content: "y" }] }));
    expect(a.equals(b)).toBe(true);
  });

  it("handles empty files, large files, long and non-ASCII paths", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    const long = `${"very-long-directory-name/".repeat(8)}file-with-a-long-name-${"x".repeat(60)}.txt`;
    const root = await repo({ empty: "", "big.bin": big, [long]: "long", "données/été.csv": "ünïcode" });
    const sel = await selectContext({ root });
    const entries = await readTar(contextTar(sel, { prefix: "", extra: [] }));
    const by = Object.fromEntries(entries.map((e) => [e.name, e]));
    expect(by["empty"]!.body.length).toBe(0);
    expect(by["big.bin"]!.body.equals(big)).toBe(true);
    expect(by[long]!.body.toString()).toBe("long");
    expect(by["données/été.csv"]!.body.toString()).toBe("ünïcode");
  });

  it("rejects a prefix or extra path that leaves the context, and an extra over a directory", async () => {
    const root = await repo({ "sub/a": "" });
    const sel = await selectContext({ root });
    expect(() => contextTar(sel, { prefix: "../up", extra: [] })).toThrow(ConfigError);
    expect(() => contextTar(sel, { prefix: "", extra: [{ path: "/etc/x", content: "" }] })).toThrow(ConfigError);
    expect(() => contextTar(sel, { prefix: "", extra: [{ path: "sub", content: "" }] })).toThrow(ConfigError);
    expect(() => contextTar(sel, { prefix: "", extra: [{ path: "sub/a/b", content: "" }] })).toThrow(ConfigError);
  });

  it("fails with a ConfigError naming the file when it changed after selection", async () => {
    const root = await repo({ "a.txt": "12345" });
    const sel = await selectContext({ root });
    await fs.writeFile(path.join(root, "a.txt"), "123");
    await expect(readTar(contextTar(sel, { prefix: "", extra: [] }))).rejects.toThrow(/a\.txt changed/);
  });

  it("does not modify the repository", async () => {
    const root = await repo({ "a/b": "x", "c": { symlink: "a/b" } });
    const before = await snapshot(root);
    await readTar(contextTar(await selectContext({ root }), { prefix: "src/", extra: [{ path: "Dockerfile", content: "" }] }));
    expect(await snapshot(root)).toEqual(before);
  });
});
