import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, stat, symlink } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { detectRepo, use } from "../../src/detect/index.js";
import { ConfigError } from "../../src/errors.js";
import { TempFiles } from "../helpers/repo.js";
import { expectConfigErrorAsync } from "./helpers.js";

const temp = new TempFiles();
afterEach(() => temp.cleanup());

/** A temporary repository holding `files` (path → content; a trailing / makes an empty dir). */
const repo = (files: Record<string, string>) => temp.repo(files, "r2d-detect-");

/** Every entry under root with its type, mode, size, mtime and content hash. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string) {
    out[path.relative(root, dir) || "."] = JSON.stringify(await stat(dir).then((s) => [s.mode, s.mtimeMs, s.ctimeMs]));
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(p);
      else {
        const s = await stat(p);
        out[path.relative(root, p)] = JSON.stringify([s.mode, s.size, s.mtimeMs, s.ctimeMs, createHash("sha256").update(await readFile(p)).digest("hex")]);
      }
    }
  }
  await walk(root);
  return out;
}

describe("detectRepo: what is found", () => {
  it("an empty repository has no files, no config dir, nothing ignored", async () => {
    const root = await repo({});
    const facts = await detectRepo(root);
    expect(facts).toEqual({ root, configDir: "", files: {}, ignored: [], suspicious: [], credentials: [] });
  });

  it("parses each root config file with its parser (paths are repo-relative)", async () => {
    const root = await repo({
      "runtime.txt": "python-3.11\n",
      "requirements.txt": "numpy\n-e .\n",
      "apt.txt": "vim\ncurl\n",
      "postBuild": "#!/bin/bash\r\necho hi\r\n",
      "start": "#!/bin/bash\nexec \"$@\"\n",
      "run.sh": "python app.py\n",
      "setup.py": "from setuptools import setup\nsetup()\n",
      "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.9"\n[build-system]\nrequires = []\n',
      "install.R": "install.packages('x')\n",
      "REQUIRE": "julia 0.6\n",
      "default.nix": "{}\n",
    });
    const { files, configDir } = await detectRepo(root);
    expect(configDir).toBe("");
    expect(files.runtime).toEqual({ path: "runtime.txt", data: { name: "python", version: "3.11", date: null } });
    expect(files.requirements).toEqual({ path: "requirements.txt", data: { hasLocalReferences: true, requirements: ["numpy", "-e ."], includes: [], indexOptions: [] } });
    expect(files.apt).toEqual({ path: "apt.txt", data: ["curl", "vim"] });
    expect(files.postBuild).toEqual({ path: "postBuild", data: { crlf: true, shebang: "/bin/bash", passesArguments: false, commands: [{ name: "echo", line: 2 }] } });
    expect(files.start?.data).toMatchObject({ crlf: false, shebang: "/bin/bash", passesArguments: true });
    expect(files.runSh).toMatchObject({ path: "run.sh", data: { crlf: false, shebang: null, passesArguments: false } });
    expect(files.setupPy).toEqual({ path: "setup.py" });
    expect(files.pyproject?.data).toEqual({ isPackage: true, requiresPython: ">=3.9", devGroup: [], devExtra: false });
    expect(files.installR).toEqual({ path: "install.R" });
    expect(files.juliaRequire).toEqual({ path: "REQUIRE" });
    expect(files.defaultNix).toEqual({ path: "default.nix", data: { localPaths: [], usesChannel: false } });
  });

  it("files are listed in the table's order whatever the I/O timing (plans are deterministic)", async () => {
    const root = await repo({
      "run.sh": "", start: "", postBuild: "", "apt.txt": "", "pyproject.toml": "", "setup.py": "", "requirements.txt": "",
      "Pipfile.lock": "{}", Pipfile: "", "environment.yml": "", "requirements.R": "", "install.R": "", DESCRIPTION: "Package: pk\n",
      "runtime.txt": "python-3.11", "default.nix": "", REQUIRE: "", "Project.toml": "", "Manifest.toml": "", Dockerfile: "FROM x\n",
    });
    const order = ["dockerfile", "juliaProject", "juliaRequire", "juliaManifest", "defaultNix", "runtime", "description", "installR", "requirementsR", "environment", "pipfile", "pipfileLock", "requirements", "setupPy", "pyproject", "apt", "postBuild", "start", "runSh"];
    for (let i = 0; i < 5; i++) expect(Object.keys((await detectRepo(root)).files)).toEqual(order);
  });

  it("a directory named like a config file is an error naming it (not silently skipped)", async () => {
    const root = await repo({ "requirements.txt/": "" });
    const e = await expectConfigErrorAsync(detectRepo(root), { file: "requirements.txt", line: undefined, message: /^requirements\.txt: is a directory, not a file/ });
    expect(e.hint).toMatch(/rename the directory/);
    await expectConfigErrorAsync(detectRepo(await repo({ "Dockerfile/": "" })), { file: "Dockerfile", message: /is a directory/ });
  });

  it("JuliaProject.toml beats Project.toml, and JuliaManifest.toml beats Manifest.toml (Julia's order, and repo2docker's)", async () => {
    const root = await repo({
      "Project.toml": '[compat]\njulia = "1.10"\n',
      "JuliaProject.toml": '[compat]\njulia = "1.6"\n',
      "Manifest.toml": 'julia_version = "1.10.0"\n',
      "JuliaManifest.toml": 'julia_version = "1.6.7"\n',
    });
    const { files } = await detectRepo(root);
    expect(files.juliaProject).toEqual({ path: "JuliaProject.toml", data: { julia: "1.6", compat: [{ lower: [1, 6, 0], upper: [2, 0, 0] }], compatLine: 2, localReferences: [] } });
    expect(files.juliaManifest).toEqual({ path: "JuliaManifest.toml", data: { juliaVersion: "1.6.7", localPackages: [] } });
  });

  it("JuliaProject.toml is read when it is the only one", async () => {
    const root = await repo({ "JuliaProject.toml": '[compat]\njulia = "1.6"\n' });
    expect((await detectRepo(root)).files.juliaProject?.path).toBe("JuliaProject.toml");
  });
});

describe("detectRepo: environment.yml vs environment.yaml", () => {
  it("environment.yml wins; the .yaml is reported as ignored", async () => {
    const root = await repo({ "environment.yml": "dependencies:\n  - python=3.11\n", "environment.yaml": "dependencies:\n  - python=3.9\n" });
    const facts = await detectRepo(root);
    expect(facts.files.environment).toMatchObject({ path: "environment.yml", data: { python: "3.11" } });
    expect(facts.ignored).toEqual([{ path: "environment.yaml", reason: expect.stringMatching(/environment\.yml is used when both exist/) }]);
  });

  it("environment.yaml alone is used", async () => {
    const root = await repo({ "environment.yaml": "dependencies:\n  - python=3.9\n" });
    const facts = await detectRepo(root);
    expect(facts.files.environment).toMatchObject({ path: "environment.yaml", data: { python: "3.9" } });
    expect(facts.ignored).toEqual([]);
  });

  it("inside binder/, the binder/environment.yaml is the one reported", async () => {
    const root = await repo({ "binder/environment.yml": "", "binder/environment.yaml": "" });
    const facts = await detectRepo(root);
    expect(facts.files.environment?.path).toBe("binder/environment.yml");
    expect(facts.ignored).toEqual([{ path: "binder/environment.yaml", reason: expect.stringMatching(/environment\.yml is used/) }]);
  });
});

describe("detectRepo: binder/ and .binder/", () => {
  it.each([["binder"], [".binder"]])("%s/ holds the config; root copies are ignored with a reason", async (dir) => {
    const root = await repo({
      [`${dir}/requirements.txt`]: "numpy\n",
      [`${dir}/apt.txt`]: "vim\n",
      "requirements.txt": "pandas\n",
      "environment.yml": "dependencies: []\n",
      "Dockerfile": "FROM ubuntu\n",
      "run.sh": "echo\n",
    });
    const facts = await detectRepo(root);
    expect(facts.configDir).toBe(dir);
    expect(facts.files.requirements).toEqual({ path: `${dir}/requirements.txt`, data: { hasLocalReferences: false, requirements: ["numpy"], includes: [], indexOptions: [] } });
    expect(facts.files.apt?.path).toBe(`${dir}/apt.txt`);
    expect(facts.files.environment).toBeUndefined();
    expect(facts.files.dockerfile).toBeUndefined();
    // run.sh always lives at the root.
    expect(facts.files.runSh?.path).toBe("run.sh");
    const reason = `${dir}/ exists, so config files at the root are ignored`;
    expect(facts.ignored).toEqual([
      { path: "Dockerfile", reason },
      { path: "environment.yml", reason },
      { path: "requirements.txt", reason },
    ]);
  });

  it("setup.py, pyproject.toml and DESCRIPTION are read from the root only when there is no binder dir", async () => {
    const files = {
      "setup.py": "",
      "pyproject.toml": "[project]\n[build-system]\n",
      "DESCRIPTION": "Package: pk\n",
    };
    const without = await detectRepo(await repo(files));
    expect(without.files.setupPy?.path).toBe("setup.py");
    expect(without.files.pyproject?.path).toBe("pyproject.toml");
    expect(without.files.description).toEqual({ path: "DESCRIPTION", data: { package: "pk", rVersion: null } });

    const withBinder = await detectRepo(await repo({ ...files, "binder/": "" }));
    expect(withBinder.files).toEqual({});
    expect(withBinder.ignored.map((i) => i.path)).toEqual(["DESCRIPTION", "pyproject.toml", "setup.py"]);
    for (const i of withBinder.ignored) expect(i.reason).toMatch(/binder\/ exists, and repo2docker reads .* from the root only when there is no config directory/);
  });

  it("root-only files inside binder/ are not read either", async () => {
    const facts = await detectRepo(await repo({ "binder/setup.py": "", "binder/DESCRIPTION": "Package: pk\n", "binder/pyproject.toml": "[project]\n" }));
    expect(facts.files.setupPy).toBeUndefined();
    expect(facts.files.description).toBeUndefined();
    expect(facts.files.pyproject).toBeUndefined();
  });

  it("an empty binder/ still switches config to it", async () => {
    const facts = await detectRepo(await repo({ "binder/": "", "requirements.txt": "numpy\n" }));
    expect(facts.configDir).toBe("binder");
    expect(facts.files).toEqual({});
    expect(facts.ignored).toEqual([{ path: "requirements.txt", reason: expect.stringMatching(/binder\/ exists/) }]);
  });

  it("a file named binder is not a config dir", async () => {
    const facts = await detectRepo(await repo({ binder: "not a dir", "requirements.txt": "numpy\n" }));
    expect(facts.configDir).toBe("");
    expect(facts.files.requirements?.path).toBe("requirements.txt");
  });

  it("both binder/ and .binder/ → error", async () => {
    const root = await repo({ "binder/requirements.txt": "", ".binder/requirements.txt": "" });
    await expect(detectRepo(root)).rejects.toThrow(/both binder\/ and \.binder\/ exist/);
    await expectConfigErrorAsync(detectRepo(root), { file: "binder/", line: undefined, message: /only one config directory/ });
  });
});

describe("detectRepo: the repository argument and --subdir", () => {
  it("a missing repository is an error naming it", async () => {
    const root = await repo({});
    const missing = path.join(root, "nope");
    const e = await expectConfigErrorAsync(detectRepo(missing), { file: missing, message: /does not exist/ });
    expect(e.message).toContain(`repository ${missing} does not exist`);
  });

  it("a file instead of a directory is an error", async () => {
    const root = await repo({ "README.md": "hi" });
    const file = path.join(root, "README.md");
    await expectConfigErrorAsync(detectRepo(file), { file, message: /is not a directory/ });
  });

  it("a relative path is resolved; root is absolute", async () => {
    const root = await repo({ "requirements.txt": "x\n" });
    const rel = path.relative(process.cwd(), root);
    const facts = await detectRepo(rel);
    expect(facts.root).toBe(root);
    expect(path.isAbsolute(facts.root)).toBe(true);
  });

  it("--subdir builds from that directory; paths are relative to it", async () => {
    const root = await repo({ "requirements.txt": "top\n", "models/a/binder/requirements.txt": "inner\n", "models/a/setup.py": "" });
    const facts = await detectRepo(root, { subdir: "models/a" });
    expect(facts.root).toBe(path.join(root, "models/a"));
    expect(facts.configDir).toBe("binder");
    expect(facts.files.requirements).toMatchObject({ path: "binder/requirements.txt", data: { requirements: ["inner"] } });
    expect(facts.ignored).toEqual([{ path: "setup.py", reason: expect.stringMatching(/root only/) }]);
  });

  it("--subdir . is the repository itself", async () => {
    const root = await repo({ "requirements.txt": "x\n" });
    expect((await detectRepo(root, { subdir: "." })).root).toBe(root);
  });

  it("a missing --subdir is an error", async () => {
    const root = await repo({});
    const e = await expectConfigErrorAsync(detectRepo(root, { subdir: "nope" }), { file: "--subdir", line: undefined, message: /--subdir nope is not a directory/ });
    expect(e.message).toContain(root);
  });

  it("a --subdir that is a file is an error", async () => {
    const root = await repo({ "file.txt": "" });
    await expectConfigErrorAsync(detectRepo(root, { subdir: "file.txt" }), { file: "--subdir", message: /is not a directory/ });
  });

  it.each([[".."], ["../x"], ["a/../../x"], ["/etc"]])("--subdir %s outside the repository is an error", async (subdir) => {
    const root = await repo({ "a/": "" });
    await expectConfigErrorAsync(detectRepo(root, { subdir }), { file: "--subdir", message: /is outside the repository/ });
  });

  it("a sibling directory whose name starts with the repo's name is still outside", async () => {
    const root = await repo({});
    const sibling = `${root}-sibling`;
    await mkdir(sibling);
    try {
      await expectConfigErrorAsync(detectRepo(root, { subdir: `../${path.basename(sibling)}` }), { file: "--subdir", message: /outside the repository/ });
    } finally {
      await import("node:fs/promises").then((fs) => fs.rm(sibling, { recursive: true }));
    }
  });
});

describe("detectRepo: parse errors are kept, not thrown", () => {
  it("each malformed file carries its ConfigError on Found.error", async () => {
    const root = await repo({
      "runtime.txt": "python-3.12.1\n",
      "apt.txt": "vim\nBadName\n",
      "environment.yml": "dependencies:\n  - numpy\n - pandas\n",
      "Pipfile": "[packages\n",
      "Pipfile.lock": "{,}",
      "requirements.R": 'pkg_list <- c(a)\n',
      "pyproject.toml": "= x\n",
      "DESCRIPTION": "Title: x\n",
      "Project.toml": "[compat\n",
    });
    const { files } = await detectRepo(root);
    const expected: [keyof typeof files, string, number | undefined][] = [
      ["runtime", "runtime.txt", 1],
      ["apt", "apt.txt", 2],
      ["environment", "environment.yml", 3],
      ["pipfile", "Pipfile", 1],
      ["pipfileLock", "Pipfile.lock", 1],
      ["requirementsR", "requirements.R", 1],
      ["pyproject", "pyproject.toml", 1],
      ["description", "DESCRIPTION", undefined],
      ["juliaProject", "Project.toml", 1],
    ];
    for (const [key, file, line] of expected) {
      const found = files[key]!;
      expect(found.path, key).toBe(file);
      expect(found.data, key).toBeUndefined();
      expect(found.error, key).toBeInstanceOf(ConfigError);
      expect(found.error!.location, key).toEqual({ file, line });
      expect(() => use(found as { path: string; error?: ConfigError })).toThrow(found.error!);
    }
  });

  it("errors inside binder/ name the binder path", async () => {
    const { files } = await detectRepo(await repo({ "binder/apt.txt": "ok\nfoo;rm\n" }));
    expect(files.apt?.error?.location).toEqual({ file: "binder/apt.txt", line: 2 });
    expect(files.apt?.error?.message).toMatch(/^binder\/apt\.txt:2: "foo;rm"/);
  });

  it("use() returns data when there is no error", async () => {
    const { files } = await detectRepo(await repo({ "apt.txt": "vim\n" }));
    expect(use(files.apt!)).toEqual(["vim"]);
  });
});

describe("detectRepo: misspelt config files", () => {
  it("requirement.txt is reported as suspicious, and is not read", async () => {
    const facts = await detectRepo(await repo({ "requirement.txt": "numpy\n" }));
    expect(facts.files).toEqual({});
    expect(facts.suspicious).toEqual([{ path: "requirement.txt", reason: "not a config file r2d reads; did you mean requirements.txt?" }]);
  });

  it.each([
    ["enviroment.yml", "environment.yml"],
    ["Runtime.txt", "runtime.txt"],
    ["postBuild.sh", "postBuild"],
    ["dockerfile", "Dockerfile"],
    ["install.r", "install.R"],
  ])("%s → did you mean %s?", async (wrong, right) => {
    const facts = await detectRepo(await repo({ [wrong]: "" }));
    expect(facts.suspicious).toEqual([{ path: wrong, reason: expect.stringContaining(`did you mean ${right}?`) }]);
  });

  it("not suspicious when the right file exists beside it", async () => {
    const facts = await detectRepo(await repo({ "requirement.txt": "", "requirements.txt": "" }));
    expect(facts.suspicious).toEqual([]);
  });

  it("misspellings inside binder/ are reported with the binder path", async () => {
    const facts = await detectRepo(await repo({ "binder/requirement.txt": "" }));
    expect(facts.suspicious).toEqual([{ path: "binder/requirement.txt", reason: expect.stringMatching(/requirements\.txt/) }]);
  });
});

describe("detectRepo never writes to the repository", () => {
  it("the tree, contents, modes and mtimes are unchanged (binder dir, errors, misspellings, subdir)", async () => {
    const root = await repo({
      "binder/environment.yml": "dependencies:\n  - numpy\n - bad\n",
      "binder/environment.yaml": "",
      "binder/postBuild": "#!/bin/bash\r\necho\r\n",
      "binder/requirement.txt": "",
      "requirements.txt": "numpy\n",
      "setup.py": "",
      "sub/requirements.txt": "-e .\n",
      "data/big.bin": "x".repeat(1000),
      ".git/HEAD": "ref: refs/heads/main\n",
    });
    await symlink("requirements.txt", path.join(root, "link.txt"));
    const before = await snapshot(root);
    await new Promise((r) => setTimeout(r, 20));
    await detectRepo(root);
    await detectRepo(root, { subdir: "sub" });
    await detectRepo(root, { subdir: "missing" }).catch(() => null);
    expect(await snapshot(root)).toEqual(before);
  });
});
