import { afterEach, describe, expect, it } from "vitest";
import { detectRepo } from "../../src/detect/index.js";
import type { RepoFacts } from "../../src/detect/types.js";
import { ConfigError, UnsupportedError } from "../../src/errors.js";
import { DEFAULT_EXCLUDES, makePlan, R2D_VERSION, type PlanOptions } from "../../src/plan/index.js";
import { expectConfigError } from "../detect/helpers.js";
import { TempFiles } from "../helpers/repo.js";

const ROOT = { uid: 0, name: "root" };
const temp = new TempFiles();
afterEach(() => temp.cleanup());

async function facts(files: Record<string, string>, subdir?: string): Promise<RepoFacts> {
  return detectRepo(await temp.repo(files, "r2d-plan-"), { subdir });
}

async function plan(files: Record<string, string>, options: PlanOptions = {}) {
  return makePlan(await facts(files), { invoking: ROOT, ...options });
}

const ENV_YML = "dependencies:\n  - python=3.11\n  - numpy\n";
const PIPFILE = '[packages]\nnumpy = "*"\n[requires]\npython_version = "3.12"\n';
const DOCKERFILE = "FROM python:3.12-slim\nCOPY . /app\n";

describe("makePlan: buildpack selection order", () => {
  it("Dockerfile beats every other config file", async () => {
    const p = await plan({ Dockerfile: DOCKERFILE, "Project.toml": "", "default.nix": "", "runtime.txt": "r-2024-05-01", "environment.yml": ENV_YML, Pipfile: PIPFILE, "requirements.txt": "x\n" });
    expect(p.buildpack).toBe("dockerfile");
    expect(p.labels["r2d.buildpack"]).toBe("dockerfile");
  });

  it("Julia beats Nix, R, conda, Pipfile and Python (and honours the conda and pip files, as repo2docker)", async () => {
    const p = await plan({ "Project.toml": '[compat]\njulia = "1.9"\n', "default.nix": "", "runtime.txt": "r-2024-05-01", "environment.yml": ENV_YML, "requirements.txt": "x\n" });
    expect(p.buildpack).toBe("julia");
    expect(p.env.JULIA_PROJECT).toBe("/home/jovyan");
    expect(p.python).toBe("3.11");
    expect(p.detected.map((d) => d.path)).toEqual(["Project.toml", "environment.yml", "requirements.txt"]);
    expect(p.ignored.map((i) => i.path).sort()).toEqual(["default.nix", "runtime.txt"]);
  });

  it("a REQUIRE file alone selects Julia and is refused with repo2docker's message", async () => {
    const f = await facts({ REQUIRE: "julia 0.6\n", "requirements.txt": "x\n" });
    let err: unknown;
    try {
      makePlan(f, { invoking: ROOT });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as UnsupportedError).location).toEqual({ file: "REQUIRE" });
    expect((err as Error).message).toMatch(/Julia REQUIRE no longer supported/);
    expect((err as UnsupportedError).hint).toMatch(/Project\.toml/);
    expect((err as { buildpack?: string }).buildpack).toBe("julia");
  });

  it("Nix beats R, conda and Python, and reads none of their files (as repo2docker)", async () => {
    const p = await plan({ "default.nix": "{}", "runtime.txt": "r-2024-05-01", "environment.yml": ENV_YML });
    expect(p.buildpack).toBe("nix");
    expect(p.python).toBeNull();
    expect(p.ignored).toEqual([
      { path: "runtime.txt", reason: expect.stringMatching(/^the nix buildpack installs only what default\.nix lists/) },
      { path: "environment.yml", reason: expect.stringMatching(/^the nix buildpack installs only what default\.nix lists/) },
    ]);
  });

  it("a dated runtime.txt (r-DATE) selects R over conda, Pipfile and Python", async () => {
    const p = await plan({ "runtime.txt": "r-2024-05-01\n", "environment.yml": ENV_YML, Pipfile: PIPFILE, "requirements.txt": "x\n" });
    expect(p.buildpack).toBe("r");
    expect(p.r).toBe("4.4.2");
    // With environment.yml, R comes from the conda environment (r-base added), on the micromamba image.
    expect(p.baseImage).toBe("mambaorg/micromamba:1.5.10-bookworm-slim");
    // R honours environment.yml and requirements.txt; the Pipfile is not read.
    expect(p.detected.map((d) => d.path)).toEqual(expect.arrayContaining(["runtime.txt", "environment.yml", "requirements.txt"]));
    expect(p.ignored.map((i) => i.path)).toEqual(["Pipfile"]);
  });

  it("r-X.Y-DATE maps X.Y to its newest patch release and pins CRAN to the date", async () => {
    const p = await plan({ "runtime.txt": "r-4.3-2024-01-10\n" });
    expect(p.buildpack).toBe("r");
    expect(p.r).toBe("4.3.3");
    expect(p.detected).toContainEqual({ path: "runtime.txt", use: "R 4.3.3, CRAN as of 2024-01-10" });
    expect(JSON.stringify(p.messages)).toContain("https://packagemanager.posit.co/cran/2024-01-10");
  });

  it("requirements.R (r2d's extension) selects R", async () => {
    const p = await plan({ "requirements.R": 'pkg_list <- c("optparse", "readr")\n', "requirements.txt": "x\n" });
    expect(p.buildpack).toBe("r");
    expect(p.detected).toContainEqual({ path: "requirements.R", use: "install.packages(optparse, readr) from the CRAN mirror" });
  });

  it("a root DESCRIPTION selects R, but not when a binder dir exists", async () => {
    expect((await plan({ DESCRIPTION: "Package: pk\n" })).buildpack).toBe("r");
    const p = await plan({ DESCRIPTION: "Package: pk\n", "binder/requirements.txt": "x\n" });
    expect(p.buildpack).toBe("python");
    expect(p.ignored).toContainEqual({ path: "DESCRIPTION", reason: expect.stringMatching(/root only when there is no config directory/) });
  });

  it("install.R alone does not select R, and says why", async () => {
    const p = await plan({ "install.R": "install.packages('x')\n" });
    expect(p.buildpack).toBe("python");
    expect(p.ignored).toEqual([{ path: "install.R", reason: expect.stringMatching(/install\.R alone does not select R.*dated runtime\.txt/) }]);
  });

  it("runtime.txt r-4.4 without a date: Python, plus a warning", async () => {
    const p = await plan({ "runtime.txt": "r-4.4\n", "requirements.txt": "numpy\n" });
    expect(p.buildpack).toBe("python");
    expect(p.r).toBeNull();
    expect(p.python).toBe("3.10");
    expect(p.messages).toContainEqual({ level: "warn", text: expect.stringMatching(/runtime\.txt says r-4\.4 without a date, so R is not selected.*r-4\.4-YYYY-MM-DD/) });
  });

  it("runtime.txt r-4.4 without a date also keeps the Pipfile pack out (non-python runtime)", async () => {
    const p = await plan({ "runtime.txt": "r-4.4\n", Pipfile: PIPFILE });
    expect(p.buildpack).toBe("python");
  });

  it("environment.yml beats Pipfile and requirements.txt", async () => {
    const p = await plan({ "environment.yml": ENV_YML, Pipfile: PIPFILE, "Pipfile.lock": "{}", "requirements.txt": "x\n" });
    expect(p.buildpack).toBe("conda");
    expect(p.python).toBe("3.11");
    expect(p.ignored).toEqual([
      { path: "Pipfile", reason: "environment.yml takes precedence over Pipfile" },
      { path: "Pipfile.lock", reason: "environment.yml takes precedence over Pipfile" },
      { path: "requirements.txt", reason: "environment.yml is used, and conda environments ignore requirements.txt (list pip packages under `pip:` in the environment file)" },
    ]);
  });

  it("Pipfile beats requirements.txt; the lock wins over the Pipfile for the version", async () => {
    const p = await plan({ Pipfile: PIPFILE, "Pipfile.lock": JSON.stringify({ _meta: { requires: { python_version: "3.9" } } }), "requirements.txt": "x\n" });
    expect(p.buildpack).toBe("pipfile");
    expect(p.python).toBe("3.9");
    expect(p.ignored).toEqual([{ path: "requirements.txt", reason: "the Pipfile is used, and it replaces requirements.txt" }]);
  });

  it("Pipfile.lock alone selects the Pipfile pack", async () => {
    expect((await plan({ "Pipfile.lock": "{}" })).buildpack).toBe("pipfile");
  });

  it("a Pipfile python_version of 3 plans Python 3.10 (no crash)", async () => {
    const p = await plan({ Pipfile: '[requires]\npython_version = "3"\n' });
    expect(p.python).toBe("3.10");
    expect(p.baseImage).toBe("python:3.10-slim-bookworm");
  });

  it.each([
    [{ "requirements.txt": "numpy\n" }],
    [{ "setup.py": "" }],
    [{ "pyproject.toml": "[project]\nname='x'\n[build-system]\nrequires=[]\n" }],
    [{ "runtime.txt": "python-3.12\n" }],
  ])("Python is selected by %j", async (files) => {
    const p = await plan(files);
    expect(p.buildpack).toBe("python");
    expect(p.messages.some((m) => /no config file found/.test(m.text))).toBe(false);
  });

  it("nothing at all → the default Python pack, 3.10, with a note", async () => {
    const p = await plan({ "README.md": "hi" });
    expect(p.buildpack).toBe("python");
    expect(p.python).toBe("3.10");
    expect(p.baseImage).toBe("python:3.10-slim-bookworm");
    expect(p.messages).toContainEqual({ level: "info", text: expect.stringMatching(/no config file found/) });
  });

  it("a binder/ Dockerfile wins over root files, and root files are listed as ignored", async () => {
    const p = await plan({ "binder/Dockerfile": DOCKERFILE, "environment.yml": ENV_YML });
    expect(p.buildpack).toBe("dockerfile");
    expect(p.dockerfilePath).toBe("binder/Dockerfile");
    expect(p.dockerfileText).toBe(DOCKERFILE);
    expect(p.configDir).toBe("binder");
    // Docker reads the context root's .dockerignore for a Dockerfile anywhere (repo2docker filters nothing itself).
    expect(p.context.ignoreFileDir).toBe("");
    expect(p.ignored).toEqual([{ path: "environment.yml", reason: "binder/ exists, so config files at the root are ignored" }]);
  });

  it("a legacy andrewosh/binder-base Dockerfile is refused", async () => {
    const f = await facts({ Dockerfile: "FROM andrewosh/binder-base\n" });
    expectConfigError(() => makePlan(f, { invoking: ROOT }), { file: "Dockerfile", line: undefined, message: /andrewosh\/binder-base, which was removed in 2020/ });
  });
});

