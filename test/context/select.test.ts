import fsSync from "node:fs";
import fs from "node:fs/promises";
import fsp from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { describeSelection, selectContext } from "../../src/context/index.js";
import { ConfigError } from "../../src/errors.js";
import { tmpRepo, type Tree } from "../helpers/repo.js";
import { excludedMap, rels, snapshot } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanups.length) await cleanups.pop()!();
});

async function repo(spec: Tree): Promise<string> {
  const r = await tmpRepo(spec);
  cleanups.push(r.cleanup);
  return fsSync.realpathSync(r.root);
}

/** The directory a readdir call reads: `/proc/self/fd/N` resolved while the descriptor is open. */
function realDir(p: fsSync.PathLike): string {
  const s = String(p);
  return s.startsWith("/proc/self/fd/") ? fsSync.realpathSync(s) : path.resolve(s);
}

describe("selectContext: basics", () => {
  it("lists files and directories sorted, with sizes, modes and counts", async () => {
    const root = await repo({
      "README.md": "hello",
      "src/b.py": "bb",
      "src/a.py": "a",
      "empty": { dir: true, mode: 0o750 },
      "run.sh": { mode: 0o755, content: "#!/bin/sh\n" },
    });
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual(["README.md", "empty/", "run.sh", "src/", "src/a.py", "src/b.py"]);
    expect(sel.fileCount).toBe(4);
    expect(sel.bytes).toBe(5 + 2 + 1 + 10);
    expect(sel.excluded).toEqual([]);
    expect(sel.root).toBe(root);
    const byRel = Object.fromEntries(sel.files.map((f) => [f.rel, f]));
    expect(byRel["empty"]).toMatchObject({ type: "dir", mode: 0o750, size: 0 });
    expect(byRel["run.sh"]).toMatchObject({ type: "file", mode: 0o755, size: 10, abs: path.join(root, "run.sh") });
  });

  it("leaves out .git, as a directory or a worktree/submodule file, at any depth", async () => {
    const root = await repo({
      ".git/HEAD": "ref: refs/heads/main\n",
      ".git/objects/ab/cdef": "x",
      ".gitignore": "*.pyc\n",
      "sub/.git": "gitdir: ../.git/modules/sub\n",
      "sub/x.py": "",
    });
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual([".gitignore", "sub/", "sub/x.py"]);
    expect(sel.excluded).toEqual([
      { path: ".git", reason: "git", detail: ".git", kind: "dir" },
      { path: "sub/.git", reason: "git", detail: ".git", kind: "file" },
    ]);
  });

  it("sends .git when excludeGit is false", async () => {
    const root = await repo({ ".git/HEAD": "x", "a": "" });
    const sel = await selectContext({ root, excludeGit: false });
    expect(rels(sel)).toEqual([".git/", ".git/HEAD", "a"]);
  });

  it("rejects a root that does not exist or is a file", async () => {
    const root = await repo({ f: "" });
    await expect(selectContext({ root: path.join(root, "nope") })).rejects.toBeInstanceOf(ConfigError);
    await expect(selectContext({ root: path.join(root, "f") })).rejects.toBeInstanceOf(ConfigError);
  });

  it("warns about a name that is not valid UTF-8 instead of dropping it silently", async () => {
    const root = await repo({ "ok.txt": "" });
    fsSync.writeFileSync(Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff]), Buffer.from(".txt")]), "x");
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual(["ok.txt"]);
    expect(sel.warnings).toEqual(["skipped bad-\uFFFD.txt: its name is not valid UTF-8, so it cannot be read (rename it)"]);
  });

  it("an unreadable directory that is sent is a ConfigError naming it", async () => {
    const root = await repo({ "locked/x": "" });
    // Root reads mode-000 directories anyway, so the permission error is simulated at the fs boundary.
    const real = fsp.readdir.bind(fsp);
    const spy = vi.spyOn(fsp, "readdir").mockImplementation(((p: fsSync.PathLike, o: unknown) => {
      if (realDir(p).endsWith(`${path.sep}locked`)) {
        return Promise.reject(Object.assign(new Error(`EACCES: permission denied, scandir '${String(p)}'`), { code: "EACCES" }));
      }
      return (real as (p: fsSync.PathLike, o: unknown) => Promise<unknown>)(p, o);
    }) as typeof fsp.readdir);
    try {
      await expect(selectContext({ root })).rejects.toThrow(/cannot read directory locked/);
      await expect(selectContext({ root })).rejects.toBeInstanceOf(ConfigError);
    } finally {
      spy.mockRestore();
    }
  });

  it("describeSelection summarises a real selection", async () => {
    const root = await repo({
      ".git/HEAD": "x",
      ".dockerignore": "*.log\n",
      "a.log": "",
      "b.log": "",
      "data/x.csv": "1",
      "src/main.py": "print('hello')\n",
      "secrets.txt": { symlink: "/etc/hostname" },
    });
    const sel = await selectContext({ root, excludes: ["data"] });
    expect(describeSelection(sel)).toBe(
      "sent 2 files, 21 B; left out: data/ (data directory), .git/ (version control), 2 paths (.dockerignore), " +
        "secrets.txt -> /etc/hostname (symlink outside the repository)",
    );
  });

  it("never writes anything into the repository", async () => {
    const root = await repo({ ".dockerignore": "data\n!data/k\n", "data/k": "k", "data/big": "b", "a/b/c": "c" });
    const before = await snapshot(root);
    await selectContext({ root, excludes: ["data"], includes: ["data/k"] });
    expect(await snapshot(root)).toEqual(before);
  });
});

