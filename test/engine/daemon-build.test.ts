import { chmod, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contextSource, selectContext } from "../../src/context/index.js";
import { mayNeedCredentials, startDaemonBuild, type DaemonBuildOptions } from "../../src/engine/daemon-build.js";
import { cleanupTempDirs, tempDir } from "./helpers.js";
import { fakeBuildkitDaemon } from "./fake-buildkit-daemon.js";

afterAll(cleanupTempDirs);

async function repo(): Promise<string> {
  const dir = await tempDir();
  await writeFile(path.join(dir, "main.py"), "print('hi')\n");
  await writeFile(path.join(dir, "run.sh"), "#!/bin/sh\npython main.py\n");
  await chmod(path.join(dir, "run.sh"), 0o755);
  await mkdir(path.join(dir, "pkg", "sub"), { recursive: true });
  await writeFile(path.join(dir, "pkg", "sub", "big.bin"), Buffer.alloc(100_000, 7));
  await writeFile(path.join(dir, "pkg.txt"), "sorted after pkg/ in BuildKit's order\n");
  await symlink("main.py", path.join(dir, "link.py"));
  return dir;
}

async function buildOpts(dir: string, socket: string, extra: Partial<DaemonBuildOptions> = {}): Promise<DaemonBuildOptions & { output: () => string }> {
  const sel = await selectContext({ root: dir, excludes: ["data"] });
  const source = contextSource(sel, { prefix: "src", extra: [{ path: "r2d/Dockerfile", content: Buffer.from("FROM scratch\n"), mode: 0o644 }] });
  let out = "";
  const iidFile = path.join(await tempDir(), "iid");
  return {
    socket,
    query: { dockerfile: "r2d/Dockerfile", networkmode: "host" },
    secrets: [],
    context: () => source.entries(),
    iidFile,
    onOutput: (c) => (out += c),
    output: () => out,
    ...extra,
  };
}