describe("makePlan: malformed files only matter when the chosen pack reads them", () => {
  it("a malformed Pipfile beside environment.yml does not fail the conda plan", async () => {
    const f = await facts({ "environment.yml": ENV_YML, Pipfile: "[packages\nnumpy = \n", "Pipfile.lock": "{,}" });
    expect(f.files.pipfile?.error).toBeInstanceOf(ConfigError);
    const p = makePlan(f, { invoking: ROOT });
    expect(p.buildpack).toBe("conda");
    expect(p.ignored.map((i) => i.path)).toEqual(["Pipfile", "Pipfile.lock"]);
  });

  it("a malformed environment.yml fails the plan with its line", async () => {
    const f = await facts({ "environment.yml": "dependencies:\n  - numpy\n - pandas\n", Pipfile: PIPFILE });
    expectConfigError(() => makePlan(f, { invoking: ROOT }), { file: "environment.yml", line: 3, message: /is not valid YAML/ });
  });

  it("a malformed binder/environment.yml names the binder path", async () => {
    const f = await facts({ "binder/environment.yml": "- numpy\n" });
    expectConfigError(() => makePlan(f, { invoking: ROOT }), { file: "binder/environment.yml", line: 1, message: /must be a mapping/ });
  });

  it("a malformed runtime.txt is never dropped: it fails Python, conda and Pipfile plans alike (repo2docker's R pack reads it first)", async () => {
    expectConfigError(() => makePlan(makeFactsSync({ runtime: bad("runtime.txt") }), { invoking: ROOT }), { file: "runtime.txt", line: 1, message: /bad/ });
    const others: Record<string, string>[] = [{ "environment.yml": ENV_YML }, { Pipfile: PIPFILE }, { "requirements.txt": "x\n" }];
    for (const other of others) {
      const f = await facts({ "runtime.txt": "python-3.12.1\n", ...other });
      expectConfigError(() => makePlan(f, { invoking: ROOT }), { file: "runtime.txt", line: 1, message: /Python versions are X\.Y/ });
    }
  });

  it("an R snapshot before 2018-12-07 is an error whatever other files are present", async () => {
    const others: Record<string, string>[] = [{ "environment.yml": ENV_YML }, { Pipfile: PIPFILE }, { "install.R": "1\n" }, {}];
    for (const other of others) {
      const f = await facts({ "runtime.txt": "r-3.6-2018-01-01\n", ...other });
      expectConfigError(() => makePlan(f, { invoking: ROOT }), { file: "runtime.txt", line: 1, message: /R snapshots start at 2018-12-07/ });
    }
  });

  it("a two-line runtime.txt is an error naming the file, beside environment.yml too", async () => {
    const f = await facts({ "binder/runtime.txt": "python-3.11\nr-2024-05-01\n", "binder/environment.yml": ENV_YML });
    expectConfigError(() => makePlan(f, { invoking: ROOT }), { file: "binder/runtime.txt", line: 2, message: /a second line/ });
  });

  it("runtime.txt is not read when a Dockerfile builds the repository (as in repo2docker)", async () => {
    const p = await plan({ "runtime.txt": "python-3.12.1\n", Dockerfile: DOCKERFILE });
    expect(p.buildpack).toBe("dockerfile");
  });

  it("a valid runtime.txt beside environment.yml is reported as not read for the Python version", async () => {
    const p = await plan({ "runtime.txt": "python-3.12\n", "environment.yml": ENV_YML });
    expect(p.buildpack).toBe("conda");
    expect(p.ignored).toContainEqual({ path: "runtime.txt", reason: "the conda buildpack takes the Python version from environment.yml" });
    expect(p.messages).toContainEqual({ level: "warn", text: expect.stringMatching(/runtime\.txt is not read for the Python version/) });
  });

  it("a malformed apt.txt fails generated plans, not the Dockerfile pack", async () => {
    const f = await facts({ "apt.txt": "vim\nBadName\n", "requirements.txt": "x\n" });
    expectConfigError(() => makePlan(f, { invoking: ROOT }), { file: "apt.txt", line: 2, message: /"BadName" is not a Debian package name/ });
    const p = await plan({ "apt.txt": "BadName\n", Dockerfile: DOCKERFILE });
    expect(p.buildpack).toBe("dockerfile");
    expect(p.aptPackages).toEqual([]);
    expect(p.ignored).toContainEqual({ path: "apt.txt", reason: "a Dockerfile is built as is; r2d's other config files do not apply to it" });
  });

  it("a malformed Pipfile fails the Pipfile plan", async () => {
    const f = await facts({ Pipfile: "[packages\n" });
    expectConfigError(() => makePlan(f, { invoking: ROOT }), { file: "Pipfile", line: 1, message: /is not valid TOML/ });
  });

  it("requires-python that nothing satisfies is a ConfigError with a hint", async () => {
    const f = await facts({ "pyproject.toml": '[project]\nrequires-python = "<3.8"\n[build-system]\n' });
    expectConfigError(() => makePlan(f, { invoking: ROOT }), { file: "pyproject.toml", message: /no Python between 3\.8 and 3\.14 satisfies requires-python "<3\.8"/ });
  });

  it("runtime.txt that contradicts requires-python is refused at runtime.txt", async () => {
    const f = await facts({ "runtime.txt": "python-3.8\n", "pyproject.toml": '[project]\nrequires-python = ">=3.10"\n[build-system]\n' });
    expectConfigError(() => makePlan(f, { invoking: ROOT }), { file: "runtime.txt", message: /runtime\.txt asks for Python 3\.8 but requires-python is ">=3\.10"/ });
  });

  it("requires-python keeps the default Python (3.10) when it allows it", async () => {
    const p = await plan({ "pyproject.toml": '[project]\nrequires-python = ">=3.9,<3.13"\n[build-system]\n' });
    expect(p.python).toBe("3.10");
    expect(p.baseImage).toBe("python:3.10-slim-bookworm");
    expect(p.messages).toContainEqual({ level: "info", text: "Python 3.10 (from pyproject.toml requires-python: the default, which it allows)" });
  });

  it("requires-python that excludes the default picks the newest supported Python it allows", async () => {
    const p = await plan({ "pyproject.toml": '[project]\nrequires-python = ">=3.11,<3.13"\n[build-system]\n' });
    expect(p.python).toBe("3.12");
    expect(p.baseImage).toBe("python:3.12-slim-bookworm");
    expect((await plan({ "pyproject.toml": '[project]\nrequires-python = "<3.10"\n' })).python).toBe("3.9");
  });

  it("runtime.txt with an older Python that requires-python allows is fine (3.7 is outside r2d's requires-python window)", async () => {
    const p = await plan({ "runtime.txt": "python-3.7\n", "pyproject.toml": '[project]\nrequires-python = ">=3.6"\n[build-system]\n' });
    expect(p.python).toBe("3.7");
    expect(p.baseImage).toBe("python:3.7-slim");
  });
});

