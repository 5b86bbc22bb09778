import { execFile } from "node:child_process";
import { chmod, mkdir, readFile, rename, symlink, unlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { CONFIG_FILE_MAX_BYTES, existsAsFile, openRepoRoot } from "../../src/source/repo-root.js";
import type { Tree } from "../helpers/repo.js";
import { expectNoSecrets, makeJail, type Jail } from "./helpers.js";

const run = promisify(execFile);
const jails: Jail[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const j of jails.splice(0)) await j.cleanup();
});

async function jail(files: Tree = {}): Promise<Jail> {
  const j = await makeJail(files);
  jails.push(j);
  return j;
}

/** The ConfigError a promise rejects with (fails if it resolves or rejects with something else). */
async function configError(p: Promise<unknown>): Promise<ConfigError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err, "expected a ConfigError").toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe("RepoRoot.resolve: symlinks that lead outside are refused, whatever the component", () => {
  it.each<[string, Tree, string, RegExp]>([
    ["the file itself (absolute)", { "runtime.txt": { symlink: "OUTSIDE/secret.txt" } }, "runtime.txt", /^runtime\.txt: is a symlink to ".*secret\.txt", outside the repository/],
    ["the file itself (relative ..)", { "runtime.txt": { symlink: "../outside/secret.txt" } }, "runtime.txt", /^runtime\.txt: is a symlink to "\.\.\/outside\/secret\.txt", outside the repository/],
    ["a folder above it", { binder: { symlink: "OUTSIDE" } }, "binder/secret.txt", /^binder\/secret\.txt: is outside the repository: binder is a symlink to/],
    ["a folder two levels up", { "a/b": { symlink: "../../outside" } }, "a/b/secret.txt", /^a\/b\/secret\.txt: is outside the repository: a\/b is a symlink to "\.\.\/\.\.\/outside"/],
    ["a chain of links, the last one leaving", { "x.txt": { symlink: "y.txt" }, "y.txt": { symlink: "OUTSIDE/secret.txt" } }, "x.txt", /^x\.txt: is outside the repository: y\.txt is a symlink to/],
    ["an absolute link that passes through the root and back out", { "x.txt": { symlink: "REPO/../outside/secret.txt" } }, "x.txt", /^x\.txt: is a symlink to .*, outside the repository/],
    ["/proc/self/environ", { "apt.txt": { symlink: "/proc/self/environ" } }, "apt.txt", /^apt\.txt: is a symlink to "\/proc\/self\/environ", outside the repository/],
  ])("%s", async (_, files, rel, message) => {
    const j = await jail(files);
    const root = await openRepoRoot(j.repo);
    for (const call of [() => root.resolve(rel), () => root.readConfigFile(rel)]) {
      const e = await configError(call());
      expect(e.message).toMatch(message);
      expect(e.location).toEqual({ file: rel });
      expect(e.hint).toMatch(/inside the repository/);
      await expectNoSecrets(j, e.message);
    }
  });

  it("binder -> .. names the folder and its target", async () => {
    const j = await jail({ binder: { symlink: ".." } });
    const e = await configError((await openRepoRoot(j.repo)).resolve("binder"));
    expect(e.message).toMatch(/^binder: is a symlink to "\.\.", outside the repository/);
  });

  it("a relative path with .. above the root is outside (no link involved)", async () => {
    const j = await jail({ "a/": { dir: true } });
    const e = await configError((await openRepoRoot(j.repo)).resolve("a/../../outside/secret.txt"));
    expect(e.message).toMatch(/^a\/\.\.\/\.\.\/outside\/secret\.txt: is outside the repository$/m);
  });

  it("an absolute path elsewhere is outside; one inside the root is resolved", async () => {
    const j = await jail({ "req.txt": "x\n" });
    const root = await openRepoRoot(j.repo);
    await configError(root.resolve("/etc/passwd"));
    expect((await root.resolve(path.join(j.repo, "req.txt"))).stats?.isFile()).toBe(true);
  });

  it("a symlink loop stops after 40 links with a message, not a hang", async () => {
    const j = await jail({ a: { symlink: "b" }, b: { symlink: "a" } });
    const e = await configError((await openRepoRoot(j.repo)).resolve("a"));
    expect(e.message).toMatch(/^a: leads through too many symbolic links \(more than 40\)/);
  });
});

