/**
 * Engine loss against real daemons: a private dockerd (started and stopped here) whose disk
 * fills up, then that is killed mid-build; and a socket that accepts connections and never
 * answers. Each is exit 3 with a message naming the cause and the fix, and leaves nothing
 * behind in r2d's TMPDIR.
 */
import net from "node:net";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { logLine, r2dEntries, startCli } from "../infra/cli-process.js";
import { startPrivateDockerd, type PrivateDockerd } from "../infra/private-dockerd.js";
import { CLI, compileCli, Scope } from "./helpers.js";

let infra: Infra;
let daemon: PrivateDockerd;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
  await compileCli();
  // 450 MB: the base image (~130 MB) and a little room.
  daemon = await startPrivateDockerd({ docker: infra.docker, diskMb: 450, images: [infra.baseDebian] });
});
afterAll(async () => {
  await daemon?.stop();
  await scope.dispose();
});

async function cliAgainst(host: string, repoFiles: Record<string, string>, extra: string[] = []) {
  const repo = await scope.repo(repoFiles);
  const tmp = await scope.tmp("r2d-itg-tmpdir-");
  const env = { TMPDIR: tmp, XDG_CACHE_HOME: path.join(tmp, "cache"), DOCKER_HOST: host, R2D_DOCKER: infra.docker };
  const args = [repo, "--image-name", "r2d-itg/engine-loss:1", "--no-run", "--json", "--build-network", "host", ...extra];
  return { cli: startCli(CLI, args, env), tmp };
}

describe("a private dockerd", () => {
  it("whose disk fills up: exit 3, out of disk space, with prune hints", async () => {
    const { cli, tmp } = await cliAgainst(daemon.host, { Dockerfile: `FROM ${infra.baseDebian}\nRUN head -c 600000000 /dev/zero > /big.bin\n` });
    const result = await cli.exited;
    expect(result.exitCode, cli.stderr()).toBe(3);
    expect(cli.stderr()).toMatch(/r2d: the build engine ran out of disk space in the build step \[2\/2\] RUN head -c 600000000 \/dev\/zero > \/big\.bin: head: error writing .*No space left on device/);
    expect(cli.stderr()).toContain("docker builder prune");
    expect(await r2dEntries(tmp)).toEqual([]);
    // Room for the next test.
    await daemon.docker(["builder", "prune", "--all", "--force"]);
  });

  it("killed mid-build: exit 3 naming the daemon and what to check, nothing left behind", async () => {
    const marker = `started-${Date.now()}`;
    const { cli, tmp } = await cliAgainst(daemon.host, { Dockerfile: `FROM ${infra.baseDebian}\nRUN echo ${marker}; sleep 20\n` });
    await cli.waitFor(logLine(marker));
    daemon.kill();
    const t0 = Date.now();
    const result = await cli.exited;
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(result.exitCode, cli.stderr()).toBe(3);
    expect(cli.stderr()).toContain(`r2d: the Docker daemon at ${daemon.host} stopped answering during the build`);
    expect(cli.stderr()).toContain("hint: check that it is running (`docker info`");
    expect(cli.stderr()).not.toContain("full build output");
    expect(await r2dEntries(tmp)).toEqual([]);
    const errorEvent = cli.events.find((e) => e.event === "error") as { error: { name: string } } | undefined;
    expect(errorEvent?.error.name).toBe("EngineError");
  });
});

describe("a socket that accepts connections and never answers", () => {
  let server: net.Server;
  let sock: string;
  beforeAll(async () => {
    sock = path.join(await scope.tmp("r2d-itg-silent-"), "docker.sock");
    server = net.createServer(() => {});
    await new Promise<void>((resolve) => server.listen(sock, resolve));
  });
  afterAll(() => server.close());

  it("exit 3 within ~10 s, saying the daemon accepted the connection but did not answer", async () => {
    const tmp = await scope.tmp("r2d-itg-tmpdir-");
    const repo = await scope.repo({ Dockerfile: `FROM ${infra.baseDebian}\n` });
    const t0 = Date.now();
    // Every docker client on PATH is asked (no R2D_DOCKER): all of them wait on the same silent daemon.
    const r = await execa(process.execPath, [CLI, repo, "--no-run"], { env: { TMPDIR: tmp, DOCKER_HOST: `unix://${sock}` }, reject: false, stdin: "ignore" });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.exitCode, String(r.stderr)).toBe(3);
    expect(String(r.stderr)).toContain(`r2d: the Docker daemon at unix://${sock} accepted the connection but did not answer within 5 s`);
    expect(String(r.stderr)).toContain("hint: the daemon is hung or something else listens there");
    expect(await r2dEntries(tmp)).toEqual([]);
  });
});