/** Hand-built facts, for cases a real file cannot produce cheaply. */
function makeFactsSync(files: RepoFacts["files"], configDir = ""): RepoFacts {
  return { root: "/nonexistent/repo", configDir, files, ignored: [], suspicious: [], credentials: [] };
}
function bad(file: string) {
  return { path: file, error: new ConfigError("bad", { location: { file, line: 1 }, hint: "fix it" }) };
}

describe("makePlan: users", () => {
  it("uid 0 is refused", async () => {
    const f = await facts({});
    expectConfigError(() => makePlan(f, { userId: 0, invoking: ROOT }), { file: "--user-id", message: /would run the image as root/ });
  });

  it("a root caller gets 1000/jovyan and the notice is the first message", async () => {
    const p = await plan({ "requirements.txt": "x\n" });
    expect(p.user).toEqual({ name: "jovyan", uid: 1000, gid: 1000, source: "root fallback" });
    expect(p.home).toBe("/home/jovyan");
    expect(p.repoDir).toBe("/home/jovyan");
    expect(p.messages[0]).toEqual({ level: "info", text: expect.stringMatching(/r2d runs as root/) });
    expect(p.env).toMatchObject({ USER: "jovyan", NB_USER: "jovyan", NB_UID: "1000", HOME: "/home/jovyan", REPO_DIR: "/home/jovyan" });
  });

  it("a non-root caller is used as is", async () => {
    const p = makePlan(await facts({}), { invoking: { uid: 4242, name: "alice" } });
    expect(p.user).toEqual({ name: "alice", uid: 4242, gid: 4242, source: "invoking user" });
    expect(p.home).toBe("/home/alice");
    expect(p.env.NB_UID).toBe("4242");
    expect(p.messages.some((m) => /runs as root/.test(m.text))).toBe(false);
  });

  it("--user-id 1001 --user-name crowdai", async () => {
    const p = await plan({ "requirements.txt": "x\n", postBuild: "echo\n" }, { userId: "1001", userName: "crowdai" });
    expect(p.user).toEqual({ name: "crowdai", uid: 1001, gid: 1001, source: "--user-id" });
    expect(p.env).toMatchObject({ NB_USER: "crowdai", NB_UID: "1001", HOME: "/home/crowdai" });
    expect(p.detected).toContainEqual({ path: "postBuild", use: "run once at build time as crowdai" });
    expect(p.path).toEqual(["/srv/venv/bin", "/home/crowdai/.local/bin"]);
  });

  it.each([["Bad"], ["1abc"], ["root"], ["a".repeat(33)]])("--user-name %j is refused", async (userName) => {
    const f = await facts({});
    expectConfigError(() => makePlan(f, { userName, invoking: ROOT }), { file: "--user-name", message: /--user-name/ });
  });
});