describe("RepoRoot.resolve: symlinks inside the repository are fine", () => {
  it("relative, absolute, through folders, and .. after a linked folder (kernel semantics)", async () => {
    const j = await jail({
      "real/deep/requirements.txt": "numpy\n",
      "real/other.txt": "other\n",
      "rel.txt": { symlink: "real/deep/requirements.txt" },
      binder: { symlink: "real/deep" },
      "up.txt": { symlink: "binder/../other.txt" },
    });
    await symlink(path.join(j.repo, "real/other.txt"), path.join(j.repo, "abs.txt"));
    const root = await openRepoRoot(j.repo);
    expect((await root.readConfigFile("rel.txt")).text).toBe("numpy\n");
    expect((await root.readConfigFile("binder/requirements.txt")).text).toBe("numpy\n");
    expect((await root.readConfigFile("abs.txt")).text).toBe("other\n");
    // binder/.. is real/ (binder's target's parent), not the repository root.
    expect((await root.readConfigFile("up.txt")).text).toBe("other\n");
    const r = await root.resolve("binder/requirements.txt");
    expect(r.real).toBe(path.join(j.repo, "real/deep/requirements.txt"));
    expect(r.viaLink).toBe(true);
  });

  it("a root that is itself a symlink is the user's choice; absolute links through either name stay inside", async () => {
    const j = await jail({ "real.txt": "ok\n" });
    const alias = path.join(j.tmp, "alias");
    await symlink(j.repo, alias);
    await symlink(path.join(alias, "real.txt"), path.join(j.repo, "via-alias.txt"));
    const root = await openRepoRoot(alias);
    expect(root.path).toBe(j.repo);
    expect((await root.readConfigFile("via-alias.txt")).text).toBe("ok\n");
  });

  it("a missing file is reported as missing (stats null), not dangling", async () => {
    const j = await jail({ "binder/": { dir: true } });
    const r = await (await openRepoRoot(j.repo)).resolve("binder/requirements.txt");
    expect(r.stats).toBeNull();
    expect(r.dangling).toBeNull();
    expect(existsAsFile(r)).toBe(false);
  });
});

