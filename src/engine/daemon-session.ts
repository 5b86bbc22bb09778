/**
 * A BuildKit session with the Docker daemon, for builds r2d sends to the daemon's API itself
 * (daemon-build.ts): what the docker client opens beside every BuildKit build. `POST /session` is
 * upgraded to a raw connection on which the daemon is the gRPC client and r2d serves three
 * methods: the health check the daemon polls, the build context (file sync, daemon-filesync.ts),
 * and the build secrets (`RUN --mount=type=secret`), read from their files only when BuildKit asks
 * for one. Nothing else is offered: no SSH agent, no registry credentials (daemon-build.ts leaves
 * builds that may need those to the docker client).
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type http2 from "node:http2";
import type { Duplex } from "node:stream";
import { DIFF_COPY, serveDiffCopy, type SyncedContext } from "./daemon-filesync.js";
import { grpcFrame } from "./grpc-wire.js";
import { nodeHttp, nodeHttp2 } from "./lazy-builtins.js";

const HEALTH_CHECK = "/grpc.health.v1.Health/Check";
const GET_SECRET = "/moby.buildkit.secrets.v1.Secrets/GetSecret";
/** gRPC status codes BuildKit tells apart: NotFound makes an optional secret absent. */
const GRPC_NOT_FOUND = 5;
const GRPC_UNIMPLEMENTED = 12;
/** Build secrets are small (a pip.conf, a token); this bounds what a wrong --secret src makes r2d read. */
const MAX_SECRET_BYTES = 500 * 1024;
const OPEN_TIMEOUT_MS = 10_000;

export interface SessionOffer {
  secrets: readonly { id: string; src: string }[];
  context: SyncedContext;
  /** The context could not be sent (a file changed during the build): the build fails with this. */
  onContextError(err: unknown): void;
}

export interface DaemonSession {
  /** The session's ID, for the build request's `session` parameter. */
  id: string;
  close(): void;
}

/** Protobuf field 1 as bytes (GetSecretResponse.data). */
function bytesField1(data: Buffer): Buffer {
  const len: number[] = [];
  let n = data.length;
  while (n > 127) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...len]), data]);
}

/** GetSecretRequest.ID (field 1) from a request frame; "" when absent. */
export function secretIdOf(frame: Buffer): string {
  const msg = frame.subarray(5);
  let at = 0;
  while (at < msg.length) {
    const key = msg[at++] as number;
    let len = 0;
    let shift = 0;
    let b: number;
    do {
      b = msg[at++] ?? 0;
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80 && at < msg.length);
    if (key >> 3 === 1 && (key & 7) === 2) return msg.subarray(at, at + len).toString("utf8");
    if ((key & 7) !== 2) return "";
    at += len;
  }
  return "";
}

function reply(stream: http2.ServerHttp2Stream, message: Buffer): void {
  stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
  stream.end(grpcFrame(message));
}

function replyError(stream: http2.ServerHttp2Stream, code: number, message: string): void {
  stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": String(code), "grpc-message": encodeURIComponent(message) }, { endStream: true });
}

async function readSecret(src: string): Promise<Buffer> {
  const data = await readFile(src);
  if (data.length > MAX_SECRET_BYTES) throw new Error(`the secret file ${src} is over ${MAX_SECRET_BYTES} bytes`);
  return data;
}

/** One call from the daemon: the health check, or a secret by ID (NotFound for an ID r2d was not given). */
function serveCall(stream: http2.ServerHttp2Stream, path: string, body: Buffer, secrets: ReadonlyMap<string, string>): void {
  if (path === HEALTH_CHECK) return reply(stream, Buffer.from([0x08, 0x01])); // status: SERVING
  if (path !== GET_SECRET) return replyError(stream, GRPC_UNIMPLEMENTED, `${path} is not offered`);
  const id = secretIdOf(body);
  const src = secrets.get(id);
  if (src === undefined) return replyError(stream, GRPC_NOT_FOUND, `secret ${id} not found`);
  readSecret(src).then(
    (data) => reply(stream, bytesField1(data)),
    (err: unknown) => replyError(stream, GRPC_NOT_FOUND, `secret ${id}: ${err instanceof Error ? err.message : String(err)}`),
  );
}

function serve(socket: Duplex, offer: SessionOffer): http2.ServerHttp2Session {
  const secrets = new Map(offer.secrets.map((s) => [s.id, s.src]));
  const h2 = nodeHttp2().performServerHandshake(socket);
  h2.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
    if (headers[":path"] === DIFF_COPY) return serveDiffCopy(stream, rawHeaders, offer.context, (err) => offer.onContextError(err));
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", () => {});
    stream.on("end", () => serveCall(stream, String(headers[":path"] ?? ""), Buffer.concat(chunks), secrets));
  });
  h2.on("error", () => {}); // the daemon closing the connection ends the session; the build reports its own end
  return h2;
}

/** Opens a session on the daemon at `socketPath` offering the context and these secrets (ID → file); rejects when the daemon does not upgrade. */
export function openSession(socketPath: string, offer: SessionOffer): Promise<DaemonSession> {
  const id = randomBytes(16).toString("hex");
  return new Promise((resolve, reject) => {
    const req = nodeHttp().request({
      socketPath,
      method: "POST",
      path: "/session",
      timeout: OPEN_TIMEOUT_MS,
      headers: {
        Host: "docker",
        Connection: "Upgrade",
        Upgrade: "h2c",
        "X-Docker-Expose-Session-Uuid": id,
        "X-Docker-Expose-Session-Name": "r2d",
        "X-Docker-Expose-Session-Sharedkey": offer.context.sharedKey,
        "X-Docker-Expose-Session-Grpc-Method": [HEALTH_CHECK, DIFF_COPY, GET_SECRET],
      },
    });
    req.on("upgrade", (_res, socket, head) => {
      req.setTimeout(0);
      if (head.length > 0) socket.unshift(head);
      const h2 = serve(socket, offer);
      resolve({ id, close: () => { h2.destroy(); socket.destroy(); } });
    });
    req.on("response", (res) => {
      res.resume();
      reject(new Error(`the Docker daemon answered POST /session with ${res.statusCode ?? "no status"} instead of upgrading it`));
    });
    req.on("timeout", () => req.destroy(new Error(`the Docker daemon at ${socketPath} did not open a build session`)));
    req.on("error", reject);
    req.end();
  });
}
