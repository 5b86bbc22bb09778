/**
 * The terminal display in a real pseudo-terminal: r2d runs in a tmux pane of 80 or 120 columns
 * against the real engine, and the tests read the screen (`tmux capture-pane`) while a postBuild
 * step runs and after the image has run: one live block, redrawn in place, never wider than the
 * terminal (also after a resize), steps in words and in build order, `r2d: built` before the run.
 */
import { randomBytes } from "node:crypto";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { CLI, compileCli, Scope } from "../integration/helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
const SOCKET = `r2d-terminal-test-${process.pid}`;
const tmux = (args: string[]) => execa("tmux", ["-L", SOCKET, ...args], { reject: false });

beforeAll(async () => {
  infra = await loadInfra();
  await compileCli();
});
afterAll(async () => {
  await tmux(["kill-server"]);
  await scope.dispose();
});

/** The pane's text, scrollback included, wrapped lines joined (so a line wider than the pane shows as one). */
async function screen(session: string): Promise<string[]> {
  const r = await tmux(["capture-pane", "-p", "-J", "-S", "-300", "-t", session]);
  const lines = r.stdout.split("\n").map((l) => l.trimEnd());
  while (lines.length && lines.at(-1) === "") lines.pop();
  return lines;
}

async function waitForScreen(session: string, test: (lines: string[]) => boolean, ms = 300_000): Promise<string[]> {
  const end = Date.now() + ms;
  for (;;) {
    const lines = await screen(session);
    if (test(lines)) return lines;
    if (Date.now() > end) throw new Error(`the screen never matched; it shows:\n${lines.join("\n")}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Starts r2d on a repository whose postBuild talks for ~8 s (never cached: a fresh token), in a pane of this size. */
async function startBuild(columns: number): Promise<{ session: string; token: string }> {
  const token = randomBytes(4).toString("hex");
  const repo = await scope.repo({
    "requirements.txt": `${infra.pyDep}\n`,
    postBuild: `#!/bin/bash\nfor i in $(seq 1 16); do echo "tick $i ${token}"; sleep 0.5; done\n`,
    "app.py": "print('ran the image')\n",
  });
  const session = `w${columns}-${token}`;
  const args = [CLI, repo, "--image-name", scope.image(`terminal-${columns}`), "--base-image", infra.basePython, "--build-network", "host", "--pip-index-url", infra.pipIndex, "--", "python", "app.py"];
  const command = `${["env", `R2D_DOCKER=${infra.docker}`, process.execPath, ...args].map((a) => `'${a}'`).join(" ")}; echo R2D-EXIT=$?; sleep 600`;
  const r = await tmux(["new-session", "-d", "-s", session, "-x", String(columns), "-y", "30", command]);
  expect(r.exitCode, r.stderr).toBe(0);
  return { session, token };
}

const STEPS = [
  /^ => base image r2d-test\/python:bookworm +(CACHED|\d+\.\ds)$/,
  /^ => system set-up: Python 3 with venv and pip, the image user \S+ +(CACHED|\d+\.\ds)$/,
  /^ => create the Python environment \/srv\/venv +(CACHED|\d+\.\ds)$/,
  /^ => copy requirements\.txt +(CACHED|\d+\.\ds)$/,
  /^ => build-essential if a package is not a wheel +(CACHED|\d+\.\ds)$/,
  /^ => install requirements\.txt with pip +(CACHED|\d+\.\ds)$/,
  /^ => copy the built environment \/srv\/venv +(CACHED|\d+\.\ds)$/,
  /^ => copy the repository +\d+\.\ds$/,
  /^ => make postBuild executable +\d+\.\ds$/,
  /^ => run postBuild +\d+\.\ds$/,
  /^ => export the image +\d+\.\ds$/,
];

describe.each([80, 120])("a build in a terminal of %i columns", (columns) => {
  let session: string;
  let token: string;
  let during: string[];
  let after: string[];

  beforeAll(async () => {
    ({ session, token } = await startBuild(columns));
    during = await waitForScreen(session, (l) => l.some((x) => x.includes(`tick 4 ${token}`)));
    after = await waitForScreen(session, (l) => l.some((x) => x.startsWith("R2D-EXIT=")));
  });

  it("while postBuild runs: one live block with its timer and last output lines, within the width", () => {
    expect(during.filter((l) => l.startsWith("[+] Building")), during.join("\n")).toHaveLength(1);
    expect(during).toContainEqual(expect.stringMatching(/^ => run postBuild +\d+\.\ds$/));
    const output = during.filter((l) => l.startsWith("    tick "));
    expect(output.length).toBeGreaterThan(0);
    expect(output.length).toBeLessThanOrEqual(6);
    for (const line of during) expect(line.length, line).toBeLessThan(columns);
    // r2d's own steps stay hidden; no BuildKit plumbing, no raw RUN lines.
    expect(during.join("\n")).not.toMatch(/r2d-entrypoint|WORKDIR|\[internal\]|PIP_CONFIG_FILE|RUN /);
  });

  it("afterwards: the block is gone, each step one line in build order, `r2d: built` before the run's output", () => {
    expect(after.at(-1)).toBe("R2D-EXIT=0");
    expect(after.filter((l) => l.startsWith("[+] Building") || l.startsWith("    tick"))).toEqual([]);
    // Every step once, in the Dockerfile's order, the cached steps of the parallel stages too.
    const steps = after.filter((l) => l.startsWith(" => "));
    expect(steps.length, after.join("\n")).toBe(STEPS.length);
    steps.forEach((line, i) => expect(line, after.join("\n")).toMatch(STEPS[i]!));
    const built = after.findIndex((l) => l.startsWith("r2d: built "));
    expect(built).toBeGreaterThan(after.findIndex((l) => l.startsWith(" => export the image")));
    expect(built).toBeLessThan(after.indexOf("ran the image"));
    expect(after.slice(built).join("\n").replace(/\n {5}/g, " ")).toMatch(/r2d: built r2d-itg\/terminal-\d+:\w+ \(\w{12}, [\d.]+ MB\) in [\d.]+s: Python from the base image, user \S+ \(uid \d+\)/);
    for (const line of after.slice(0, built)) expect(line.length, line).toBeLessThan(columns);
  });
});

describe("a terminal resized while the block is up", () => {
  it("narrowed from 120 to 80 columns: the next redraws leave no stale copies", async () => {
    const { session, token } = await startBuild(120);
    await waitForScreen(session, (l) => l.some((x) => x.includes(`tick 3 ${token}`)));
    await tmux(["resize-window", "-t", session, "-x", "80", "-y", "30"]);
    const narrowed = await waitForScreen(session, (l) => l.some((x) => x.includes(`tick 6 ${token}`)));
    expect(narrowed.filter((l) => l.startsWith("[+] Building")), narrowed.join("\n")).toHaveLength(1);
    expect(narrowed.filter((l) => l.startsWith(" => run postBuild"))).toHaveLength(1);
    const after = await waitForScreen(session, (l) => l.some((x) => x.startsWith("R2D-EXIT=")));
    expect(after.filter((l) => l.startsWith("[+] Building") || l.startsWith("    tick")), after.join("\n")).toEqual([]);
    expect(after.filter((l) => l.startsWith(" => run postBuild"))).toHaveLength(1);
    // Lines drawn after the resize fit the new width.
    const postBuild = after.find((l) => l.startsWith(" => run postBuild"))!;
    expect(postBuild.length).toBeLessThan(80);
  });
});