describe("makePlan: --target-repo-dir", () => {
  it("sets REPO_DIR and adds its .local/bin to PATH", async () => {
    const p = await plan({ "requirements.txt": "x\n", start: "exec \"$@\"\n" }, { targetRepoDir: "/srv/repo" });
    expect(p.repoDir).toBe("/srv/repo");
    expect(p.env.REPO_DIR).toBe("/srv/repo");
    expect(p.env.R2D_ENTRYPOINT).toBe("/srv/repo/start");
    expect(p.path).toEqual(["/srv/venv/bin", "/home/jovyan/.local/bin", "/srv/repo/.local/bin"]);
  });

  it.each([["/opt"], ["/opt/model"], ["/srv/repo"], ["/home/jovyan/work"], ["/tmp/repo"], ["/data/a.b_c-d"], ["/usrlocal"], ["/srv/venvs"]])("%j is accepted", async (targetRepoDir) => {
    expect((await plan({}, { targetRepoDir })).repoDir).toBe(targetRepoDir);
  });

  it.each([
    ["srv/repo", /must be an absolute path/],
    ["./repo", /must be an absolute path/],
    ["/", /would give the image user a system directory/],
    ["/tmp", /would give the image user a system directory/],
    ["//", /must be a normalised path/],
    ["/srv//repo", /must be a normalised path/],
    ["/srv/repo/", /must be a normalised path/],
    ["/srv/./repo", /must be a normalised path/],
    ["/srv/../etc", /must be a normalised path/],
    ["/srv/..", /must be a normalised path/],
    ["/srv/my repo", /may only hold letters, digits/],
    ["/srv/$HOME", /may only hold letters, digits/],
    ["/srv/'x'", /may only hold letters, digits/],
    ['/srv/"x"', /may only hold letters, digits/],
    ["/srv/`id`", /may only hold letters, digits/],
    ["/srv\\repo", /may only hold letters, digits/],
    ["/srv/\trepo", /may only hold letters, digits/],
    ["/srv/re\npo", /may only hold letters, digits/],
    ["/srv/répo", /may only hold letters, digits/],
    ["/etc", /is the system directory \/etc/],
    ["/etc/r2d", /is inside the system directory \/etc/],
    ["/usr/local/src", /is inside the system directory \/usr/],
    ["/bin", /system directory/],
    ["/lib64", /system directory/],
    ["/var/www", /is inside the system directory \/var/],
    ["/root", /system directory/],
    ["/proc/self", /system directory/],
    ["/sys", /system directory/],
    ["/dev/shm", /system directory/],
    ["/run/secrets", /system directory/],
    ["/boot", /system directory/],
    ["/sbin", /system directory/],
    ["/srv/venv", /where r2d installs the environment/],
    ["/srv/conda/envs", /where r2d installs the environment/],
  ])("%j is refused before anything is built", async (targetRepoDir, message) => {
    const f = await facts({});
    const e = expectConfigError(() => makePlan(f, { targetRepoDir, invoking: ROOT }), { file: "--target-repo-dir", line: undefined, message });
    expect(e.hint).toMatch(/\/srv\/repo/);
  });

  it("the hint for a path that is not normalised gives its normal form", async () => {
    const f = await facts({});
    const e = expectConfigError(() => makePlan(f, { targetRepoDir: "/srv//x/./y/../repo/", invoking: ROOT }), { file: "--target-repo-dir", message: /normalised/ });
    expect(e.hint).toContain("write it as /srv/x/repo");
  });
});

