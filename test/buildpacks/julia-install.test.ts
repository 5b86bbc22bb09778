/**
 * The Julia install step's shell, run for real (bash -o pipefail, as the Dockerfile's SHELL) against a
 * local tarball: `curl` and `uname` are stubs, and the image's directories are moved into a temporary
 * folder. What is checked is the step's own logic: download once into the cache, check the sha256,
 * refuse a mismatch, unpack into Julia's directory, and give the depot to the image user.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { JULIA_DEPOT, JULIA_DIR, JULIA_DOWNLOADS, juliaInstallStep } from "../../src/buildpacks/julia.js";
import type { JuliaRelease } from "../../src/buildpacks/julia-releases.js";
import { script, TempFiles } from "../helpers/repo.js";

const temp = new TempFiles();
afterEach(() => temp.cleanup());

interface Sandbox {
  dir: string;
  tarball: string;
  sum: string;
  run(release: JuliaRelease, env?: Record<string, string>): { status: number | null; stderr: string; curlCalls: string[] };
}

async function sandbox(): Promise<Sandbox> {
  const dir = await temp.dir("r2d-julia-install-");
  const tree = { "julia-9.9.9/bin/julia": script("#!/bin/sh\necho fake julia\n"), "julia-9.9.9/share/julia/base.jl": "x\n" };
  const src = await temp.repo(tree);
  const tarball = path.join(dir, "julia.tar.gz");
  expect(spawnSync("tar", ["-czf", tarball, "-C", src, "julia-9.9.9"]).status).toBe(0);
  const sum = createHash("sha256").update(readFileSync(tarball)).digest("hex");
  // Stubs: curl copies $R2D_TEST_SERVE to its -o file and logs its URL; uname prints $R2D_TEST_ARCH.
  writeFileSync(path.join(dir, "curl"), '#!/bin/bash\nwhile [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift;; http*) url="$1";; esac; shift; done\necho "$url" >> "$R2D_TEST_LOG"\ncp "$R2D_TEST_SERVE" "$out"\n', { mode: 0o755 });
  writeFileSync(path.join(dir, "uname"), '#!/bin/sh\necho "$R2D_TEST_ARCH"\n', { mode: 0o755 });
  const moved = (p: string) => path.join(dir, "image", p);
  const run: Sandbox["run"] = (release, env = {}) => {
    const step = juliaInstallStep(release, { uid: process.getuid!(), gid: process.getgid!() });
    // The first command installs curl from apt when the image lacks it: the stub stands in for it.
    const shell = step.commands
      .slice(1)
      .join(" && ")
      .replaceAll(JULIA_DOWNLOADS.target, moved("cache"))
      .replaceAll(JULIA_DIR, moved("opt-julia"))
      .replaceAll(JULIA_DEPOT, moved("srv-julia"));
    const log = path.join(dir, "curl.log");
    writeFileSync(log, "");
    spawnSync("mkdir", ["-p", moved("cache")]);
    const r = spawnSync("bash", ["-o", "pipefail", "-c", shell], {
      env: { PATH: `${dir}:${process.env.PATH}`, HOME: dir, R2D_TEST_LOG: log, R2D_TEST_SERVE: tarball, R2D_TEST_ARCH: "x86_64", ...env },
      encoding: "utf8",
      // stdin from /dev/null: on a socket (node's default pipes), Debian's bash reads ~/.bashrc as if run by sshd.
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { status: r.status, stderr: r.stderr, curlCalls: readFileSync(log, "utf8").split("\n").filter(Boolean) };
  };
  return { dir, tarball, sum, run };
}

describe("the Julia install step", () => {
  it("downloads the tarball for the machine once, checks it, unpacks it and gives the depot to the user", async () => {
    const s = await sandbox();
    const release = { version: "9.9.9", sha256: { x86_64: s.sum, aarch64: "0".repeat(64) } };
    const first = s.run(release);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.curlCalls).toEqual(["https://julialang-s3.julialang.org/bin/linux/x64/9.9/julia-9.9.9-linux-x86_64.tar.gz"]);
    expect(readFileSync(path.join(s.dir, "image/opt-julia/bin/julia"), "utf8")).toContain("fake julia");
    expect(statSync(path.join(s.dir, "image/srv-julia")).uid).toBe(process.getuid!());
    expect(existsSync(path.join(s.dir, "image/cache/julia-9.9.9-linux-x86_64.tar.gz"))).toBe(true);
    // The next build finds the tarball in the cache: no download.
    expect(s.run(release).curlCalls).toEqual([]);
  });

  it("fetches aarch64's tarball on an arm64 machine, and refuses machines Julia has no build for", async () => {
    const s = await sandbox();
    const release = { version: "9.9.9", sha256: { x86_64: "0".repeat(64), aarch64: s.sum } };
    expect(s.run(release, { R2D_TEST_ARCH: "aarch64" }).curlCalls).toEqual(["https://julialang-s3.julialang.org/bin/linux/aarch64/9.9/julia-9.9.9-linux-aarch64.tar.gz"]);
    const odd = s.run(release, { R2D_TEST_ARCH: "s390x" });
    expect(odd.status).not.toBe(0);
    expect(odd.stderr).toContain("r2d: Julia 9.9.9 has no Linux release for this machine's architecture");
  });

  it("refuses a tarball that does not match its recorded sha256, and drops it from the cache", async () => {
    const s = await sandbox();
    const r = s.run({ version: "9.9.9", sha256: { x86_64: "f".repeat(64) } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("r2d: the Julia 9.9.9 tarball does not match its recorded sha256");
    expect(existsSync(path.join(s.dir, "image/cache/julia-9.9.9-linux-x86_64.tar.gz"))).toBe(false);
    expect(existsSync(path.join(s.dir, "image/opt-julia/bin/julia"))).toBe(false);
  });

  it("replaces a corrupt cached tarball when the checksum is known; trusts the cache when none is recorded", async () => {
    const s = await sandbox();
    const cached = path.join(s.dir, "image/cache/julia-9.9.9-linux-x86_64.tar.gz");
    spawnSync("mkdir", ["-p", path.dirname(cached)]);
    writeFileSync(cached, "truncated");
    const checked = s.run({ version: "9.9.9", sha256: { x86_64: s.sum } });
    expect([checked.status, checked.curlCalls.length]).toEqual([0, 1]);
    const unchecked = s.run({ version: "9.9.9" });
    expect([unchecked.status, unchecked.curlCalls.length]).toEqual([0, 0]);
  });
});
