/** The render's safety pieces, run for real where they are shell: the --target-repo-dir guard, apt's `--`. */
import { spawnSync } from "node:child_process";
import { chown, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { detectRepo } from "../../src/detect/index.js";
import { ConfigError } from "../../src/errors.js";
import { makePlan, type PlanOptions } from "../../src/plan/index.js";
import { renderDockerfile } from "../../src/render/index.js";
import { bare, envValue, jsonForm } from "../../src/render/syntax.js";
import { TempFiles } from "../helpers/repo.js";

const ROOT = { uid: 0, name: "root" };
const temps = new TempFiles();
afterEach(() => temps.cleanup());

const temp = () => temps.dir("r2d-render-");

async function render(files: Record<string, string>, options: PlanOptions = {}): Promise<string> {
  const repo = await temps.repo(files, "r2d-render-");
  return renderDockerfile(makePlan(await detectRepo(repo), { invoking: ROOT, ...options }));
}

/** The guard's command as the Dockerfile has it (one `&&` part of the root step). */
function guardOf(dockerfile: string): string {
  const line = dockerfile.split("\n").find((l) => l.includes("d=/"));
  if (!line) throw new Error("no --target-repo-dir guard in the Dockerfile");
  return line.replace(/^\s*&& /, "").replace(/ \\$/, "");
}

const runGuard = (command: string) => spawnSync("bash", ["-o", "pipefail", "-c", `${command} && echo passed`], { encoding: "utf8" });

describe("the --target-repo-dir guard in the root step", () => {
  const myUid = process.getuid?.() ?? 1000;
  // The image user: someone else when the test runs as root (a plan never has uid 0).
  const imageUid = myUid === 0 ? 4242 : myUid;

  async function guardFor(dir: string): Promise<string> {
    const dockerfile = await render({ "requirements.txt": "x\n" }, { targetRepoDir: dir, userId: imageUid });
    const guard = guardOf(dockerfile);
    // Before the directory is made and handed over.
    const lines = dockerfile.split("\n");
    const at = (s: string) => lines.findIndex((l) => l.includes(s));
    expect(at("d=/")).toBeLessThan(at("mkdir -p --"));
    expect(at("mkdir -p --")).toBeLessThan(at(`chown ${imageUid}:${imageUid} --`));
    return guard;
  }

  it("is absent when the repository lands in the home", async () => {
    expect(await render({ "requirements.txt": "x\n" })).not.toContain("d=/");
  });

  it("a directory the base image does not have, or has empty, is taken", async () => {
    const base = await temp();
    expect(runGuard(await guardFor(`${base}/new/repo`)).stdout).toContain("passed");
    await mkdir(`${base}/empty`);
    expect(runGuard(await guardFor(`${base}/empty`)).stdout).toContain("passed");
  });

  it("a populated directory someone else owns fails the build with a clear message", async () => {
    const base = await temp();
    await mkdir(`${base}/opt`);
    await writeFile(`${base}/opt/tool`, "x");
    const r = runGuard(await guardFor(`${base}/opt`));
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain("passed");
    expect(r.stderr).toContain(`r2d: --target-repo-dir ${base}/opt already exists in the base image, is not empty and is not owned by the image user (uid ${imageUid}), so r2d will not take it over; choose a new directory such as /srv/repo`);
  });

  it("a populated directory the image user already owns is fine", async () => {
    const base = await temp();
    await mkdir(`${base}/work`);
    await writeFile(`${base}/work/notes`, "x");
    if (myUid === 0) await chown(`${base}/work`, imageUid, imageUid);
    expect(runGuard(await guardFor(`${base}/work`)).stdout).toContain("passed");
  });

  it("a symbolic link, or a path through one, fails the build (chown would follow it)", async () => {
    const base = await temp();
    await mkdir(`${base}/real`);
    await symlink(`${base}/real`, `${base}/link`);
    for (const dir of [`${base}/link`, `${base}/link/repo`]) {
      const r = runGuard(await guardFor(dir));
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`--target-repo-dir ${dir} is or passes through a symbolic link in the base image`);
    }
  });

  it("a file where the directory should be fails the build", async () => {
    const base = await temp();
    await writeFile(`${base}/file`, "");
    expect(runGuard(await guardFor(`${base}/file`)).status).toBe(1);
    await rm(`${base}/file`);
  });
});

describe("apt.txt in the root step", () => {
  it("packages come after --, quoted, so none can be an apt-get option", async () => {
    const dockerfile = await render({ "requirements.txt": "x\n", "apt.txt": "vim\nfoo=1.0~rc1\ng++\n" });
    expect(dockerfile).toContain("apt-get install -y -q --no-install-recommends -- 'foo=1.0~rc1' g++ vim");
  });
});

describe("Dockerfile quoting helpers", () => {
  it("bare values: plain only, never a flag", () => {
    expect(bare("ubuntu:24.04", "--base-image")).toBe("ubuntu:24.04");
    for (const bad of ["a b", "$X", "-x", "--platform=linux/arm64", "a\nb", "", "é"]) expect(() => bare(bad, "--base-image")).toThrow(ConfigError);
  });

  it("ENV values: bare when plain, else double-quoted with \\ \" $ escaped; newlines refused", () => {
    expect(envValue("/srv/repo", "REPO_DIR")).toBe("/srv/repo");
    expect(envValue(`a b"$c\\`, "X")).toBe(`"a b\\"\\$c\\\\"`);
    expect(envValue("", "X")).toBe('""');
    expect(() => envValue("a\nb", "X")).toThrow(/newline or control character/);
  });

  it("JSON form: COPY refuses what Docker would substitute or unquote in it", () => {
    expect(jsonForm(["src/a b", "/srv/a b"], "x", { substitutes: true })).toBe('["src/a b","/srv/a b"]');
    for (const bad of ["$x", "a'b", 'a"b', "a\\b", "a\nb"]) expect(() => jsonForm([bad], "binder/x", { substitutes: true })).toThrow(/cannot be written into the Dockerfile/);
    expect(jsonForm(["/srv/$x'\"\\"], "CMD")).toBe(JSON.stringify(["/srv/$x'\"\\"]));
  });

  it("a control character in a comment (a step title) cannot start an instruction", async () => {
    const facts = await detectRepo(await temps.repo({ "requirements.txt": "x\n" }));
    const plan = makePlan(facts, { invoking: ROOT });
    plan.preAssembleSteps[0]!.title = "pip\nRUN reboot";
    const dockerfile = renderDockerfile(plan);
    expect(dockerfile).toContain("# pip RUN reboot\n");
    expect(dockerfile).not.toMatch(/^RUN reboot/m);
  });
});
