/**
 * Interrupts of the compiled CLI against the real engine, at each phase (planning, context,
 * building, exporting, running) with SIGINT, SIGTERM and SIGKILL. Before and after each:
 * r2d's TMPDIR (no r2d-* folder: for SIGKILL the watchdog removes it), processes (no build
 * client left), `docker ps -a` (no container from the run), `docker images` (no image from the
 * run, and the name still points where it pointed: an interrupted build never sets or moves
 * the tag). Then SIGKILL of r2d and its watchdog together: the next run's sweep removes the
 * folder and its pip.conf.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, utimes } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { script } from "../helpers/repo.js";
import { childrenOf, eventually, logLine, phase, processesMentioning, r2dEntries, slowDocker, startCli, step, type CliProcess } from "../infra/cli-process.js";
import { CLI, compileCli, docker, imageId, Scope } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
let tools: string;
beforeAll(async () => {
  infra = await loadInfra();
  await compileCli();
  tools = await scope.tmp("r2d-itg-tools-");
});
afterAll(() => scope.dispose());

type Phase = "planning" | "context" | "building" | "exporting" | "running";
type Sig = "SIGINT" | "SIGTERM" | "SIGKILL";

/** A committed repository (built from its file:// URL, so a clone sits in the run folder too). */
async function gitRepo(postBuild: string): Promise<string> {
  const repo = await scope.repo({ "requirements.txt": `${infra.pyDep}\n`, postBuild: script(postBuild), "main.py": "print('hi')\n" });
  const git = (args: string[]) => execa("git", args, { cwd: repo });
  await git(["init", "-q", "-b", "main"]);
  await git(["add", "-A"]);
  await git(["-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "repo"]);
  return repo;
}

interface Run {
  cli: CliProcess;
  tmp: string;
  name: string;
  label: string;
  /** What the name pointed at before (the base image: so a moved tag shows). */
  before: string;
}

async function start(which: Phase): Promise<Run> {
  const marker = randomBytes(6).toString("hex");
  // A unique line: the build step is never cached from an earlier run.
  const body: Record<Phase, string> = {
    planning: "true",
    context: "true",
    building: "sleep 120",
    // A large layer, so exporting it takes a moment.
    exporting: 'head -c 300000000 /dev/urandom > "$HOME/big.bin"',
    running: "true",
  };
  const repo = await gitRepo(`#!/bin/bash\necho "started ${marker}"\n${body[which]}\n`);
  const tmp = await scope.tmp("r2d-itg-tmpdir-");
  const name = scope.image(`interrupt-${which}`);
  const label = `r2d.itg.run=${marker}`;
  await docker(infra, ["tag", infra.baseDebian, name]);
  const before = (await imageId(infra, name))!;
  const slow = which === "planning" || which === "context" ? await slowDocker(tools, infra.docker, which === "planning" ? { version: 3 } : { network: 3 }) : infra.docker;
  const args = [`file://${repo}`, "--image-name", name, "--json", "--base-image", infra.basePython, "--pip-index-url", infra.pipIndex, "--label", label];
  // Without --build-network the bridge check runs (slowed down for the context phase); the daemon has none, so builds use the host network.
  if (which !== "context") args.push("--build-network", "host");
  args.push(...(which === "running" ? ["--", "sleep", "120"] : ["--no-run"]));
  const cli = startCli(CLI, args, { TMPDIR: tmp, XDG_CACHE_HOME: path.join(tmp, "cache"), R2D_DOCKER: slow });
  return { cli, tmp, name, label, before };
}

const containersOf = async (label: string) => String((await docker(infra, ["ps", "-a", "-q", "--filter", `label=${label}`])).stdout).trim();
const imagesOf = async (label: string) => String((await docker(infra, ["images", "-a", "-q", "--filter", `label=${label}`])).stdout).trim();
const namesOf = async (label: string) =>
  String((await docker(infra, ["images", "-a", "--format", "{{.Repository}}:{{.Tag}}", "--filter", `label=${label}`])).stdout)
    .split("\n")
    .filter(Boolean);

/** Waits until r2d is in the phase (and, while building, holds a run folder with the secret). */
async function reach(run: Run, which: Phase): Promise<void> {
  const { cli } = run;
  if (which === "planning" || which === "context") {
    await cli.waitFor(phase(which));
    await new Promise((r) => setTimeout(r, 700)); // inside the slowed-down docker call
  } else if (which === "building") {
    await cli.waitFor(logLine("started "));
    const [dir] = await r2dEntries(run.tmp);
    expect(dir, "a run folder while building").toBeDefined();
    expect(existsSync(path.join(run.tmp, dir!, "secrets", "pip.conf")), "the pip.conf secret while building").toBe(true);
    expect(await readdir(path.join(run.tmp, dir!))).toContain("clone");
  } else if (which === "exporting") {
    await cli.waitFor(step("exporting to image"));
  } else {
    await cli.waitFor(phase("running"));
    expect(await eventually(async () => (await containersOf(run.label)) !== "", 30_000), "the container started").toBe(true);
  }
  expect(await r2dEntries(run.tmp), "r2d's run folder").toHaveLength(1);
}

async function expectClean(run: Run, which: Phase, sig: Sig): Promise<void> {
  const result = await run.cli.exited;
  if (sig === "SIGKILL") {
    expect(result.signal).toBe("SIGKILL");
  } else {
    expect(result.exitCode, run.cli.stderr()).toBe(sig === "SIGINT" ? 130 : 143);
    expect(run.cli.stderr()).toContain(`interrupted by ${sig}; temporary files and containers removed`);
  }
  // SIGKILL: the watchdog stops the client (SIGINT, SIGKILL 3 s later), removes the container and the folder.
  const wait = sig === "SIGKILL" ? 20_000 : 0;
  expect(await eventually(async () => (await r2dEntries(run.tmp)).length === 0, wait), `left in TMPDIR: ${(await r2dEntries(run.tmp)).join(", ")}`).toBe(true);
  expect(await eventually(async () => (await processesMentioning(run.tmp)).length === 0, wait + 8000), (await processesMentioning(run.tmp)).join("\n")).toBe(true);
  expect(await eventually(async () => (await containersOf(run.label)) === "", wait), "containers of the run").toBe(true);
  if (which === "running") {
    // The build had finished: its image is named, and is the only one of the run.
    expect(await imagesOf(run.label)).toBe((await imageId(infra, run.name))!.replace(/^sha256:/, "").slice(0, 12));
  } else if (which === "exporting" && sig === "SIGKILL") {
    // The engine finishes an export it has begun even when the client is gone, and then nobody
    // knows the new image's ID: it may stay, but never under a name (docker image prune removes it).
    expect((await namesOf(run.label)).filter((n) => n !== "<none>:<none>"), "names of the run's images").toEqual([]);
    expect(await imageId(infra, run.name), "the tag did not move").toBe(run.before);
    for (const id of (await imagesOf(run.label)).split("\n").filter(Boolean)) await docker(infra, ["image", "rm", id]);
  } else {
    expect(await imagesOf(run.label), "images of the run").toBe("");
    expect(await imageId(infra, run.name), "the tag did not move").toBe(run.before);
  }
}

const PHASES: Phase[] = ["planning", "context", "building", "exporting", "running"];
const SIGNALS: Sig[] = ["SIGINT", "SIGTERM", "SIGKILL"];

describe.each(PHASES)("interrupted while %s", (which) => {
  it.each(SIGNALS)("%s: clean exit, no folder, process, container, image or tag left", async (sig) => {
    const run = await start(which);
    try {
      await reach(run, which);
      const t0 = Date.now();
      run.cli.child.kill(sig);
      await run.cli.exited;
      expect(Date.now() - t0).toBeLessThan(30_000);
      await expectClean(run, which, sig);
      if (sig === "SIGKILL" && which === "building") {
        // The case: the orphaned `docker build` tagged the image 15 s later.
        await new Promise((r) => setTimeout(r, 15_000));
        expect(await imageId(infra, run.name)).toBe(run.before);
        expect(await imagesOf(run.label)).toBe("");
      }
    } finally {
      run.cli.child.kill("SIGKILL");
    }
  });
});

describe("r2d and its watchdog both killed", () => {
  it("leave the run folder (with pip.conf) that the next run's sweep removes", async () => {
    const run = await start("building");
    await reach(run, "building");
    const watchdog = (await childrenOf(run.cli.pid)).find((c) => c.args.includes("r2d-watchdog"));
    expect(watchdog, "r2d's watchdog").toBeDefined();
    process.kill(watchdog!.pid, "SIGKILL");
    run.cli.child.kill("SIGKILL");
    await run.cli.exited;
    const [left] = await r2dEntries(run.tmp);
    expect(left).toMatch(/^r2d-\d+-[A-Za-z0-9]{6}$/);
    expect(existsSync(path.join(run.tmp, left!, "secrets", "pip.conf"))).toBe(true);
    // Nothing stops the orphaned client now but us.
    for (const p of await processesMentioning(run.tmp)) process.kill(Number(p.split(" ")[0]), "SIGKILL");

    // Not yet a minute old: a run in another PID namespace could own it, so the sweep waits.
    const next = async () => {
      const repo = await scope.repo({ Dockerfile: `FROM ${infra.baseDebian}\n` });
      const r = await execa(process.execPath, [CLI, repo, "--image-name", scope.image("sweeper"), "--no-run"], { env: { TMPDIR: run.tmp, R2D_DOCKER: infra.docker }, reject: false, stdin: "ignore" });
      expect(r.exitCode, String(r.stderr)).toBe(0);
    };
    await next();
    expect(await r2dEntries(run.tmp)).toEqual([left]);
    const old = (Date.now() - 5 * 60_000) / 1000;
    await utimes(path.join(run.tmp, left!), old, old);
    await next();
    expect(await r2dEntries(run.tmp)).toEqual([]);
    expect(await imageId(infra, run.name)).toBe(run.before);
  });
});