describe("makePlan: --base-image and the buildpack's base image", () => {
  it.each([["ubuntu:24.04"], ["localhost:5000/team/img:v1"], ["registry.example.org/a/b@sha256:" + "a".repeat(64)], ["r2d-test/python:bookworm"], ["python:3.12-slim@sha256:" + "0".repeat(64)]])("%j is accepted", async (baseImage) => {
    expect((await plan({ "requirements.txt": "x\n" }, { baseImage })).baseImage).toBe(baseImage);
  });

  it.each([["ubuntu:24.04\nRUN id"], ["ubuntu 24.04"], ["$BASE"], ["Ubuntu"], ["ubuntu:"], ["-ubuntu"], ["ubuntu:24.04 AS x"], ["ubuntu@sha256:abc"], ["a".repeat(256)], ["ubuntu:" + "a".repeat(129)]])("%j is refused with the flag named", async (baseImage) => {
    const f = await facts({ "requirements.txt": "x\n" });
    expectConfigError(() => makePlan(f, { baseImage, invoking: ROOT }), { file: "--base-image", line: undefined, message: /is not a valid image name/ });
  });
});

describe("makePlan: --appendix", () => {
  it.each([
    ["USER root", "root"],
    ["RUN true\nuser 0", "0"],
    ["USER jovyan\nRUN x\n  USER root:root", "root:root"],
    ["USER \\\n  0:0", "0:0"],
  ])("%j ending as root gives a warning that the image runs as root", async (appendix, who) => {
    const p = await plan({}, { appendix });
    expect(p.messages).toContainEqual({ level: "warn", text: expect.stringContaining(`--appendix ends with USER ${who}, so the image will run as root`) });
    expect(p.messages.find((m) => m.text.includes("--appendix"))!.text).toContain("USER jovyan");
  });

  it.each([["RUN echo USER root"], ["USER root\nUSER jovyan"], ["USER rooty"], ["# USER root"], ["ENV X=1"]])("%j gives no root warning", async (appendix) => {
    const p = await plan({}, { appendix });
    expect(p.messages.filter((m) => m.text.includes("run as root"))).toEqual([]);
  });

  it("a Dockerfile repository ignores --appendix, so it warns nothing about it", async () => {
    const p = await plan({ Dockerfile: DOCKERFILE }, { appendix: "USER root" });
    expect(p.appendix).toBeNull();
    expect(p.messages.filter((m) => m.text.includes("--appendix"))).toEqual([]);
  });
});

