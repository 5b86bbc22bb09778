/**
 * Build and runtime stages, --target dev, --config-dir and --group-id (issue 12), planned and
 * rendered from temporary repositories. The shapes asserted here are the ones BuildKit needs to
 * run independent stages in parallel and to keep code-only rebuilds out of the builder.
 */
import { readFileSync } from "node:fs";
import { DockerfileParser } from "dockerfile-ast";
import { afterEach, describe, expect, it } from "vitest";
import { detectRepo, type DetectOptions } from "../../src/detect/index.js";
import { makePlan, type BuildPlan, type PlanOptions } from "../../src/plan/index.js";
import { renderDockerfile } from "../../src/render/index.js";
import { TempFiles, type Tree } from "../helpers/repo.js";

const ROOT = { uid: 0, name: "root" };
const temp = new TempFiles();
afterEach(() => temp.cleanup());

async function plan(files: Tree, options: PlanOptions & DetectOptions = {}): Promise<{ plan: BuildPlan; dockerfile: string }> {
  const facts = await detectRepo(await temp.repo(files, "r2d-stages-"), { configDir: options.configDir });
  const p = makePlan(facts, { invoking: ROOT, ...options });
  return { plan: p, dockerfile: renderDockerfile(p) };
}

/** Each stage's instructions, by stage name. */
function stages(dockerfile: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] = [];
  for (const ins of DockerfileParser.parse(dockerfile).getInstructions()) {
    // The instruction as written, flags included, continuation lines joined.
    const text = ins.getTextContent().replace(/\s*\\\n\s*/g, " ");
    if (ins.getKeyword() === "FROM") {
      current = [];
      out.set(/\sAS\s+(\S+)$/i.exec(text)?.[1] ?? "", current);
    }
    current.push(text);
  }
  return out;
}

const CRESSET: Tree = {
  "dependencies/requirements.txt": "numpy\n",
  "dependencies/apt.txt": "libgomp1\n",
  "dependencies/apt-build.txt": "libopenblas-dev\n",
  "dependencies/apt-runtime.txt": "libopenblas0\n",
  "dependencies/apt-dev.txt": "git\nvim-tiny\n",
  "dependencies/requirements-dev.txt": "pytest\n",
  "train.py": "print('hi')\n",
};