describe("selectContext: .dockerignore semantics (Docker's)", () => {
  it("`*.log` matches only at the root, `**/*.tmp` at any depth", async () => {
    const root = await repo({
      ".dockerignore": "*.log\n**/*.tmp\n",
      "a.log": "",
      "sub/b.log": "",
      "c.tmp": "",
      "sub/deep/d.tmp": "",
      "keep.txt": "",
    });
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual([".dockerignore", "keep.txt", "sub/", "sub/b.log", "sub/deep/"]);
    expect(excludedMap(sel)).toEqual({ "a.log": "dockerignore", "c.tmp": "dockerignore", "sub/deep/d.tmp": "dockerignore" });
    const e = sel.excluded.find((x) => x.path === "sub/deep/d.tmp");
    expect(e?.detail).toBe("**/*.tmp (.dockerignore:2)");
  });

  it("drops comments and blank lines, trims whitespace, cleans leading / and ./ and a trailing /", async () => {
    const root = await repo({
      ".dockerignore": "# a comment\n\n   \n  /build/  \n./dist\ncache/\n\t out \n",
      "build/x": "",
      "dist/y": "",
      "cache/z": "",
      "out": "",
      "src/build/kept": "",
    });
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual([".dockerignore", "src/", "src/build/", "src/build/kept"]);
    expect(excludedMap(sel)).toEqual({ build: "dockerignore", dist: "dockerignore", cache: "dockerignore", out: "dockerignore" });
  });

  it("treats `#` as a comment only at the very start of a line, like Docker", async () => {
    const root = await repo({ ".dockerignore": "#a\n #b\n", "#a": "", "#b": "" });
    const sel = await selectContext({ root });
    // "#a" is a comment line; " #b" is trimmed into the pattern "#b".
    expect(rels(sel)).toEqual(["#a", ".dockerignore"]);
    expect(excludedMap(sel)).toEqual({ "#b": "dockerignore" });
  });

  it("a trailing / on a pattern also matches a file of that name (Docker cleans it away)", async () => {
    const root = await repo({ ".dockerignore": "logs/\n", logs: "a file" });
    expect(rels(await selectContext({ root }))).toEqual([".dockerignore"]);
  });

  it("`data` + `!data/keep.txt`: keeps the file and its directory, nothing else under data", async () => {
    const root = await repo({
      ".dockerignore": "data\n!data/keep.txt\n",
      "data/keep.txt": "k",
      "data/big.bin": "bbbb",
      "data/raw/x.csv": "",
    });
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual([".dockerignore", "data/", "data/keep.txt"]);
    expect(sel.excluded).toEqual([
      { path: "data", reason: "dockerignore", detail: "data (.dockerignore:1)", kind: "dir", keptInside: 1 },
    ]);
  });

  it("last match wins", async () => {
    const root = await repo({
      ".dockerignore": "*.md\n!README*.md\nREADME-secret.md\n",
      "NOTES.md": "",
      "README.md": "",
      "README-dev.md": "",
      "README-secret.md": "",
    });
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual([".dockerignore", "README-dev.md", "README.md"]);
    expect(excludedMap(sel)).toEqual({ "NOTES.md": "dockerignore", "README-secret.md": "dockerignore" });
  });

  it("`*` then `!src`: only src (and the ignore file) is sent", async () => {
    const root = await repo({ ".dockerignore": "*\n!src\n", "src/a/b.py": "", "other/c": "", "top.txt": "" });
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual([".dockerignore", "src/", "src/a/", "src/a/b.py"]);
  });

  it("re-includes a whole directory below an excluded one", async () => {
    const root = await repo({ ".dockerignore": "docs\n!docs/api\n", "docs/api/x.md": "", "docs/api/y/z.md": "", "docs/tmp": "" });
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual([".dockerignore", "docs/", "docs/api/", "docs/api/x.md", "docs/api/y/", "docs/api/y/z.md"]);
    expect(sel.excluded).toEqual([
      { path: "docs", reason: "dockerignore", detail: "docs (.dockerignore:1)", kind: "dir", keptInside: 2 },
    ]);
  });

  it("`**` exceptions re-include at any depth", async () => {
    const root = await repo({ ".dockerignore": "data\n!**/*.keep\n", "data/a/b/c.keep": "", "data/a/b/d.bin": "" });
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual([".dockerignore", "data/", "data/a/", "data/a/b/", "data/a/b/c.keep"]);
  });

  it("matches case-sensitively, like Docker on Linux", async () => {
    const root = await repo({ ".dockerignore": "*.LOG\n", "a.log": "", "B.LOG": "" });
    expect(rels(await selectContext({ root }))).toEqual([".dockerignore", "a.log"]);
  });

  it("escapes regexp characters the way current Docker does: `results (old)`, `a+b`", async () => {
    const root = await repo({
      ".dockerignore": "results (old)\na+b.txt\n{x}\n",
      "results (old)/r.csv": "",
      "results old": "",
      "a+b.txt": "",
      "aab.txt": "",
      "{x}": "",
    });
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual([".dockerignore", "aab.txt", "results old"]);
  });

  it("supports `?` and character classes", async () => {
    const root = await repo({ ".dockerignore": "run?.out\n[ab].txt\n", "run1.out": "", "run12.out": "", "a.txt": "", "c.txt": "" });
    expect(rels(await selectContext({ root }))).toEqual([".dockerignore", "c.txt", "run12.out"]);
  });

  it("reads .dockerignore then .containerignore, patterns concatenated", async () => {
    const root = await repo({
      ".dockerignore": "*.csv\n",
      ".containerignore": "!keep.csv\n",
      "a.csv": "",
      "keep.csv": "",
    });
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual([".containerignore", ".dockerignore", "keep.csv"]);
  });

  it("always sends the ignore files themselves, and `keep` paths (the Dockerfile)", async () => {
    const root = await repo({
      ".dockerignore": ".dockerignore\nDockerfile\nsub\n",
      Dockerfile: "FROM x\n",
      "sub/Dockerfile": "FROM y\n",
      "sub/other": "",
    });
    const sel = await selectContext({ root, keep: ["Dockerfile", "sub/Dockerfile"] });
    expect(rels(sel)).toEqual([".dockerignore", "Dockerfile", "sub/", "sub/Dockerfile"]);
    expect(excludedMap(sel)).toEqual({ sub: "dockerignore" });
  });

  it("reads the ignore files from ignoreFileDir (binder/), patterns relative to the root", async () => {
    const root = await repo({
      ".dockerignore": "*.txt\n", // not read: repo2docker reads binder/'s
      "binder/.dockerignore": "secret\n*.bin\n",
      "binder/.containerignore": "binder/postBuild.bak\n",
      "binder/postBuild": "",
      "binder/postBuild.bak": "",
      "secret/key": "",
      "a.bin": "",
      "notes.txt": "",
    });
    const sel = await selectContext({ root, ignoreFileDir: "binder" });
    expect(rels(sel)).toEqual([
      ".dockerignore",
      "binder/",
      "binder/.containerignore",
      "binder/.dockerignore",
      "binder/postBuild",
      "notes.txt",
    ]);
    expect(excludedMap(sel)).toEqual({ "a.bin": "dockerignore", "binder/postBuild.bak": "dockerignore", secret: "dockerignore" });
    expect(sel.excluded.find((e) => e.path === "secret")?.detail).toBe("secret (binder/.dockerignore:1)");
  });

  it("reports a lone `!` and a malformed pattern as ConfigError with file and line", async () => {
    const a = await repo({ ".dockerignore": "ok\n!\n" });
    const err = await selectContext({ root: a }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).location).toEqual({ file: ".dockerignore", line: 2 });

    const b = await repo({ "binder/.dockerignore": "\n\n[abc\n" });
    const err2 = await selectContext({ root: b, ignoreFileDir: "binder" }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(ConfigError);
    expect((err2 as ConfigError).location).toEqual({ file: "binder/.dockerignore", line: 3 });
  });

  it("strips a UTF-8 BOM and handles CRLF line endings", async () => {
    const root = await repo({ ".dockerignore": "\uFEFFa.txt\r\nb.txt\r\n", "a.txt": "", "b.txt": "", "c.txt": "" });
    expect(rels(await selectContext({ root }))).toEqual([".dockerignore", "c.txt"]);
  });

  it("refuses an ignoreFileDir outside the root", async () => {
    const root = await repo({});
    await expect(selectContext({ root, ignoreFileDir: "../x" })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe("selectContext: excludes and includes", () => {
  it("the default `data` exclusion only applies to the top-level data directory", async () => {
    const root = await repo({ "data/big.csv": "1234", "pkg/data/schema.json": "{}", "pkg/__init__.py": "" });
    const sel = await selectContext({ root, excludes: ["data"] });
    expect(rels(sel)).toEqual(["pkg/", "pkg/__init__.py", "pkg/data/", "pkg/data/schema.json"]);
    expect(sel.excluded).toEqual([{ path: "data", reason: "data", detail: "data (--exclude)", kind: "dir" }]);
  });

  it("--include data/small.csv re-includes one file; --include data the whole directory", async () => {
    const spec = { "data/small.csv": "s", "data/big.csv": "bbbb", "data/raw/r.bin": "" };
    const root = await repo(spec);
    const one = await selectContext({ root, excludes: ["data"], includes: ["data/small.csv"] });
    expect(rels(one)).toEqual(["data/", "data/small.csv"]);
    expect(one.excluded).toEqual([{ path: "data", reason: "data", detail: "data (--exclude)", kind: "dir", keptInside: 1 }]);

    const all = await selectContext({ root, excludes: ["data"], includes: ["data"] });
    expect(rels(all)).toEqual(["data/", "data/big.csv", "data/raw/", "data/raw/r.bin", "data/small.csv"]);
    expect(all.excluded).toEqual([]);

    const glob = await selectContext({ root, excludes: ["data"], includes: ["data/*.csv"] });
    expect(rels(glob)).toEqual(["data/", "data/big.csv", "data/small.csv"]);
  });

  it("--exclude patterns report reason `exclude`, and `!` works in them", async () => {
    const root = await repo({ "results/a.nc": "", "results/summary.txt": "", "model.ckpt": "", "x.py": "" });
    const sel = await selectContext({ root, excludes: ["data", "results", "!results/summary.txt", "*.ckpt"] });
    expect(rels(sel)).toEqual(["results/", "results/summary.txt", "x.py"]);
    expect(excludedMap(sel)).toEqual({ results: "exclude", "model.ckpt": "exclude" });
  });

  it("includes never override .dockerignore", async () => {
    const root = await repo({ ".dockerignore": "data/secret.csv\n", "data/secret.csv": "", "data/ok.csv": "" });
    const sel = await selectContext({ root, excludes: ["data"], includes: ["data"] });
    expect(rels(sel)).toEqual([".dockerignore", "data/", "data/ok.csv"]);
    expect(excludedMap(sel)).toEqual({ "data/secret.csv": "dockerignore" });
  });

  it("warns about an --include that matched nothing", async () => {
    const root = await repo({ "data/a.csv": "" });
    const sel = await selectContext({ root, excludes: ["data"], includes: ["data/typo.csv"] });
    expect(rels(sel)).toEqual([]);
    expect(sel.warnings).toEqual([`--include data/typo.csv matched nothing in ${root}`]);
  });
});

describe("selectContext: excluded directories are never walked", () => {
  /** Directories read, as real paths (the walk reads them through /proc/self/fd/N where it can). */
  function spyReaddir() {
    const seen: string[] = [];
    const real = fsp.readdir.bind(fsp);
    vi.spyOn(fsp, "readdir").mockImplementation(((p: fsSync.PathLike, o: unknown) => {
      seen.push(realDir(p));
      return (real as (p: fsSync.PathLike, o: unknown) => Promise<unknown>)(p, o);
    }) as typeof fsp.readdir);
    return () => seen;
  }
  const under = (root: string, sub: string) => (p: string) => p === path.join(root, sub) || p.startsWith(path.join(root, sub) + path.sep);

  it("does not open data/, .git/ or a .dockerignore'd directory", async () => {
    const spec: Tree = { "src/a.py": "", ".dockerignore": "node_modules\n" };
    for (let i = 0; i < 50; i++) {
      spec[`data/d${i}/f.csv`] = "";
      spec[`node_modules/m${i}/index.js`] = "";
    }
    spec[".git/objects/aa/bb"] = "";
    const root = await repo(spec);
    const calls = spyReaddir();
    const sel = await selectContext({ root, excludes: ["data"] });
    expect(rels(sel)).toEqual([".dockerignore", "src/", "src/a.py"]);
    const seen = calls();
    expect(seen).toContain(root);
    expect(seen).toContain(path.join(root, "src"));
    expect(seen.filter(under(root, "data"))).toEqual([]);
    expect(seen.filter(under(root, "node_modules"))).toEqual([]);
    expect(seen.filter(under(root, ".git"))).toEqual([]);
  });

  it("descends only where an exception could match: data/ for `!data/*.csv`, not data/raw/", async () => {
    const root = await repo({
      ".dockerignore": "data\n!data/*.csv\n!src/keep\n",
      "data/a.csv": "",
      "data/raw/deep/x.csv": "",
      "other/y": "",
    });
    const calls = spyReaddir();
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual([".dockerignore", "data/", "data/a.csv", "other/", "other/y"]);
    const seen = calls();
    expect(seen).toContain(path.join(root, "data"));
    expect(seen.filter(under(root, "data/raw"))).toEqual([]);
  });

  it("an --include elsewhere does not open the excluded data directory", async () => {
    const root = await repo({ "data/sub/x": "", "results/r.csv": "", "results/keep/k": "" });
    const calls = spyReaddir();
    const sel = await selectContext({ root, excludes: ["data", "results"], includes: ["results/keep"] });
    expect(rels(sel)).toEqual(["results/", "results/keep/", "results/keep/k"]);
    expect(calls().filter(under(root, "data"))).toEqual([]);
  });

  it("walks into an excluded directory that holds a `keep` path, and only there", async () => {
    const root = await repo({ ".dockerignore": "docker\n", "docker/Dockerfile": "", "docker/junk/j": "" });
    const calls = spyReaddir();
    const sel = await selectContext({ root, keep: ["docker/Dockerfile"] });
    expect(rels(sel)).toEqual([".dockerignore", "docker/", "docker/Dockerfile"]);
    expect(calls().filter(under(root, "docker/junk"))).toEqual([]);
  });

  it("an unreadable excluded directory is not an error (only meaningful when not root)", async () => {
    const root = await repo({ "data/secret/x": "", "a": "" });
    await fs.chmod(path.join(root, "data/secret"), 0o000);
    try {
      const sel = await selectContext({ root, excludes: ["data"] });
      expect(rels(sel)).toEqual(["a"]);
    } finally {
      await fs.chmod(path.join(root, "data/secret"), 0o755);
    }
  });
});

describe("selectContext: symlinks and special files", () => {
  it("sends links that stay inside as symlinks, skips ones that point outside with a warning", async () => {
    const root = await repo({
      "real/file.txt": "content",
      "inside.txt": { symlink: "real/file.txt" },
      "dirlink": { symlink: "real" },
      "up.txt": { symlink: "../outside.txt" },
      "abs-out": { symlink: "/etc/passwd" },
      "sub/back": { symlink: "../real/file.txt" },
      "dangling": { symlink: "does/not/exist" },
    });
    await fs.writeFile(path.join(root, "..", "outside.txt"), "outside");
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual(["dangling", "dirlink", "inside.txt", "real/", "real/file.txt", "sub/", "sub/back"]);
    const byRel = Object.fromEntries(sel.files.map((f) => [f.rel, f]));
    expect(byRel["inside.txt"]).toMatchObject({ type: "symlink", linkTarget: "real/file.txt", size: 0 });
    expect(byRel["dirlink"]).toMatchObject({ type: "symlink", linkTarget: "real" });
    expect(sel.excluded).toEqual([
      { path: "abs-out", reason: "symlink-outside", detail: "/etc/passwd", kind: "symlink" },
      { path: "up.txt", reason: "symlink-outside", detail: "../outside.txt", kind: "symlink" },
    ]);
    expect(sel.warnings).toEqual([
      "skipped symlink abs-out -> /etc/passwd: it points outside the repository",
      "skipped symlink up.txt -> ../outside.txt: it points outside the repository",
    ]);
  });

  it("never follows a symlinked directory, inside or out", async () => {
    const root = await repo({ "lib/a.py": "", "ext": { symlink: "/usr" }, "alias": { symlink: "lib" } });
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual(["alias", "lib/", "lib/a.py"]);
    expect(excludedMap(sel)).toEqual({ ext: "symlink-outside" });
  });

  it("checks the real path too: a relative link through a symlink that leaves the root is outside", async () => {
    const root = await repo({ "escape": { symlink: ".." }, "via.txt": { symlink: "escape/outside.txt" } });
    await fs.writeFile(path.join(root, "..", "outside.txt"), "x");
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual([]);
    expect(excludedMap(sel)).toEqual({ escape: "symlink-outside", "via.txt": "symlink-outside" });
  });

  it("absolute targets inside the root are sent, with a warning that they will not resolve in the image", async () => {
    const root = await repo({ "a.txt": "a" });
    await fs.symlink(path.join(root, "a.txt"), path.join(root, "abs.txt"));
    const sel = await selectContext({ root });
    expect(rels(sel)).toEqual(["a.txt", "abs.txt"]);
    expect(sel.warnings).toHaveLength(1);
    expect(sel.warnings[0]).toMatch(/^symlink abs\.txt -> .*a\.txt is absolute/);
  });

  it("warns when a sent symlink points at something left out", async () => {
    const root = await repo({ "data/big.csv": "x", "link.csv": { symlink: "data/big.csv" } });
    const sel = await selectContext({ root, excludes: ["data"] });
    expect(rels(sel)).toEqual(["link.csv"]);
    expect(sel.warnings).toEqual([
      "symlink link.csv -> data/big.csv is sent but its target data/big.csv is left out: the link will dangle in the image",
    ]);
  });

  it("a symlink that is .dockerignore'd is simply left out, no warning", async () => {
    const root = await repo({ ".dockerignore": "secrets\n", secrets: { symlink: "/etc" } });
    const sel = await selectContext({ root });
    expect(excludedMap(sel)).toEqual({ secrets: "dockerignore" });
    expect(sel.warnings).toEqual([]);
  });

  it("skips FIFOs and sockets (reason special)", async () => {
    const root = await repo({ "a.txt": "" });
    let haveFifo = true;
    try {
      execFileSync("mkfifo", [path.join(root, "pipe")]);
    } catch {
      haveFifo = false;
    }
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(root, "sock"), resolve));
    try {
      const sel = await selectContext({ root });
      expect(rels(sel)).toEqual(["a.txt"]);
      const expected: Record<string, string> = { sock: "special" };
      if (haveFifo) expected["pipe"] = "special";
      expect(excludedMap(sel)).toEqual(expected);
      expect(sel.excluded.find((e) => e.path === "sock")?.detail).toBe("socket");
      if (haveFifo) expect(sel.excluded.find((e) => e.path === "pipe")?.detail).toBe("fifo");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
