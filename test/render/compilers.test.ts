/**
 * The builder's compiler decision (issue 13): the dry-run step's text, and the report check run by
 * a real Python on reports shaped like pip's.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { BuildPlan } from "../../src/plan/types.js";
import { compilerCheckStep, WHEELS_ONLY_CHECK } from "../../src/render/compilers.js";

const plan = { user: { name: "jovyan", uid: 1000, gid: 100 }, home: "/home/jovyan" } as BuildPlan;
const python = spawnSync("python3", ["-c", "0"]).status === 0;

function check(report: unknown): { status: number | null; out: string } {
  const r = spawnSync("python3", ["-I", "-c", WHEELS_ONLY_CHECK], { input: typeof report === "string" ? report : JSON.stringify(report), encoding: "utf8" });
  return { status: r.status, out: r.stdout.trim() };
}

const item = (name: string, download_info: Record<string, unknown>) => ({ download_info, metadata: { name, version: "1" } });
const wheel = (name: string) => item(name, { url: `http://127.0.0.1/packages/${name}-1-py3-none-any.whl#sha256=ab`, archive_info: {} });

describe("compilerCheckStep", () => {
  it("is a step only when pip decides", () => {
    expect(compilerCheckStep(plan, { when: "always" })).toBeNull();
    expect(compilerCheckStep(plan, { when: "never" })).toBeNull();
  });

  it("runs pip as the user on the quoted install arguments, piping the report (no file)", () => {
    const step = compilerCheckStep(plan, { when: "if-not-wheels", python: "/srv/venv/bin/python", pipArgs: ["-r", "dir $(x)/req's.txt"] })!;
    const text = step.commands.join("\n");
    expect(step.user).toBe("root");
    expect(step.mountsForUser).toBe(true);
    expect(text).toContain("setpriv --reuid=1000 --regid=100 --clear-groups env HOME=/home/jovyan PIP_CONFIG_FILE=");
    expect(text).toContain(`--report - -r 'dir $(x)/req'\\''s.txt' | /srv/venv/bin/python -I -c`);
    expect(text).toMatch(/^if command -v cc >\/dev\/null; then .*; elif setpriv .*; then :; else .*apt-get install -y -q --no-install-recommends build-essential; \}; fi$/m);
    expect(step.commands.filter((c) => c.includes("\n"))).toEqual([]);
  });
});

describe.skipIf(!python)("the report check", () => {
  it("passes when every package is a wheel", () => {
    expect(check({ install: [wheel("a"), wheel("b")] })).toEqual({ status: 0, out: "r2d: 2 packages, all wheels: no C compiler needed" });
    expect(check({ install: [] }).status).toBe(0);
  });

  it("fails, naming them, for sdists, local folders, VCS and URL archives", () => {
    const report = {
      install: [
        wheel("a"),
        item("sdist", { url: "http://127.0.0.1/packages/sdist-1.tar.gz", archive_info: {} }),
        item("local", { url: "file:///home/jovyan", dir_info: {} }),
        item("vcs", { url: "https://example.org/x.git", vcs_info: { vcs: "git" } }),
        item("zip", { url: "https://example.org/x.zip?whl=1.whl", archive_info: {} }),
      ],
    };
    expect(check(report)).toEqual({ status: 1, out: "r2d: not wheels, so build-essential: sdist, local, vcs, zip" });
  });

  it("fails when there is no report (pip too old or the dry run failed)", () => {
    expect(check("").status).not.toBe(0);
    expect(check("Usage: pip install [options]").status).not.toBe(0);
  });
});