describe("builder and runtime stages", () => {
  it("the environment is built in the builder, with apt-build.txt; the runtime stage gets apt-runtime.txt and the venv only", async () => {
    const { plan: p, dockerfile } = await plan(CRESSET, { configDir: "dependencies" });
    expect(p.configDir).toBe("dependencies");
    expect(p.stages).toEqual({ compilers: { when: "always" }, buildPackages: ["libopenblas-dev"], runtimePackages: ["libopenblas0"], copies: ["/srv/venv"] });
    expect(p.aptPackages).toEqual(["libgomp1"]);
    const s = stages(dockerfile);
    expect([...s.keys()]).toEqual(["r2d-base", "builder", "runtime"]);
    const builder = s.get("builder")!.join("\n");
    expect(builder).toMatch(/^FROM r2d-base AS builder/);
    expect(builder).toContain("pkgs=(libopenblas-dev); command -v cc >/dev/null || pkgs+=(build-essential)");
    expect(builder).toContain("pip install --disable-pip-version-check -r dependencies/requirements.txt");
    // The builder never sees the code when nothing needs it: a code change leaves it cached.
    expect(builder).not.toContain('"src/"');
    const runtime = s.get("runtime")!;
    expect(runtime[0]).toBe("FROM r2d-base AS runtime");
    // The runtime stage's apt install comes before the copy from the builder, so BuildKit runs it in parallel with the build.
    const apt = runtime.findIndex((l) => l.includes("libopenblas0"));
    const fromBuilder = runtime.findIndex((l) => l.startsWith("COPY --from=builder"));
    expect(apt).toBeGreaterThan(0);
    expect(apt).toBeLessThan(fromBuilder);
    expect(runtime.filter((l) => l.startsWith("COPY --from="))).toEqual(['COPY --from=builder --chown=1000:1000 ["/srv/venv","/srv/venv"]']);
    expect(runtime.join("\n")).not.toMatch(/build-essential|libopenblas-dev|pip install/);
    // apt.txt is in the shared base: the builder compiles against it and the runtime image has it.
    expect(s.get("r2d-base")!.join("\n")).toContain("libgomp1");
    expect(dockerfile).not.toMatch(/AS dev/);
    expect(p.messages.map((m) => m.text)).toContain("dependencies/apt-dev.txt is for the dev image: build it with --target dev");
  });

  it("installs that need the code run in the builder after its own copy of the repository", async () => {
    const { dockerfile } = await plan({ "setup.py": "from setuptools import setup\nsetup(name='x')\n" });
    const s = stages(dockerfile);
    expect(s.get("builder")!.join("\n")).toMatch(/COPY --chown=1000:1000 \["src\/","\/home\/jovyan\/"\][\s\S]*pip install --disable-pip-version-check \./);
    expect(s.get("runtime")!.join("\n")).not.toContain("pip install");
  });

  it("a requirements.txt alone: no compiler at the builder's start; pip's dry run decides after the copy, before the install", async () => {
    const { plan: p, dockerfile } = await plan({ "requirements.txt": "six\n" });
    expect(p.stages?.compilers).toEqual({ when: "if-not-wheels", python: "/srv/venv/bin/python", pipArgs: ["-r", "requirements.txt"] });
    const builder = stages(dockerfile).get("builder")!;
    expect(builder.join("\n")).not.toContain("command -v cc >/dev/null || pkgs+=(build-essential)");
    const copy = builder.findIndex((l) => l.startsWith("COPY") && l.includes("requirements.txt"));
    const check = builder.findIndex((l) => l.includes("--dry-run --ignore-installed --report - -r requirements.txt"));
    const install = builder.findIndex((l) => l.includes("pip install --disable-pip-version-check -r requirements.txt"));
    expect(copy).toBeGreaterThan(0);
    expect(check).toBeGreaterThan(copy);
    expect(install).toBeGreaterThan(check);
    expect(builder.slice(check - 1, check + 2).map((l) => l.split(" ")[0])).toEqual(["USER", "RUN", "USER"]);
    // The dry run shares the user's pip cache and index secret; apt's caches stay root's.
    expect(builder[check]).toContain("--mount=type=cache,id=r2d-pip-1000,target=/tmp/r2d-cache/pip,uid=1000,gid=1000");
    expect(builder[check]).toContain("--mount=type=secret,id=r2d-pip-conf,uid=1000");
    expect(builder[check]).toContain("--mount=type=cache,id=r2d-apt-cache,target=/var/cache/apt,sharing=locked");
  });

  it("compilers at the builder's start with apt-build.txt, or when the code is installed", async () => {
    for (const files of [{ "requirements.txt": "six\n", "apt-build.txt": "libfoo-dev\n" }, { "requirements.txt": "six\n", "setup.py": "" }, { "requirements.txt": "-e .\n" }] as Tree[]) {
      const { plan: p, dockerfile } = await plan(files);
      expect(p.stages?.compilers, Object.keys(files).join()).toEqual({ when: "always" });
      expect(dockerfile).toContain("command -v cc >/dev/null || pkgs+=(build-essential)");
      expect(dockerfile).not.toContain("--dry-run");
    }
  });

  it("a lock file: compilers decided when planning, from its wheels (with --base-image: by pip's dry run)", async () => {
    const lock = readFileSync(new URL("../../fixtures/uv-lock/repo/uv.lock", import.meta.url), "utf8");
    const wheels = await plan({ "uv.lock": lock });
    expect(wheels.plan.stages?.compilers).toEqual({ when: "never" });
    expect(wheels.dockerfile).not.toMatch(/build-essential|--dry-run/);
    // r2d-greet with an sdist only: it may compile.
    const sdist = await plan({ "uv.lock": lock.replace(/wheels = \[\{ url = "https:\/\/files\.example\/r2d_greet[^\n]*/, 'sdist = { url = "https://files.example/r2d_greet-1.0.0.tar.gz", hash = "sha256:' + "a".repeat(64) + '" }') });
    expect(sdist.plan.stages?.compilers).toEqual({ when: "always" });
    expect(sdist.dockerfile).toContain("command -v cc >/dev/null || pkgs+=(build-essential)");
    const based = await plan({ "uv.lock": lock }, { baseImage: "python:3.12-slim" });
    expect(based.plan.stages?.compilers).toEqual({ when: "if-not-wheels", python: "/srv/venv/bin/python", pipArgs: ["--no-deps", "--require-hashes", "-r", "/usr/local/lib/r2d/pinned-requirements.txt"] });
  });

  it("postBuild runs in the runtime image, where the environment is the user's", async () => {
    const { dockerfile } = await plan({ "requirements.txt": "six\n", postBuild: { content: "#!/bin/sh\npip install rich\n", mode: 0o755 } });
    const runtime = stages(dockerfile).get("runtime")!;
    expect(runtime.at(-3)).toMatch(/^RUN \.\/postBuild/);
    expect(runtime.join("\n")).toContain("COPY --from=builder");
  });

  it("one stage where nothing is installed, and for packs that install outside their environment folders", async () => {
    for (const files of [{ "train.py": "" }, { "Project.toml": "[deps]\n" }, { "default.nix": "{}\n" }] as Tree[]) {
      const { plan: p, dockerfile } = await plan({ ...files, "apt-build.txt": "libfoo-dev\n", "apt-runtime.txt": "libfoo1\n" });
      expect(p.stages, Object.keys(files)[0]).toBeNull();
      expect(dockerfile).not.toMatch(/^FROM .* AS /m);
      // Both apt files still apply, in the one image.
      expect(p.aptPackages).toEqual(expect.arrayContaining(["libfoo-dev", "libfoo1"]));
    }
  });

  it("conda environments are copied as their folder; R builds in one stage (install.R may write anywhere)", async () => {
    const conda = await plan({ "environment.yml": "dependencies:\n  - numpy\n" });
    expect(conda.plan.stages?.copies).toEqual(["/srv/conda"]);
    const r = await plan({ "runtime.txt": "r-4.3-2024-01-15\n", "install.R": "install.packages('x')\n" });
    expect(r.plan.stages).toBeNull();
    expect(r.dockerfile).not.toMatch(/^FROM .* AS builder/m);
  });

  it("a bad apt-build.txt is refused naming the file and line", async () => {
    const err = await plan({ "requirements.txt": "six\n", "apt-build.txt": "gcc\n--allow-unauthenticated\n" }).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/apt-get option/);
    expect(err).toMatchObject({ location: { file: "apt-build.txt", line: 2 } });
  });
});

describe("--target dev", () => {
  it("a dev stage after runtime: apt-dev.txt as root, requirements-dev.txt with the environment's pip", async () => {
    const runtime = await plan(CRESSET, { configDir: "dependencies" });
    const { plan: p, dockerfile } = await plan(CRESSET, { configDir: "dependencies", target: "dev" });
    expect(p.target).toBe("dev");
    expect(p.dev?.aptPackages).toEqual(["git", "vim-tiny"]);
    const s = stages(dockerfile);
    expect([...s.keys()]).toEqual(["r2d-base", "builder", "runtime", "dev"]);
    const dev = s.get("dev")!.join("\n");
    expect(dev).toMatch(/^FROM runtime AS dev/);
    expect(dev).toContain("-- git vim-tiny");
    expect(dev).toContain("pip install --disable-pip-version-check -r dependencies/requirements-dev.txt");
    // The runtime image has no compiler: pip's dry run of requirements-dev.txt decides, before its install.
    expect(p.dev?.compilers).toEqual({ when: "if-not-wheels", python: "python", pipArgs: ["-r", "dependencies/requirements-dev.txt"] });
    const check = dev.indexOf("python -m pip install --disable-pip-version-check -q --dry-run --ignore-installed --report - -r dependencies/requirements-dev.txt");
    expect(check).toBeGreaterThan(dev.indexOf("-- git vim-tiny"));
    expect(check).toBeLessThan(dev.indexOf("pip install --disable-pip-version-check -r dependencies/requirements-dev.txt"));
    expect(p.secrets.map((x) => x.id)).toContain("r2d-pip-conf");
    // Every instruction of the runtime image is the same text, so both targets share its cached layers.
    expect(dockerfile.startsWith(runtime.dockerfile.slice(0, runtime.dockerfile.indexOf("\nENTRYPOINT")))).toBe(true);
    const users = DockerfileParser.parse(dockerfile).getInstructions().filter((i) => i.getKeyword() === "USER");
    expect(users.at(-1)?.getArgumentsContent()).toBe("jovyan");
  });

  it("in one stage too; an unknown target and a Dockerfile repository are refused naming --target", async () => {
    const { dockerfile } = await plan({ "Project.toml": "[deps]\n", "apt-dev.txt": "gdb\n" }, { target: "dev" });
    expect(stages(dockerfile).has("dev")).toBe(true);
    expect(dockerfile).toMatch(/AS runtime\n/);
    await expect(plan({ "requirements.txt": "" }, { target: "debug" })).rejects.toMatchObject({ location: { file: "--target" } });
    await expect(plan({ Dockerfile: "FROM x\n" }, { target: "dev" })).rejects.toMatchObject({ location: { file: "--target" } });
  });
});

describe("--config-dir", () => {
  it("reads the folder with binder/'s rules; root config files are then ignored", async () => {
    const { plan: p } = await plan({ "conf/requirements.txt": "six\n", "requirements.txt": "numpy\n", "binder/apt.txt": "curl\n" }, { configDir: "conf/" });
    expect(p.configDir).toBe("conf");
    expect(p.detected.map((d) => d.path)).toContain("conf/requirements.txt");
    expect(p.ignored.map((d) => d.path)).toContain("requirements.txt");
    expect(p.aptPackages).toEqual([]);
  });

  it("refuses a folder that is missing, not a folder, or leaves the repository, naming the flag", async () => {
    for (const dir of ["nope", "file.txt", "../", "/etc", "out"]) {
      await expect(plan({ "file.txt": "", out: { symlink: "/tmp" } }, { configDir: dir }), dir).rejects.toMatchObject({ name: "ConfigError", location: { file: "--config-dir" } });
    }
  });
});

describe("--group-id", () => {
  it("the primary group gets the gid; chowns, COPYs and the user's caches use uid:gid", async () => {
    const { plan: p, dockerfile } = await plan({ "requirements.txt": "six\n" }, { userId: 1234, groupId: 2345 });
    expect(p.user).toMatchObject({ uid: 1234, gid: 2345 });
    expect(dockerfile).toContain("groupadd --gid 2345 jovyan");
    expect(dockerfile).toContain("useradd --no-log-init --uid 1234 --gid 2345");
    expect(dockerfile).toContain("chown 1234:2345 -- /home/jovyan /srv");
    expect(dockerfile).toContain('COPY --chown=1234:2345 ["src/","/home/jovyan/"]');
    expect(dockerfile).toContain('COPY --from=builder --chown=1234:2345 ["/srv/venv","/srv/venv"]');
    expect(dockerfile).toContain("id=r2d-pip-1234,target=/tmp/r2d-cache/pip,uid=1234,gid=2345");
    expect(dockerfile).not.toMatch(/1234:1234|gid=1234/);
  });

  it("defaults to the caller's gid, the uid's number with --user-id, 1000 for root; 0 is refused", async () => {
    expect((await plan({}, { invoking: { uid: 1500, gid: 1600, name: "alice" } })).plan.user.gid).toBe(1600);
    expect((await plan({}, { invoking: { uid: 1500, gid: 1600, name: "alice" }, userId: 1700 })).plan.user.gid).toBe(1700);
    expect((await plan({})).plan.user.gid).toBe(1000);
    await expect(plan({}, { groupId: 0 })).rejects.toMatchObject({ name: "ConfigError", location: { file: "--group-id" }, message: expect.stringMatching(/--group-id 0 would make root's group/) });
    await expect(plan({}, { groupId: "staff" })).rejects.toMatchObject({ name: "ConfigError", location: { file: "--group-id" } });
  });
});
