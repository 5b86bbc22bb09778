/**
 * Eight builds at once, as CI and challenge platforms run them: different repositories in one
 * process (library users), one repository under one name from eight CLI processes, one
 * repository under eight names. Every build succeeds; each image has its own content and
 * labels, each build its own events and run folder; nothing is left in TMPDIR.
 */
import { readdir } from "node:fs/promises";
import os from "node:os";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type R2dEvent } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, CLI, compileCli, imageId, inspect, Scope, sh } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
let tmp: string;
const savedTmpdir = process.env.TMPDIR;
beforeAll(async () => {
  infra = await loadInfra();
  await compileCli();
  tmp = await scope.tmp("r2d-itg-parallel-");
  // This process's builds make their run folders here (os.tmpdir() reads TMPDIR at each call).
  process.env.TMPDIR = tmp;
});
afterAll(async () => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  await scope.dispose();
});

const N = 8;
// r2d's run folders (the test's own repositories live in this TMPDIR too).
const r2dEntries = async () => (await readdir(tmp)).filter((n) => /^r2d-\d+-/.test(n));

/** The run folder a build used, from its build command (--debug events). */
function runFolder(events: R2dEvent[]): string | undefined {
  for (const e of events) {
    if (e.type !== "message" || e.level !== "debug") continue;
    const iid = /(?:--iidfile |the image ID to )(\S+)\/iid\b/.exec(e.text)?.[1];
    if (iid) return iid;
  }
  return undefined;
}

describe(`${N} parallel builds`, () => {
  it("of different repositories in one process: own content, labels, events and run folder each", async () => {
    expect(os.tmpdir()).toBe(tmp);
    const repos = await Promise.all(
      Array.from({ length: N }, (_, i) => {
        const files: Record<string, string> = { "main.py": `print('I am repository ${i}')\n` };
        for (let k = 0; k < i; k++) files[`extra/${k}.txt`] = `${i}/${k}\n`;
        return scope.repo(files);
      }),
    );
    const names = repos.map((_, i) => scope.image(`parallel-repo-${i}`));
    const events: R2dEvent[][] = repos.map(() => []);
    const results = await Promise.all(
      repos.map((repo, i) =>
        buildRepo(repo, buildOptions(infra, { imageName: names[i], labels: { "r2d.itg.which": String(i) }, onEvent: (e) => events[i]!.push(e) })),
      ),
    );
    const folders = events.map(runFolder);
    expect(folders.every((f) => f && f.startsWith(`${tmp}/r2d-${process.pid}-`)), folders.join(", ")).toBe(true);
    expect(new Set(folders).size).toBe(N);
    for (let i = 0; i < N; i++) {
      const img = await inspect(infra, names[i]!);
      expect(img.Id).toBe(results[i]!.imageId);
      expect(img.Config.Labels?.["r2d.itg.which"]).toBe(String(i));
      expect(await sh(infra, names[i]!, "cat main.py; ls extra 2>/dev/null | wc -l")).toBe(`print('I am repository ${i}')\n${i}`);
      const context = events[i]!.find((e) => e.type === "context");
      expect(context && context.type === "context" && context.fileCount).toBe(i + 1);
    }
    expect(new Set(results.map((r) => r.imageId)).size).toBe(N);
    expect(await r2dEntries()).toEqual([]);
  });

  it("of one repository under one name from eight CLI processes: all succeed, the name ends on that image", async () => {
    const repo = await scope.repo({ "main.py": "print('one repository')\n" });
    const name = scope.image("parallel-one-name");
    const runs = await Promise.all(
      Array.from({ length: N }, () =>
        execa(process.execPath, [CLI, repo, "--image-name", name, "--no-run", "--json", "--base-image", infra.basePython, "--build-network", "host"], {
          env: { TMPDIR: tmp, R2D_DOCKER: infra.docker },
          reject: false,
          stdin: "ignore",
        }),
      ),
    );
    const ids = runs.map((r) => {
      expect(r.exitCode, String(r.stderr)).toBe(0);
      const result = String(r.stdout)
        .split("\n")
        .map((l) => (l.startsWith("{") ? (JSON.parse(l) as { event: string; imageId?: string }) : undefined))
        .find((e) => e?.event === "result");
      return result?.imageId;
    });
    // The same content builds the same image: eight builds, one image, one name.
    expect(new Set(ids).size).toBe(1);
    expect(await imageId(infra, name)).toBe(ids[0]);
    expect(await sh(infra, name, "cat main.py")).toBe("print('one repository')");
    expect(await r2dEntries()).toEqual([]);
  });

  it("of one repository under eight names: every name, the same image", async () => {
    const repo = await scope.repo({ "main.py": "print('many names')\n" });
    const names = Array.from({ length: N }, (_, i) => scope.image(`parallel-name-${i}`));
    const results = await Promise.all(names.map((imageName) => buildRepo(repo, buildOptions(infra, { imageName }))));
    expect(new Set(results.map((r) => r.imageId)).size).toBe(1);
    for (const n of names) expect(await imageId(infra, n)).toBe(results[0]!.imageId);
    expect(await sh(infra, names[N - 1]!, "cat main.py")).toBe("print('many names')");
    expect(await r2dEntries()).toEqual([]);
  });
});
