import { afterAll, describe, expect, it } from "vitest";
import type { ContextSelection } from "../../src/context/types.js";
import { planRepo } from "../../src/index.js";
import { prepareBuild, type PrepareOptions } from "../../src/prepare/index.js";
import { TempFiles } from "../helpers/repo.js";

const ROOT = { uid: 0, name: "root" };
const temp = new TempFiles();
afterAll(() => temp.cleanup());

function selection(root: string, excluded: ContextSelection["excluded"] = []): ContextSelection {
  return { root, files: [], fileCount: 0, bytes: 0, excluded, warnings: [] };
}

async function prepared(files: Record<string, string>, options: Partial<PrepareOptions> & { targetRepoDir?: string } = {}, bridge = true, excluded: ContextSelection["excluded"] = []) {
  const repo = await temp.repo(files);
  const { plan, dockerfile } = await planRepo(repo, { invoking: ROOT, targetRepoDir: options.targetRepoDir });
  return { plan, p: prepareBuild(plan, dockerfile, selection(repo, excluded), { imageName: "r2d-test/x:1", ...options }, { bridgeNetwork: bridge }) };
}

describe("prepareBuild: the build request", () => {
  it("lays a generated Dockerfile out under r2d/, the repository under src/, and passes no repo2docker build args", async () => {
    const { plan, p } = await prepared({ "requirements.txt": "numpy\n" });
    expect(p.layout.prefix).toBe("src/");
    expect(p.layout.dockerfile).toBe("r2d/Dockerfile");
    expect(p.layout.files.map((f) => [f.path, f.mode])).toEqual([["r2d/Dockerfile", 0o644], ["r2d/r2d-entrypoint", 0o755]]);
    expect(p.request).toMatchObject({ dockerfile: "r2d/Dockerfile", tags: ["r2d-test/x:1"], labels: plan.labels, buildArgs: {}, push: false, load: true, noCache: false });
  });

  it("ships the R helper beside the Dockerfile when the plan needs it", async () => {
    const { p } = await prepared({ DESCRIPTION: "Package: pk\nVersion: 1.0\n" });
    expect(p.layout.files.map((f) => f.path)).toContain("r2d/install-r-packages.R");
  });

  it("builds a repository's own Dockerfile from the repository root with NB_USER/NB_UID (and REPO_DIR when asked); user build args win", async () => {
    const { p } = await prepared({ Dockerfile: "FROM debian\n" }, { buildArgs: { NB_UID: "4242", X: "1" } });
    expect(p.layout).toEqual({ prefix: "", dockerfile: "Dockerfile", files: [] });
    expect(p.request.buildArgs).toEqual({ NB_USER: "jovyan", NB_UID: "4242", X: "1" });
    const withDir = await prepared({ Dockerfile: "FROM debian\n" }, { targetRepoDir: "/srv/repo" });
    expect(withDir.p.request.buildArgs).toMatchObject({ REPO_DIR: "/srv/repo" });
  });

  it("uses the host network for RUN steps when the daemon has no bridge network, and says so; an explicit --build-network wins", async () => {
    const none = await prepared({}, {}, false);
    expect(none.p.request.network).toBe("host");
    expect(none.p.messages.join("\n")).toMatch(/no bridge network/);
    const chosen = await prepared({}, { buildNetwork: "none" }, false);
    expect(chosen.p.request.network).toBe("none");
    expect(chosen.p.messages).toEqual([]);
  });

  it("loads unless the image is only pushed", async () => {
    expect((await prepared({}, { push: true, run: false })).p.request).toMatchObject({ push: true, load: false });
    expect((await prepared({}, { push: false, run: false })).p.request).toMatchObject({ push: false, load: true });
  });
});

describe("prepareBuild: secrets", () => {
  it("writes pip.conf from the index options, only for plans whose steps mount it", async () => {
    const { p } = await prepared({ "requirements.txt": "numpy\n" }, { pipIndexUrl: "https://u:p@idx.example/simple", pipExtraIndexUrls: ["https://a.example/simple", "https://b.example/simple"] });
    expect(p.secrets).toEqual([
      { id: "r2d-pip-conf", fileName: "pip.conf", content: "[global]\nindex-url = https://u:p@idx.example/simple\nextra-index-url = https://a.example/simple\n    https://b.example/simple\n" },
    ]);
    const docker = await prepared({ Dockerfile: "FROM debian\n" }, { pipIndexUrl: "https://idx.example/simple" });
    expect(docker.p.secrets).toEqual([]);
  });

  it("mounts nothing when no option fills a secret", async () => {
    expect((await prepared({ "requirements.txt": "numpy\n" })).p.secrets).toEqual([]);
  });

  it("passes the CRAN mirror to R builds", async () => {
    const { p } = await prepared({ DESCRIPTION: "Package: pk\nVersion: 1.0\n" }, { cranMirror: "http://127.0.0.1:1/cran" });
    expect(p.secrets).toEqual([{ id: "r2d-cran", fileName: "cran", content: "http://127.0.0.1:1/cran" }]);
  });
});

describe("prepareBuild: the run after the build", () => {
  it("mounts the repository with editable, and the excluded data folders read-only with mountData", async () => {
    const excluded = [
      { path: "data", reason: "data" as const, kind: "dir" as const },
      { path: "notes.txt", reason: "dockerignore" as const, kind: "file" as const },
    ];
    const { plan, p } = await prepared({ "requirements.txt": "numpy\n" }, { editable: true, mountData: true, volumes: ["/x:/y"] }, true, excluded);
    const root = p.run.volumes[0]!.split(":")[0]!;
    expect(p.run.volumes).toEqual([`${root}:${plan.repoDir}`, "/x:/y", `${root}/data:${plan.repoDir}/data:ro`]);
  });

  it("passes a grader contract's variables that the caller has set, unless named explicitly", async () => {
    const { p } = await prepared({}, { env: ["A=1", "OUTPUT_PATH=/o"], passEnv: { TEST_DIRECTORY: "/in", OUTPUT_PATH: "/x", UNSET: undefined } });
    expect(p.run.env).toEqual(["A=1", "OUTPUT_PATH=/o", "TEST_DIRECTORY"]);
  });

  it("carries the run settings", async () => {
    const { p } = await prepared({}, { command: ["python", "x.py"], publish: ["8888"], publishAll: true, runOptions: { memory: "1g", cpus: "2", gpus: "all", user: "1000" } });
    expect(p.run).toMatchObject({ image: "r2d-test/x:1", command: ["python", "x.py"], publish: ["8888"], extra: ["--publish-all"], memory: "1g", cpus: "2", gpus: "all", user: "1000", remove: true });
  });
});
