/**
 * The Nix pack's two helper scripts, run for real with stubs for what the test machines cannot reach:
 * `nix-shell` (the wrapper's job is the command line it builds) and the release download (the
 * installer's job is checking the tarball and running its installer the right way).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { NIX_VERSION } from "../../src/buildpacks/nix.js";
import { script, TempFiles } from "../helpers/repo.js";

const SCRIPTS = fileURLToPath(new URL("../../buildpacks/scripts/", import.meta.url));
const temp = new TempFiles();
afterEach(() => temp.cleanup());

/** bash with stdin from /dev/null (on node's socket pipes, Debian's bash would read ~/.bashrc). */
function bash(args: string[], env: Record<string, string>) {
  const r = spawnSync("bash", args, { env: { PATH: process.env.PATH!, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("nix-shell-wrapper: the command, start included, runs inside nix-shell", () => {
  async function stubs() {
    const dir = await temp.repo({
      // The stub records how it was called, marks the shell as Nix's, and runs --run's string with bash (as nix-shell does).
      "bin/nix-shell": script('#!/bin/bash\nprintf "%s\\n" "$@" > "$R2D_TEST_LOG"\n[ "${2:-}" = --run ] || { echo interactive; exit 0; }\nexport IN_NIX_SHELL=impure\nexec bash -c "$3"\n'),
      "start": script('#!/bin/bash\necho "start sees IN_NIX_SHELL=$IN_NIX_SHELL"\nexec "$@"\n'),
    });
    const log = path.join(dir, "nix-shell.log");
    const run = (args: string[], env: Record<string, string> = {}) =>
      bash([path.join(SCRIPTS, "nix-shell-wrapper"), "/home/u/binder/default.nix", path.join(SCRIPTS, "r2d-entrypoint"), ...args], { PATH: `${dir}/bin:${process.env.PATH}`, HOME: dir, R2D_TEST_LOG: log, ...env });
    return { dir, log, run };
  }

  it("hands every argument on unchanged (spaces, quotes, $, empty), inside `nix-shell FILE --run`", async () => {
    const s = await stubs();
    const r = s.run(["printf", "%s|", "a b", "c'd", "$HOME", "", "*"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`a b|c'd|$HOME||*|`);
    expect(readFileSync(s.log, "utf8").split("\n").slice(0, 2)).toEqual(["/home/u/binder/default.nix", "--run"]);
  });

  it("runs the start script inside nix-shell, then the command", async () => {
    const s = await stubs();
    const r = s.run(["echo", "the command"], { R2D_ENTRYPOINT: path.join(s.dir, "start") });
    expect(r.stdout).toBe("start sees IN_NIX_SHELL=impure\nthe command\n");
  });

  it("passes the command's exit status on", async () => {
    const s = await stubs();
    expect(s.run(["bash", "-c", "exit 7"]).status).toBe(7);
  });
});

describe("install-nix: the pinned release, checked, installed single-user without touching profiles or channels", () => {
  async function release(arch = "x86_64") {
    const dir = await temp.dir("r2d-install-nix-");
    const name = `nix-${NIX_VERSION}-${arch}-linux`;
    const src = await temp.repo({ [`${name}/install`]: script('#!/bin/sh\necho "installer: $*" >> "$R2D_TEST_LOG"\n') });
    const tarball = path.join(dir, `${name}.tar.xz`);
    expect(spawnSync("tar", ["-cJf", tarball, "-C", src, name]).status).toBe(0);
    const sum = createHash("sha256").update(readFileSync(tarball)).digest("hex");
    writeFileSync(path.join(dir, "curl"), '#!/bin/bash\nwhile [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift;; http*) echo "curl: $1" >> "$R2D_TEST_LOG";; esac; shift; done\ncp "$R2D_TEST_SERVE" "$out"\n', { mode: 0o755 });
    writeFileSync(path.join(dir, "uname"), `#!/bin/sh\necho ${arch}\n`, { mode: 0o755 });
    const tmp = await temp.dir("r2d-install-nix-tmp-");
    const log = path.join(dir, "log");
    const run = (sums: [string, string]) => ({
      ...bash([path.join(SCRIPTS, "install-nix"), NIX_VERSION, ...sums], { PATH: `${dir}:${process.env.PATH}`, HOME: dir, TMPDIR: tmp, R2D_TEST_LOG: log, R2D_TEST_SERVE: tarball }),
      log: () => readFileSync(log, "utf8"),
      leftovers: () => readdirSync(tmp),
    });
    return { sum, run };
  }

  it("downloads the machine's tarball, checks it and runs its installer with --no-daemon --no-channel-add --no-modify-profile", async () => {
    const r = await release();
    const out = r.run([r.sum, "0".repeat(64)]);
    expect(out.stderr).toBe("");
    expect(out.status).toBe(0);
    expect(out.log()).toBe(`curl: https://releases.nixos.org/nix/nix-${NIX_VERSION}/nix-${NIX_VERSION}-x86_64-linux.tar.xz\ninstaller: --no-daemon --no-channel-add --no-modify-profile\n`);
    expect(out.leftovers()).toEqual([]);
  });

  it("uses the aarch64 tarball and checksum on arm64", async () => {
    const r = await release("aarch64");
    const out = r.run(["0".repeat(64), r.sum]);
    expect(out.status).toBe(0);
    expect(out.log()).toContain(`nix-${NIX_VERSION}-aarch64-linux.tar.xz`);
  });

  it("refuses a tarball that does not match the pinned sha256, before running anything from it", async () => {
    const r = await release();
    const out = r.run(["f".repeat(64), r.sum]);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain(`r2d: the Nix ${NIX_VERSION} tarball does not match its pinned sha256`);
    expect(out.log()).not.toContain("installer:");
    expect(out.leftovers()).toEqual([]);
  });
});