describe("makePlan: labels", () => {
  it("a local repository: r2d.version, r2d.buildpack, repo2docker.repo=local and nothing else", async () => {
    const p = await plan({ "environment.yml": ENV_YML });
    expect(p.labels).toEqual({ "r2d.version": R2D_VERSION, "r2d.buildpack": "conda", "repo2docker.repo": "local" });
    expect(R2D_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("a remote repository: its URL, ref and revision", async () => {
    const p = await plan({}, { source: { repo: "https://github.com/o/r", url: "https://github.com/o/r", ref: "main", revision: "abc123" } });
    expect(p.labels).toEqual({
      "r2d.version": R2D_VERSION,
      "r2d.buildpack": "python",
      "repo2docker.repo": "https://github.com/o/r",
      "repo2docker.ref": "main",
      "org.opencontainers.image.source": "https://github.com/o/r",
      "org.opencontainers.image.revision": "abc123",
    });
  });

  it("null ref and revision add no labels", async () => {
    const p = await plan({}, { source: { repo: ".", ref: null, revision: null } });
    expect(Object.keys(p.labels).sort()).toEqual(["r2d.buildpack", "r2d.version", "repo2docker.repo"]);
    expect(p.labels["repo2docker.repo"]).toBe("local");
  });

  it("user labels are added and can override the built-in ones", async () => {
    const p = await plan({}, { labels: { "repo2docker.repo": "override", team: "ml", "r2d.buildpack": "mine" } });
    expect(p.labels).toMatchObject({ "repo2docker.repo": "override", team: "ml", "r2d.buildpack": "mine" });
    // ... but the plan's own buildpack is unaffected.
    expect(p.buildpack).toBe("python");
  });

  it("the Dockerfile pack gets labels too", async () => {
    const p = await plan({ Dockerfile: DOCKERFILE }, { labels: { a: "b" } });
    expect(p.labels).toMatchObject({ "r2d.buildpack": "dockerfile", "repo2docker.repo": "local", a: "b" });
  });
});

describe("makePlan: build context", () => {
  it("generated packs leave data/ out by default, then the user's excludes", async () => {
    expect(DEFAULT_EXCLUDES).toEqual(["data"]);
    expect((await plan({ "requirements.txt": "x\n" })).context).toEqual({ excludes: ["data"], includes: [], ignoreFileDir: "" });
    const p = await plan({ "binder/requirements.txt": "x\n" }, { excludes: ["*.ckpt", "cache/"], includes: ["data/small.csv"] });
    expect(p.context).toEqual({ excludes: ["data", "*.ckpt", "cache/"], includes: ["data/small.csv"], ignoreFileDir: "binder" });
  });

  it("the Dockerfile pack excludes nothing by default, and says so", async () => {
    const p = await plan({ Dockerfile: DOCKERFILE });
    expect(p.context.excludes).toEqual([]);
    expect(p.messages).toContainEqual({ level: "info", text: expect.stringMatching(/Dockerfile repositories keep data\/ in the context/) });
  });

  it("the Dockerfile pack takes the user's excludes as given, without the note", async () => {
    const p = await plan({ Dockerfile: DOCKERFILE }, { excludes: ["weights"] });
    expect(p.context.excludes).toEqual(["weights"]);
    expect(p.messages.some((m) => /keep data\//.test(m.text))).toBe(false);
  });
});

describe("makePlan: what each pack produces", () => {
  it("the Dockerfile pack: no env, entrypoint, command, scripts or appendix; base image is the last FROM", async () => {
    const p = await plan(
      { Dockerfile: "FROM node:20 AS web\nFROM python:3.12-slim\n", postBuild: "echo\n", start: "exec \"$@\"\n", "run.sh": "x\n" },
      { appendix: "RUN echo hi" },
    );
    expect(p).toMatchObject({ env: {}, path: [], entrypoint: [], command: [], scripts: [], postBuild: null, start: null, appendix: null, baseImage: "python:3.12-slim", python: null });
    expect(p.detected).toContainEqual({ path: "run.sh", use: "not the default command: the Dockerfile decides" });
    expect(p.ignored.map((i) => i.path)).toEqual(["postBuild", "start"]);
  });

  it("generated packs: entrypoint, default command, run.sh as the command, appendix kept", async () => {
    expect((await plan({})).command).toEqual(["/bin/bash"]);
    const p = await plan({ "run.sh": "#!/bin/bash\r\npython app.py\r\n" }, { appendix: "RUN echo hi" });
    expect(p.entrypoint).toEqual(["/usr/local/bin/r2d-entrypoint"]);
    expect(p.command).toEqual(["/home/jovyan/run.sh"]);
    expect(p.appendix).toBe("RUN echo hi");
    expect(p.scripts).toEqual([{ path: "run.sh", crlf: true }]);
    expect(p.messages).toContainEqual({ level: "warn", text: expect.stringMatching(/run\.sh has Windows line endings/) });
  });

  it("apt.txt packages are used by generated packs", async () => {
    const p = await plan({ "apt.txt": "vim\ncurl\nvim\n", "requirements.txt": "x\n" });
    expect(p.aptPackages).toEqual(["curl", "vim"]);
    expect(p.detected).toContainEqual({ path: "apt.txt", use: "apt-get install curl vim" });
  });

  it("requirements.txt with local references is installed after the code is copied", async () => {
    const before = await plan({ "requirements.txt": "numpy\n" });
    expect(before.dependencyFiles).toEqual(["requirements.txt"]);
    expect(before.preAssembleSteps).toHaveLength(1);
    expect(before.assembleSteps).toHaveLength(0);
    const after = await plan({ "requirements.txt": "numpy\n-e.\n" });
    expect(after.dependencyFiles).toEqual([]);
    expect(after.preAssembleSteps).toHaveLength(0);
    expect(after.assembleSteps).toHaveLength(1);
  });

  it("suspicious files become warnings", async () => {
    const p = await plan({ "requirement.txt": "numpy\n" });
    expect(p.messages).toContainEqual({ level: "warn", text: "requirement.txt: not a config file r2d reads; did you mean requirements.txt?" });
    expect(p.buildpack).toBe("python");
  });

  it("--base-image replaces the pack's image and says so", async () => {
    const p = await plan({ "runtime.txt": "python-3.11\n" }, { baseImage: "ubuntu:24.04" });
    expect(p.baseImage).toBe("ubuntu:24.04");
    expect(p.baseImageOverridden).toBe(true);
    expect(p.messages).toContainEqual({ level: "info", text: expect.stringMatching(/base image ubuntu:24\.04 replaces python:3\.11-slim-bookworm.*not necessarily 3\.11/) });
  });
});

describe("makePlan: purity and serialisation", () => {
  const repos: Record<string, Record<string, string>> = {
    empty: {},
    python: { "requirements.txt": "numpy\n-e .\n", "setup.py": "", "apt.txt": "vim\n", postBuild: "echo\r\n", start: "exec \"$@\"\n", "run.sh": "x\n" },
    conda: { "environment.yml": ENV_YML, "requirements.txt": "x\n" },
    pipfile: { Pipfile: PIPFILE, "Pipfile.lock": "{}" },
    r: { "runtime.txt": "r-4.4-2024-05-01\n", "install.R": "", "requirements.R": 'pkg_list <- c("a")\n', "environment.yml": ENV_YML },
    dockerfile: { "binder/Dockerfile": DOCKERFILE, "requirements.txt": "x\n" },
  };

  it.each(Object.keys(repos))("the %s plan round-trips through JSON unchanged", async (name) => {
    const p = await plan(repos[name]!, { targetRepoDir: "/srv/repo", labels: { x: "y" }, appendix: "RUN true", source: { repo: "https://x/y", url: "https://x/y", ref: "v1" } });
    expect(JSON.parse(JSON.stringify(p))).toStrictEqual(p);
    expect(p.schemaVersion).toBe(1);
    expect(p.r2dVersion).toBe(R2D_VERSION);
  });

  it("makePlan does not modify the facts, and gives the same plan twice", async () => {
    const f = await facts({ "environment.yml": ENV_YML, "requirements.txt": "x\n", Pipfile: "[bad\n", "binder/": "" });
    const copy = structuredClone(f);
    const a = makePlan(f, { invoking: ROOT });
    const b = makePlan(f, { invoking: ROOT });
    expect(a).toEqual(b);
    expect(f).toEqual(copy);
  });

  it("facts.ignored are carried into the plan before the pack's own", async () => {
    const p = await plan({ "binder/environment.yml": ENV_YML, "binder/requirements.txt": "x\n", "setup.py": "" });
    expect(p.ignored).toEqual([
      { path: "setup.py", reason: expect.stringMatching(/root only/) },
      { path: "binder/requirements.txt", reason: expect.stringMatching(/conda environments ignore requirements\.txt/) },
    ]);
  });
});
