import { execFile } from "node:child_process";
import { chmod, realpath, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { detectRepo } from "../../src/detect/index.js";
import { ConfigError } from "../../src/errors.js";
import { planRepo } from "../../src/index.js";
import type { Tree } from "../helpers/repo.js";
import { expectNoSecrets, makeJail, type Jail } from "../source/helpers.js";
import { expectConfigErrorAsync } from "./helpers.js";

const run = promisify(execFile);
const jails: Jail[] = [];
afterEach(async () => {
  for (const j of jails.splice(0)) await j.cleanup();
});

/** A repository whose specs may say OUTSIDE for the outside folder (holding the marker). */
async function jail(files: Tree): Promise<Jail> {
  const j = await makeJail(files);
  jails.push(j);
  return j;
}

/** Everything a caller could print: the error, or the facts and plan. */
async function everything(j: Jail, subdir?: string): Promise<string> {
  try {
    const r = await planRepo(j.repo, { subdir, invoking: { uid: 0, name: "root" } });
    return JSON.stringify(r);
  } catch (err) {
    return `${(err as Error).message}\n${JSON.stringify(err)}`;
  }
}

describe("detectRepo: config files and folders that lead outside the repository", () => {
  it.each([
    ["runtime.txt", "/proc/self/environ"],
    ["apt.txt", "OUTSIDE/secret.txt"],
    ["DESCRIPTION", "OUTSIDE/secret.txt"],
    ["requirements.txt", "../outside/requirements.txt"],
    ["environment.yml", "OUTSIDE/secret.txt"],
    ["postBuild", "OUTSIDE/secret.txt"],
    ["run.sh", "OUTSIDE/secret.txt"],
    ["setup.py", "OUTSIDE/secret.txt"],
  ])("%s -> %s is an error naming it; nothing outside is printed", async (name, target) => {
    const j = await jail({ [name]: { symlink: target } });
    await expectConfigErrorAsync(detectRepo(j.repo), { file: name, line: undefined, message: new RegExp(`^${name.replace(".", "\\.")}: is a symlink to .*, outside the repository`) });
    await expectNoSecrets(j, await everything(j));
  });

  it.each([
    ["binder", ".."],
    ["binder", "OUTSIDE"],
    [".binder", "OUTSIDE"],
    ["binder", "/"],
  ])("a %s folder linking to %s is an error (never a silent switch to another config)", async (dir, target) => {
    const j = await jail({ [dir]: { symlink: target }, "requirements.txt": "numpy\n" });
    const e = await expectConfigErrorAsync(detectRepo(j.repo), { file: dir, message: new RegExp(`^${dir.replace(".", "\\.")}: is a symlink to ".*", outside the repository`) });
    expect(e.hint).toMatch(/inside the repository/);
    await expectNoSecrets(j, await everything(j));
  });

  it("a config file reached through a linked folder inside binder/ that leaves is an error", async () => {
    const j = await jail({ "binder/deps": { symlink: "OUTSIDE" }, "binder/requirements.txt": { symlink: "deps/requirements.txt" } });
    await expectConfigErrorAsync(detectRepo(j.repo), { file: "binder/requirements.txt", message: /^binder\/requirements\.txt: is outside the repository: binder\/deps is a symlink to/ });
    await expectNoSecrets(j, await everything(j));
  });

  it("a dangling binder link is an error, not 'no config dir'", async () => {
    const j = await jail({ binder: { symlink: "config" }, "requirements.txt": "numpy\n" });
    await expectConfigErrorAsync(detectRepo(j.repo), { file: "binder", message: /^binder: is a symlink to "config", which does not exist/ });
  });

  it("links inside the repository work: binder -> config/binder, requirements.txt -> deps/req.txt", async () => {
    const j = await jail({ "config/binder/requirements.txt": "numpy\n", binder: { symlink: "config/binder" }, "deps/req.txt": "x\n" });
    const facts = await detectRepo(j.repo);
    expect(facts.configDir).toBe("binder");
    expect(facts.files.requirements).toMatchObject({ path: "binder/requirements.txt", data: { requirements: ["numpy"] } });
    const k = await jail({ "requirements.txt": { symlink: "deps/req.txt" }, "deps/req.txt": "pandas\n" });
    expect((await detectRepo(k.repo)).files.requirements?.data?.requirements).toEqual(["pandas"]);
  });

  it("names r2d only reports (ignored root files, misspellings) are not followed out, and not reported", async () => {
    const j = await jail({ "binder/requirements.txt": "numpy\n", "requirements.txt": { symlink: "OUTSIDE/secret.txt" }, "requirement.txt": { symlink: "OUTSIDE/secret.txt" } });
    const facts = await detectRepo(j.repo);
    expect(facts.ignored).toEqual([]);
    expect(facts.suspicious).toEqual([]);
    await expectNoSecrets(j, JSON.stringify(facts));
  });

  it("an executable script reached through a link is not marked executable (the plan chmods it)", async () => {
    const j = await jail({ "scripts/post": "#!/bin/bash\necho\n", postBuild: { symlink: "scripts/post" } });
    await chmod(path.join(j.repo, "scripts/post"), 0o755);
    expect((await detectRepo(j.repo)).files.postBuild?.data?.executable).toBeUndefined();
  });
});

describe("detectRepo: --subdir is resolved beneath the repository", () => {
  it("a --subdir that is, or passes through, a link leading outside is an error naming --subdir", async () => {
    const j = await jail({ ext: { symlink: "OUTSIDE" }, "models/ext": { symlink: "../ext" } });
    for (const subdir of ["ext", "models/ext", "ext/.."]) {
      const e = await expectConfigErrorAsync(detectRepo(j.repo, { subdir }), { file: "--subdir", message: /outside the repository/ });
      expect(e.message).toContain(`--subdir ${subdir}`);
      await expectNoSecrets(j, await everything(j, subdir));
    }
  });

  it("a --subdir linked inside the repository is fine; the facts name its real path", async () => {
    const j = await jail({ "real/model/requirements.txt": "numpy\n", model: { symlink: "real/model" } });
    const facts = await detectRepo(j.repo, { subdir: "model" });
    expect(facts.root).toBe(await realpath(path.join(j.repo, "real/model")));
    expect(facts.files.requirements?.data?.requirements).toEqual(["numpy"]);
  });
});

describe("detectRepo: config names that are not regular files", () => {
  it.each<[string, Tree, RegExp]>([
    ["a directory", { "environment.yml/": { dir: true } }, /^environment\.yml: is a directory, not a file/],
    ["a dangling link", { "runtime.txt": { symlink: "gone.txt" } }, /^runtime\.txt: is a symlink to "gone\.txt", which does not exist/],
    ["a directory in binder/", { "binder/postBuild/": { dir: true } }, /^binder\/postBuild: is a directory/],
    ["a dangling link with no parser (setup.py)", { "setup.py": { symlink: "gone.py" } }, /^setup\.py: is a symlink/],
  ])("%s is an error naming it", async (_, files, message) => {
    const j = await jail(files);
    const e = await expectConfigErrorAsync(detectRepo(j.repo), { file: Object.keys(files)[0]!.replace(/\/$/, ""), message });
    expect(e).toBeInstanceOf(ConfigError);
  });

  it("a FIFO named apt.txt is an error, and detection does not hang on it", async () => {
    const j = await jail({ "apt.txt": { fifo: true } });
    await expectConfigErrorAsync(detectRepo(j.repo), { file: "apt.txt", message: /^apt\.txt: is a FIFO/ });
  });

  it("a 3 GB sparse environment.yml is refused by size when the plan uses it, with the file name", async () => {
    const j = await jail({});
    await run("truncate", ["-s", "3G", path.join(j.repo, "environment.yml")]);
    const facts = await detectRepo(j.repo);
    expect(facts.files.environment?.error?.message).toMatch(/^environment\.yml: is 3 GiB; r2d reads config files up to 4 MiB/);
    await expectConfigErrorAsync(planRepo(j.repo), { file: "environment.yml", message: /is 3 GiB/ });
  });

  it("a non-UTF-8 requirements.txt is an error naming the line; a Latin-1 postBuild is skimmed", async () => {
    const j = await jail({});
    await writeFile(path.join(j.repo, "requirements.txt"), Buffer.from("numpy\npandas # d\xe9j\xe0\n", "latin1"));
    await writeFile(path.join(j.repo, "postBuild"), Buffer.from("#!/bin/bash\n# caf\xe9\necho\n", "latin1"));
    const facts = await detectRepo(j.repo);
    expect(facts.files.requirements?.error?.location).toEqual({ file: "requirements.txt", line: 2 });
    expect(facts.files.postBuild?.data?.shebang).toBe("/bin/bash");
  });
});

describe("detectRepo: nothing outside is echoed, even through a symlinked root", () => {
  it("a repository reached through a symlink keeps working", async () => {
    const j = await jail({ "requirements.txt": "numpy\n" });
    const alias = path.join(j.tmp, "alias");
    await symlink(j.repo, alias);
    const facts = await detectRepo(alias);
    expect(facts.root).toBe(await realpath(j.repo));
    expect(facts.files.requirements?.path).toBe("requirements.txt");
  });
});

describe("the plan raises a read error kept on a file it uses", () => {
  it("a 5 MiB postBuild (a script the plan runs) stops the plan; unused, it would not", async () => {
    const j = await jail({ "requirements.txt": "numpy\n", postBuild: `#!/bin/bash\n${"#".repeat(5 * 1024 * 1024)}\n` });
    await expectConfigErrorAsync(planRepo(j.repo, { invoking: { uid: 0, name: "root" } }), { file: "postBuild", message: /^postBuild: is 5\.0 MiB; r2d reads config files up to 4 MiB/ });
    const k = await jail({ Dockerfile: "FROM x\n", postBuild: `#!/bin/bash\n${"#".repeat(5 * 1024 * 1024)}\n` });
    expect((await planRepo(k.repo, { invoking: { uid: 0, name: "root" } })).plan.buildpack).toBe("dockerfile");
  });
});
