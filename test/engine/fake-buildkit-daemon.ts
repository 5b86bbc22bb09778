/**
 * A stand-in for the Docker daemon's BuildKit API on a unix socket, speaking the same protocol as
 * dockerd 20.10 to r2d's daemon route: `POST /session` upgraded to HTTP/2 where the daemon is the
 * gRPC client (health check, file sync, secrets), `POST /build` answered with a JSON message
 * stream, `POST /build/cancel`. Each build fetches the "dockerfile" and "context" folders through
 * the session as BuildKit does (STAT packets, REQ for every file, DATA, FIN) and reads the
 * secrets it is told to; what it got is kept for the test to check.
 */
import http from "node:http";
import http2 from "node:http2";
import path from "node:path";
import type { Duplex } from "node:stream";
import { bytesOf, encodeMessage, grpcFrame, grpcFrameReader, numberOf, readFields, textOf } from "../../src/engine/grpc-wire.js";
import { tempDir } from "./helpers.js";

export interface SyncedFile {
  path: string;
  mode: number;
  size: number;
  modTimeNs: bigint;
  linkname?: string;
  data?: Buffer;
}

export interface FakeBuild {
  query: URLSearchParams;
  folders: Record<string, SyncedFile[]>;
  secrets: Record<string, string | { code: string }>;
  /** What the sender reported when it failed (an ERR packet). */
  senderError?: string;
}

export interface FakeDaemonOptions {
  /** Secrets each build asks for. */
  secretIds?: string[];
  /** Follow paths of the "dockerfile" request (default: the Dockerfile named in the query). */
  dockerfileFollow?: (dockerfile: string) => string[];
  /** Exclude patterns of the "context" request. */
  contextExcludes?: string[];
  /** The messages the build answers with (default: one step, then the image ID). */
  messages?: (b: FakeBuild) => unknown[];
  /** Hold the build open until cancelled. */
  hang?: boolean;
}

/** A gRPC call to the session: the request's messages in, the answer's messages and status out. */
function call(client: http2.ClientHttp2Session, method: string, meta: Record<string, string[]>, onMessage: (m: Buffer, send: (b: Buffer, last?: boolean) => void) => void, first: Buffer, unary = false) {
  const headers: http2.OutgoingHttpHeaders = { ":method": "POST", ":path": method, "content-type": "application/grpc" };
  for (const [k, v] of Object.entries(meta)) headers[k] = v;
  const stream = client.request(headers);
  const send = (b: Buffer, last = false): void => void (last ? stream.end(grpcFrame(b)) : stream.write(grpcFrame(b)));
  send(first, unary);
  stream.on("data", grpcFrameReader((m) => onMessage(m, send)));
  return new Promise<{ status: string; message?: string }>((resolve) => {
    let status = "";
    let message: string | undefined;
    stream.on("response", (h) => ((status = String(h["grpc-status"] ?? status)), (message = h["grpc-message"] as string | undefined)));
    stream.on("trailers", (h) => ((status = String(h["grpc-status"] ?? "")), (message = h["grpc-message"] as string | undefined)));
    stream.on("close", () => resolve({ status, message }));
    stream.on("error", () => resolve({ status: "stream error" }));
  });
}

