import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { materializeContext, selectContext } from "../../src/context/index.js";
import { ConfigError } from "../../src/errors.js";
import { tempDir, tmpRepo, type Tree } from "../helpers/repo.js";
import { snapshot } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function repo(spec: Tree): Promise<string> {
  const r = await tmpRepo(spec);
  cleanups.push(r.cleanup);
  return r.root;
}
async function outDir(): Promise<string> {
  const d = await tempDir("r2d-out-");
  cleanups.push(d.cleanup);
  return path.join(d.path, "ctx");
}

async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of (await fs.readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const abs = path.join(d, e.name);
      const rel = path.relative(root, abs);
      if (e.isSymbolicLink()) out.push(`${rel} -> ${await fs.readlink(abs)}`);
      else if (e.isDirectory()) {
        out.push(`${rel}/`);
        await walk(abs);
      } else out.push(rel);
    }
  };
  await walk(root);
  return out;
}

describe("materializeContext", () => {
  it("writes the same layout as the tar: selection under the prefix, extras at their paths", async () => {
    const root = await repo({
      "a.py": "print(1)\n",
      "bin/run": { mode: 0o755, content: "#!/bin/sh\n" },
      "ro": { dir: true, mode: 0o555 },
      "link": { symlink: "a.py" },
      "data/x": "",
    });
    const sel = await selectContext({ root, excludes: ["data"] });
    const out = await outDir();
    await materializeContext(sel, {
      prefix: "src/",
      dir: out,
      extra: [
        { path: "Dockerfile", content: "FROM x\n" },
        { path: "r2d/entry.sh", content: "#!/bin/sh\n", mode: 0o755 },
      ],
    });
    expect(await listTree(out)).toEqual([
      "Dockerfile",
      "r2d/",
      "r2d/entry.sh",
      "src/",
      "src/a.py",
      "src/bin/",
      "src/bin/run",
      "src/link -> a.py",
      "src/ro/",
    ]);
    expect((await fs.stat(path.join(out, "src/bin/run"))).mode & 0o7777).toBe(0o755);
    expect((await fs.stat(path.join(out, "src/ro"))).mode & 0o7777).toBe(0o555);
    expect((await fs.stat(path.join(out, "r2d/entry.sh"))).mode & 0o7777).toBe(0o755);
    expect((await fs.stat(path.join(out, "Dockerfile"))).mode & 0o7777).toBe(0o644);
    expect(await fs.readFile(path.join(out, "Dockerfile"), "utf8")).toBe("FROM x\n");
    await fs.chmod(path.join(out, "src/ro"), 0o755); // so the temp dir can be removed
  });

  it("hard-links files on the same filesystem and leaves the repository untouched", async () => {
    const root = await repo({ "a.txt": "a", "sub/b.txt": "b" });
    const before = await snapshot(root);
    const out = await outDir();
    await materializeContext(await selectContext({ root }), { prefix: "", dir: out, extra: [] });
    const [src, dst] = await Promise.all([fs.stat(path.join(root, "a.txt")), fs.stat(path.join(out, "a.txt"))]);
    if (src.dev === (await fs.stat(path.dirname(out))).dev) expect(dst.ino).toBe(src.ino);
    expect(await fs.readFile(path.join(out, "sub/b.txt"), "utf8")).toBe("b");
    expect(await snapshot(root)).toEqual(before);
  });

  it("a generated file over a repository file never writes through the hard link", async () => {
    const root = await repo({ Dockerfile: "FROM repo\n" });
    const out = await outDir();
    await materializeContext(await selectContext({ root }), {
      prefix: "",
      dir: out,
      extra: [{ path: "Dockerfile", content: "FROM r2d\n" }],
    });
    expect(await fs.readFile(path.join(out, "Dockerfile"), "utf8")).toBe("FROM r2d\n");
    expect(await fs.readFile(path.join(root, "Dockerfile"), "utf8")).toBe("FROM repo\n");
  });

  it("refuses a non-empty target and a target inside the repository", async () => {
    const root = await repo({ "a": "" });
    const sel = await selectContext({ root });
    const out = await outDir();
    await fs.mkdir(out);
    await fs.writeFile(path.join(out, "junk"), "");
    await expect(materializeContext(sel, { prefix: "", dir: out, extra: [] })).rejects.toBeInstanceOf(ConfigError);
    await expect(materializeContext(sel, { prefix: "", dir: path.join(root, "ctx"), extra: [] })).rejects.toBeInstanceOf(
      ConfigError,
    );
    await expect(fs.access(path.join(root, "ctx"))).rejects.toThrow();
  });
});
