import http from "node:http";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { engineOf } from "../../src/engine/adapters/index.js";
import { splitTag } from "../../src/engine/docker-socket.js";
import { inspectImage, tagImage } from "../../src/engine/image.js";
import { cleanupTempDirs, fakeNodeBin, readRecord, tempDir } from "./helpers.js";

afterAll(cleanupTempDirs);

const IMAGE = { Id: `sha256:${"b".repeat(64)}`, Size: 1234, RepoTags: ["r2d/x:1"], Config: { User: "jovyan", Env: ["A=1"], Labels: { k: "v" } } };

/** A daemon on a unix socket that answers as the test says, and remembers what it was asked. */
async function fakeDaemon(answer: (method: string, url: string) => [number, unknown]): Promise<{ socket: string; asked: string[]; close: () => Promise<void> }> {
  const socket = path.join(await tempDir(), "docker.sock");
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    const [status, body] = answer(req.method ?? "", req.url ?? "");
    res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { socket, asked, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function engineWith(apiSocket: string | undefined) {
  const dir = await tempDir();
  const recordFile = path.join(dir, "record.jsonl");
  const docker = await fakeNodeBin(dir, "docker", { FAKE_RECORD: recordFile });
  return { engine: engineOf("docker", { client: docker, version: "20.10.24", reason: "t", apiSocket }), clientCalls: async () => (await readRecord(recordFile)).map((c) => c.argv) };
}

describe("inspect and tag through the daemon's socket", () => {
  it("inspects and tags with one request each, starting no docker process", async () => {
    const daemon = await fakeDaemon((method, url) => (method === "GET" && url.startsWith("/images/") ? (url.includes("missing") ? [404, { message: "No such image" }] : [200, IMAGE]) : [201, {}]));
    const { engine, clientCalls } = await engineWith(daemon.socket);
    const info = await inspectImage(engine, "r2d/x:1");
    expect(info).toMatchObject({ id: IMAGE.Id, size: 1234, user: "jovyan", env: ["A=1"], labels: { k: "v" }, repoTags: ["r2d/x:1"] });
    expect(await inspectImage(engine, "r2d/missing:1")).toBeNull();
    await tagImage(engine, IMAGE.Id, "localhost:5000/team/model:v1");
    expect(daemon.asked).toEqual(["GET /images/r2d%2Fx%3A1/json", "GET /images/r2d%2Fmissing%3A1/json", `POST /images/sha256%3A${"b".repeat(64)}/tag?repo=localhost%3A5000%2Fteam%2Fmodel&tag=v1`]);
    expect(await clientCalls()).toEqual([]);
    await daemon.close();
  });

  it("asks the docker client when the socket does not answer, or answers otherwise", async () => {
    const daemon = await fakeDaemon(() => [500, { message: "boom" }]);
    const { engine, clientCalls } = await engineWith(daemon.socket);
    await tagImage(engine, IMAGE.Id, "r2d/x:2");
    await daemon.close();
    const gone = await engineWith(path.join(await tempDir(), "no-such.sock"));
    await inspectImage(gone.engine, "r2d/x:1");
    expect(await clientCalls()).toEqual([["tag", IMAGE.Id, "r2d/x:2"]]);
    expect((await gone.clientCalls()).map((argv) => argv.slice(0, 2))).toEqual([["image", "inspect"]]);
  });

  it("an engine without a local socket (tcp, a context, buildctl) uses the client only", async () => {
    const { engine, clientCalls } = await engineWith(undefined);
    await tagImage(engine, IMAGE.Id, "r2d/x:3");
    expect(await clientCalls()).toEqual([["tag", IMAGE.Id, "r2d/x:3"]]);
  });

  it("splits a reference into the API's repo and tag", () => {
    expect(splitTag("r2d/x:1")).toEqual({ repo: "r2d/x", tag: "1" });
    expect(splitTag("localhost:5000/x")).toEqual({ repo: "localhost:5000/x", tag: "latest" });
    expect(splitTag("model")).toEqual({ repo: "model", tag: "latest" });
  });
});