/** fsutil's receiving side, asking for every regular file. */
async function fetchFolder(client: http2.ClientHttp2Session, meta: Record<string, string[]>, build: FakeBuild): Promise<SyncedFile[]> {
  const files: SyncedFile[] = [];
  const byId = new Map<number, SyncedFile>();
  let waiting = 0;
  let statsDone = false;
  const result = await call(client, "/moby.filesync.v1.FileSync/DiffCopy", meta, (m, send) => {
    const f = readFields(m);
    const type = numberOf(f, 1) ?? 0;
    if (type === 0) {
      const stat = bytesOf(f, 2)[0];
      if (!stat) {
        statsDone = true;
        if (waiting === 0) send(encodeMessage([[1, 3]]), true);
        return;
      }
      const s = readFields(stat);
      const file: SyncedFile = { path: textOf(s, 1) ?? "", mode: numberOf(s, 2) ?? 0, size: numberOf(s, 5) ?? 0, modTimeNs: BigInt(numberOf(s, 6) ?? 0), linkname: textOf(s, 7) };
      const id = files.length;
      files.push(file);
      if ((file.mode & 0x8a000000) === 0) {
        byId.set(id, file);
        waiting++;
        file.data = Buffer.alloc(0);
        send(encodeMessage([[1, 1], [3, id]]));
      }
    } else if (type === 2) {
      const file = byId.get(numberOf(f, 3) ?? 0)!;
      const data = bytesOf(f, 4)[0];
      if (data) file.data = Buffer.concat([file.data!, data]);
      else if (--waiting === 0 && statsDone) send(encodeMessage([[1, 3]]), true);
    } else if (type === 4) {
      build.senderError = bytesOf(f, 4)[0]?.toString();
    }
  }, Buffer.alloc(0));
  if (result.status !== "0" && !build.senderError) build.senderError = `status ${result.status}: ${result.message ?? ""}`;
  return files;
}

async function runBuild(client: http2.ClientHttp2Session, build: FakeBuild, opts: FakeDaemonOptions): Promise<void> {
  const dockerfile = build.query.get("dockerfile") ?? "Dockerfile";
  const follow = opts.dockerfileFollow?.(dockerfile) ?? [dockerfile];
  build.folders.dockerfile = await fetchFolder(client, { "dir-name": ["dockerfile"], followpaths: follow }, build);
  if (build.senderError) return;
  build.folders.context = await fetchFolder(client, { "dir-name": ["context"], ...(opts.contextExcludes ? { "exclude-patterns": opts.contextExcludes } : {}) }, build);
  for (const id of opts.secretIds ?? []) {
    let data = "";
    const r = await call(client, "/moby.buildkit.secrets.v1.Secrets/GetSecret", {}, (m) => (data = bytesOf(readFields(m), 1)[0]?.toString() ?? ""), encodeMessage([[1, id]]), true);
    build.secrets[id] = r.status === "0" ? data : { code: r.status };
  }
}

export async function fakeBuildkitDaemon(opts: FakeDaemonOptions = {}) {
  const socket = path.join(await tempDir(), "docker.sock");
  const sessions = new Map<string, http2.ClientHttp2Session>();
  const builds: FakeBuild[] = [];
  const cancelled: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://docker");
    if (url.pathname === "/build/cancel") {
      cancelled.push(url.searchParams.get("id") ?? "");
      return res.writeHead(200).end();
    }
    if (url.pathname !== "/build") return res.writeHead(404).end("{}");
    const build: FakeBuild = { query: url.searchParams, folders: {}, secrets: {} };
    builds.push(build);
    req.resume();
    const client = sessions.get(url.searchParams.get("session") ?? "");
    if (!client) return res.writeHead(400, { "Content-Type": "application/json" }).end(JSON.stringify({ message: "no session" }));
    void runBuild(client, build, opts).then(() => {
      if (opts.hang) return res.writeHead(200).write("");
      res.writeHead(200, { "Content-Type": "application/json" });
      const messages = opts.messages?.(build) ?? [
        { id: "moby.buildkit.trace", aux: encodeMessage([[1, encodeMessage([[1, "sha256:aa"], [3, "[1/1] COPY . ."], [5, encodeMessage([[1, 1700000000]])], [6, encodeMessage([[1, 1700000001]])]])]]).toString("base64") },
        build.senderError ? { errorDetail: { message: `failed to send: ${build.senderError}` }, error: "x" } : { id: "moby.image.id", aux: { ID: `sha256:${"c".repeat(64)}` } },
      ];
      for (const m of messages) res.write(`${JSON.stringify(m)}\r\n`);
      res.end();
    });
  });
  server.on("upgrade", (req, sock: Duplex, head: Buffer) => {
    const id = String(req.headers["x-docker-expose-session-uuid"] ?? "");
    sock.write("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
    if (head.length > 0) sock.unshift(head);
    const client = http2.connect("http://session", { createConnection: () => sock });
    client.on("error", () => {});
    sessions.set(id, client);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    builds,
    cancelled,
    close: async () => {
      for (const c of sessions.values()) c.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