describe("RepoRoot.readConfigFile: only regular files, the one the walk saw, small, readable", () => {
  it("a directory, a FIFO, a socket and a dangling link are errors naming the file and what it is", async () => {
    const j = await jail({ "environment.yml/": { dir: true }, "runtime.txt": { symlink: "nowhere.txt" }, "apt.txt": { fifo: true } });
    const server = createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen(path.join(j.repo, "Pipfile"), r));
    const root = await openRepoRoot(j.repo);
    const cases: [string, RegExp][] = [
      ["environment.yml", /^environment\.yml: is a directory, not a file/],
      ["apt.txt", /^apt\.txt: is a FIFO \(named pipe\), not a file/],
      ["Pipfile", /^Pipfile: is a socket, not a file/],
      ["runtime.txt", /^runtime\.txt: is a symlink to "nowhere\.txt", which does not exist/],
    ];
    for (const [rel, message] of cases) {
      const e = await configError(root.readConfigFile(rel));
      expect(e.message).toMatch(message);
      expect(e.location).toEqual({ file: rel });
      expect(e.hint, rel).toBeTruthy();
      await root.resolve(rel).then((r) => expect(() => existsAsFile(r)).toThrow(message));
    }
  });

  it("a sparse 3 GB file is refused from its size, never read", async () => {
    const j = await jail({});
    await run("truncate", ["-s", "3G", path.join(j.repo, "environment.yml")]);
    const started = Date.now();
    const e = await configError((await openRepoRoot(j.repo)).readConfigFile("environment.yml"));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(e.message).toMatch(/^environment\.yml: is 3 GiB; r2d reads config files up to 4 MiB/);
    expect(e.hint).toMatch(/small/);
  });

  it("a file just over the cap is refused; one at the cap is read", async () => {
    const j = await jail({});
    await writeFile(path.join(j.repo, "big.txt"), "x".repeat(CONFIG_FILE_MAX_BYTES + 1));
    await writeFile(path.join(j.repo, "ok.txt"), "y".repeat(CONFIG_FILE_MAX_BYTES));
    const root = await openRepoRoot(j.repo);
    expect((await configError(root.readConfigFile("big.txt"))).message).toMatch(/is 4\.0 MiB; r2d reads config files up to 4 MiB/);
    expect((await root.readConfigFile("ok.txt")).text.length).toBe(CONFIG_FILE_MAX_BYTES);
  });

  it.each([
    ["a symlink to an outside file", async (real: string, j: Jail) => { await unlink(real); await symlink(path.join(j.outside, "secret.txt"), real); }],
    ["another file renamed over it", async (real: string, j: Jail) => { await writeFile(path.join(j.repo, "other"), `${j.marker}\n`); await rename(path.join(j.repo, "other"), real); }],
    ["a FIFO (the open must not hang)", async (real: string) => { await unlink(real); await run("mkfifo", [real]); }],
    ["nothing (deleted)", async (real: string) => { await unlink(real); }],
  ])("a file swapped for %s between the walk and the open is refused", async (_, swap) => {
    const j = await jail({ "runtime.txt": "python-3.11\n" });
    const root = await openRepoRoot(j.repo, { beforeOpen: (real) => swap(real, j) });
    const e = await configError(root.readConfigFile("runtime.txt"));
    expect(e.message).toMatch(/^runtime\.txt: changed while r2d was reading it/);
    await expectNoSecrets(j, e.message);
  });

  it("UTF-8 is required (error naming the line); a BOM is dropped; lenient reads replace bad bytes", async () => {
    const j = await jail({});
    await writeFile(path.join(j.repo, "latin1.txt"), Buffer.concat([Buffer.from("numpy\n# caf"), Buffer.from([0xe9]), Buffer.from("\n")]));
    await writeFile(path.join(j.repo, "bom.txt"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("python-3.11\n")]));
    const root = await openRepoRoot(j.repo);
    const e = await configError(root.readConfigFile("latin1.txt"));
    expect(e.location).toEqual({ file: "latin1.txt", line: 2 });
    expect(e.message).toMatch(/^latin1\.txt:2: is not UTF-8 text/);
    expect(e.hint).toMatch(/UTF-8/);
    expect((await root.readConfigFile("bom.txt")).text).toBe("python-3.11\n");
    expect((await root.readConfigFile("latin1.txt", { lenient: true })).text).toBe("numpy\n# caf\uFFFD\n");
  });

  it("a name given by the caller is used in messages, at the caller's location", async () => {
    const j = await jail({});
    const e = await configError((await openRepoRoot(j.repo)).readConfigFile("missing.txt", { name: "-r missing.txt", location: { file: "requirements.txt", line: 3 } }));
    expect(e.message).toMatch(/^requirements\.txt:3: -r missing\.txt does not exist/);
  });
});