describe("a build sent to the daemon's API (daemon-build.ts) against a stand-in daemon", () => {
  it("sends the context by file sync (the Dockerfile's folder, then the context, in BuildKit's order), the secrets on request, and writes the image ID", async () => {
    const daemon = await fakeBuildkitDaemon({ secretIds: ["pip-conf", "absent"] });
    try {
      const dir = await repo();
      const secretFile = path.join(await tempDir(), "pip.conf");
      await writeFile(secretFile, "[global]\nindex-url = http://x/simple\n");
      const opts = await buildOpts(dir, daemon.socket, { secrets: [{ id: "pip-conf", src: secretFile }] });
      const exit = await startDaemonBuild(opts).exited;
      expect(exit).toEqual({ exitCode: 0 });
      expect(await readFile(opts.iidFile, "utf8")).toBe(`sha256:${"c".repeat(64)}`);
      const b = daemon.builds[0]!;
      expect(b.query.get("dockerfile")).toBe("Dockerfile");
      expect(b.query.get("remote")).toBe("client-session");
      expect(b.query.get("version")).toBe("2");
      expect(b.query.get("networkmode")).toBe("host");
      expect(b.folders.dockerfile!.map((f) => [f.path, f.data?.toString()])).toEqual([["Dockerfile", "FROM scratch\n"]]);
      const ctx = b.folders.context!;
      expect(ctx.map((f) => f.path)).toEqual(["r2d", "r2d/Dockerfile", "src", "src/link.py", "src/main.py", "src/pkg", "src/pkg/sub", "src/pkg/sub/big.bin", "src/pkg.txt", "src/run.sh"]);
      const byPath = Object.fromEntries(ctx.map((f) => [f.path, f]));
      expect(byPath["src/pkg/sub/big.bin"]!.data).toEqual(Buffer.alloc(100_000, 7));
      expect(byPath["src/run.sh"]!.mode).toBe(0o755);
      expect(byPath["src/pkg"]!.mode >>> 0).toBe((0x80000000 | 0o755) >>> 0);
      expect(byPath["src/link.py"]).toMatchObject({ linkname: "main.py", mode: (0x08000000 | 0o777) >>> 0 });
      expect(b.secrets).toEqual({ "pip-conf": "[global]\nindex-url = http://x/simple\n", absent: { code: "5" } });
      expect(opts.output()).toContain('"name":"[1/1] COPY . ."');
    } finally {
      await daemon.close();
    }
  });

  it("applies the daemon's exclude patterns (with exceptions) and keeps the parents of what stays", async () => {
    const daemon = await fakeBuildkitDaemon({ contextExcludes: ["src/pkg", "!src/pkg/sub/big.bin", "**/*.txt"] });
    try {
      const opts = await buildOpts(await repo(), daemon.socket);
      expect((await startDaemonBuild(opts).exited).exitCode).toBe(0);
      expect(daemon.builds[0]!.folders.context!.map((f) => f.path)).toEqual(["r2d", "r2d/Dockerfile", "src", "src/link.py", "src/main.py", "src/pkg", "src/pkg/sub", "src/pkg/sub/big.bin", "src/run.sh"]);
    } finally {
      await daemon.close();
    }
  });

  it("fails the build with the context's own error when a file changes after it was selected", async () => {
    const daemon = await fakeBuildkitDaemon();
    try {
      const dir = await repo();
      const opts = await buildOpts(dir, daemon.socket);
      await writeFile(path.join(dir, "main.py"), "print('changed under the build')\n");
      const exit = await startDaemonBuild(opts).exited;
      expect(exit.exitCode).toBeUndefined();
      expect(String(exit.contextError)).toMatch(/main\.py/);
    } finally {
      await daemon.close();
    }
  });

  it("reports the daemon's error as a builder line and a failed exit", async () => {
    const daemon = await fakeBuildkitDaemon({ messages: () => [{ errorDetail: { message: "executor failed running [/bin/sh -c exit 3]: exit code: 3" }, error: "x" }] });
    try {
      const opts = await buildOpts(await repo(), daemon.socket);
      expect(await startDaemonBuild(opts).exited).toEqual({ exitCode: 1 });
      expect(opts.output()).toContain("ERROR: executor failed running [/bin/sh -c exit 3]: exit code: 3\n");
    } finally {
      await daemon.close();
    }
  });

  it("says the daemon was unreachable (nothing sent) when its socket does not exist", async () => {
    const opts = await buildOpts(await repo(), path.join(await tempDir(), "no.sock"));
    const exit = await startDaemonBuild(opts).exited;
    expect(exit.unreachable).toBe(true);
  });

  it("cancels the build on the daemon when stopped", async () => {
    const daemon = await fakeBuildkitDaemon({ hang: true });
    try {
      const controller = new AbortController();
      const opts = await buildOpts(await repo(), daemon.socket, { signal: controller.signal });
      const running = startDaemonBuild(opts);
      for (let i = 0; i < 100 && daemon.builds[0]?.folders.context === undefined; i++) await new Promise((r) => setTimeout(r, 20));
      controller.abort();
      expect(await running.exited).toEqual({ signal: "SIGINT" });
      for (let i = 0; i < 100 && daemon.cancelled.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(daemon.cancelled).toEqual([daemon.builds[0]!.query.get("buildid")]);
    } finally {
      await daemon.close();
    }
  });
});

describe("mayNeedCredentials: builds the docker client should send (it has the registry logins)", () => {
  const withConfig = async (config: string | undefined): Promise<boolean> => {
    const dir = await tempDir();
    if (config !== undefined) await writeFile(path.join(dir, "config.json"), config);
    return mayNeedCredentials({ DOCKER_CONFIG: dir });
  };
  it.each([
    ["no config file", undefined, false],
    ["an empty config", "{}", false],
    ["empty auths", '{"auths": {}}', false],
    ["a login", '{"auths": {"ghcr.io": {"auth": "eDp5"}}}', true],
    ["a credential store", '{"credsStore": "desktop"}', true],
    ["a credential helper", '{"credHelpers": {"ecr.io": "ecr-login"}}', true],
    ["a config that is not JSON", "{", true],
  ])("%s → %s", async (_what, config, expected) => {
    expect(await withConfig(config)).toBe(expected);
  });
});
