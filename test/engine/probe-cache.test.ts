/**
 * The engine probe's answer kept between runs (src/engine/probe-cache.ts): used again with no
 * process started while nothing it depended on changed, asked again when something did, and never
 * taken from a file r2d would not have written.
 */
import { chmod, chown, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearProbeCache, probeEngine } from "../../src/engine/probe.js";
import type { ProbeOptions } from "../../src/engine/types.js";
import { cleanupTempDirs, fakeShDocker, tempDir } from "./helpers.js";

afterAll(cleanupTempDirs);
beforeEach(() => clearProbeCache());

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A unix socket that accepts connections (a stand-in for the daemon's). */
async function listen(sock: string): Promise<net.Server> {
  await rm(sock, { force: true });
  const server = net.createServer((c) => c.destroy());
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  servers.push(server);
  return server;
}

interface Setup {
  root: string;
  bin: string;
  sock: string;
  cacheDir: string;
  /** Probes (the in-memory cache forgotten first, as in a new process) and returns the engine and the commands it started. */
  probe: (env?: Record<string, string>) => Promise<{ kind: string; version: string; reason: string; bridge: boolean; execs: string[]; debug: string[] }>;
}

async function setup(): Promise<Setup> {
  const root = await tempDir();
  const bin = path.join(root, "bin");
  await mkdir(bin);
  await fakeShDocker(path.join(bin, "docker"), { version: "20.10.24+dfsg1", bridge: true });
  const sock = path.join(root, "docker.sock");
  await listen(sock);
  const cacheDir = path.join(root, "cache", "r2d");
  const probe = async (env: Record<string, string> = {}) => {
    clearProbeCache();
    const debug: string[] = [];
    const opts: ProbeOptions = {
      env: { PATH: bin, HOME: root, DOCKER_HOST: `unix://${sock}`, ...env },
      wellKnownDockers: [],
      cacheDir,
      onDebug: (m) => debug.push(m),
    };
    const engine = await probeEngine(opts);
    const bridge = await engine.capabilities.bridgeNetwork;
    // Keeping the answer goes on in the background: wait for its last word.
    for (let i = 0; i < 200 && debug.some((d) => d.includes("asking the clients")) && !debug.some((d) => /answer (kept in|could not be kept)/.test(d)); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return { kind: engine.kind, version: engine.version, reason: engine.reason, bridge, execs: debug.filter((d) => d.startsWith("exec: ")), debug };
  };
  return { root, bin, sock, cacheDir, probe };
}

async function keptFile(cacheDir: string): Promise<string> {
  const names = (await readdir(cacheDir)).filter((n) => n.startsWith("engine-probe-"));
  expect(names).toHaveLength(1);
  return path.join(cacheDir, names[0]!);
}

describe("the kept engine probe", () => {
  it("answers the next run without starting a process, with the same engine", async () => {
    const { probe, cacheDir } = await setup();
    const first = await probe();
    expect(first.execs.length).toBeGreaterThanOrEqual(3); // docker version, docker buildx version, network inspect
    const file = await keptFile(cacheDir);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    const second = await probe();
    expect(second.execs).toEqual([]);
    expect(second.debug.join("\n")).toContain(`the answer kept in ${file}`);
    expect(second).toMatchObject({ kind: first.kind, version: first.version, reason: first.reason, bridge: true });
  });

  it("asks again when the docker client changed", async () => {
    const { probe, bin } = await setup();
    await probe();
    await fakeShDocker(path.join(bin, "docker"), { version: "20.10.25", bridge: true });
    const again = await probe();
    expect(again.execs.length).toBeGreaterThanOrEqual(3);
    expect(again.version).toBe("20.10.25");
    expect((await probe()).execs).toEqual([]);
  });

  it("asks again when the daemon's socket was made anew, or nothing listens on it", async () => {
    const { probe, sock } = await setup();
    await probe();
    await new Promise((r) => servers.pop()!.close(r));
    await listen(sock); // a restarted daemon: a new socket file at the same path
    expect((await probe()).execs.length).toBeGreaterThanOrEqual(3);
    expect((await probe()).execs).toEqual([]);
    await new Promise((r) => servers.pop()!.close(r));
    await writeFile(sock, ""); // left behind, nothing listening
    const gone = await probe();
    expect(gone.execs.length).toBeGreaterThanOrEqual(3);
  });

  it("keeps one answer per environment: another DOCKER_HOST is probed for itself", async () => {
    const { probe, root, cacheDir } = await setup();
    await probe();
    const other = path.join(root, "other.sock");
    await listen(other);
    expect((await probe({ DOCKER_HOST: `unix://${other}` })).execs.length).toBeGreaterThanOrEqual(3);
    expect((await readdir(cacheDir)).filter((n) => n.startsWith("engine-probe-"))).toHaveLength(2);
    expect((await probe()).execs).toEqual([]);
    expect((await probe({ DOCKER_HOST: `unix://${other}` })).execs).toEqual([]);
  });

  it("ignores a kept file that others can read or write, that is a link, or that does not parse, and writes a good one", async () => {
    const { probe, cacheDir, root } = await setup();
    await probe();
    const file = await keptFile(cacheDir);
    const good = await readFile(file, "utf8");

    await chmod(file, 0o644);
    let r = await probe();
    expect(r.execs.length).toBeGreaterThanOrEqual(3);
    expect(r.debug.join("\n")).toContain("kept answer not used (readable or writable by others)");
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const elsewhere = path.join(root, "planted.json");
    await writeFile(elsewhere, good, { mode: 0o600 });
    await rm(file);
    await symlink(elsewhere, file);
    r = await probe();
    expect(r.execs.length).toBeGreaterThanOrEqual(3);
    expect((await stat(file)).isFile()).toBe(true);

    await writeFile(file, "{ not json", { mode: 0o600 });
    r = await probe();
    expect(r.execs.length).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ format: 1, kind: "docker" });

    const tampered = JSON.parse(good) as { fields: { client: string } };
    tampered.fields.client = "relative/docker";
    await writeFile(file, JSON.stringify(tampered), { mode: 0o600 });
    r = await probe();
    expect(r.debug.join("\n")).toContain("not what r2d writes");
    expect(r.execs.length).toBeGreaterThanOrEqual(3);
  });

  it.runIf(process.getuid?.() === 0)("ignores a kept file owned by another user", async () => {
    const { probe, cacheDir } = await setup();
    await probe();
    await chown(await keptFile(cacheDir), 4321, 4321);
    const r = await probe();
    expect(r.debug.join("\n")).toContain("owned by uid 4321");
    expect(r.execs.length).toBeGreaterThanOrEqual(3);
  });

  it("neither reads nor writes in a cache folder others can write to", async () => {
    const { probe, cacheDir } = await setup();
    await mkdir(cacheDir, { recursive: true });
    await chmod(cacheDir, 0o777);
    const r = await probe();
    expect(r.debug.join("\n")).toContain("could not be kept");
    expect(await readdir(cacheDir)).toEqual([]);
    expect((await probe()).execs.length).toBeGreaterThanOrEqual(3);
  });
});