describe("RepoRoot.subRoot (--subdir)", () => {
  it("a subdir that is or passes through a link leading outside is an error naming --subdir", async () => {
    const j = await jail({ "models/": { dir: true } });
    await symlink(j.outside, path.join(j.repo, "ext"));
    await symlink(j.outside, path.join(j.repo, "models/ext"));
    const root = await openRepoRoot(j.repo);
    for (const subdir of ["ext", "models/ext"]) {
      const e = await configError(root.subRoot(subdir, "--subdir"));
      expect(e.location).toEqual({ file: "--subdir" });
      expect(e.message).toMatch(new RegExp(`^--subdir: --subdir ${subdir.replace("/", "\\/")} (is a symlink to .*, outside|is outside) the repository`));
    }
  });

  it("a subdir linked inside the repository works; its jail is the subdir itself", async () => {
    const j = await jail({ "real/sub/requirements.txt": "numpy\n", "top.txt": "top\n", "real/sub/up.txt": { symlink: "../../top.txt" } });
    await symlink("real/sub", path.join(j.repo, "linked"));
    const sub = await (await openRepoRoot(j.repo)).subRoot("linked", "--subdir");
    expect(sub.path).toBe(path.join(j.repo, "real/sub"));
    expect(sub.label).toBe("the build directory (--subdir linked)");
    expect((await sub.readConfigFile("requirements.txt")).text).toBe("numpy\n");
    // Inside the repository but outside the build directory: it would not be in the build context.
    const e = await configError(sub.readConfigFile("up.txt"));
    expect(e.message).toMatch(/^up\.txt: is a symlink to "\.\.\/\.\.\/top\.txt", outside the build directory \(--subdir linked\)/);
  });

  it("a missing or file subdir is not a directory", async () => {
    const j = await jail({ "file.txt": "" });
    const root = await openRepoRoot(j.repo);
    for (const subdir of ["nope", "file.txt"]) expect((await configError(root.subRoot(subdir, "--subdir"))).message).toMatch(/is not a directory in/);
  });
});

describe("RepoRoot: permission denied (r2d not running as root)", () => {
  const canDrop = process.getuid?.() === 0;
  it.skipIf(!canDrop)("an unreadable file is a ConfigError suggesting chmod, never a stack trace", async () => {
    const j = await jail({ "runtime.txt": "python-3.11\n", "closed/": { dir: true } });
    await chmod(j.repo, 0o755);
    await chmod(path.join(j.repo, "runtime.txt"), 0o600);
    await writeFile(path.join(j.repo, "closed/runtime.txt"), "python-3.11\n");
    await chmod(path.join(j.repo, "closed"), 0o700);
    const child = await compiledChild(j);
    for (const rel of ["runtime.txt", "closed/runtime.txt"]) {
      const { stdout } = await run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, child, j.repo, rel]);
      const out = JSON.parse(stdout) as { name: string; message: string; stack?: string };
      expect(out.name, rel).toBe("ConfigError");
      expect(out.message).toMatch(new RegExp(`^${rel.replace("/", "\\/")}: cannot be read: permission denied\\n  hint: r2d runs as uid 65534: make the repository readable \\(chmod -R a\\+rX`));
    }
  });
});

/** repo-root.ts and what it imports, compiled to plain JS beside a script that reads one file and prints the outcome. */
async function compiledChild(j: Jail): Promise<string> {
  const ts = (await import("typescript")).default;
  const out = path.join(j.tmp, "child");
  const src = fileURLToPath(new URL("../../src/", import.meta.url));
  for (const rel of ["errors.ts", "source/repo-root.ts", "source/repo-root-errors.ts"]) {
    const js = ts.transpileModule(await readFile(path.join(src, rel), "utf8"), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    await mkdir(path.dirname(path.join(out, rel)), { recursive: true });
    await writeFile(path.join(out, rel.replace(/\.ts$/, ".js")), js);
  }
  await writeFile(path.join(out, "package.json"), '{"type":"module"}');
  const script = path.join(out, "read.js");
  await writeFile(
    script,
    `import { openRepoRoot } from "./source/repo-root.js";
const [repo, rel] = process.argv.slice(2);
try { await (await openRepoRoot(repo)).readConfigFile(rel); console.log(JSON.stringify({ name: "ok" })); }
catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message })); }
`,
  );
  await chmod(out, 0o755);
  return script;
}
