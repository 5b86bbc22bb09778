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
import { encodeMessage, grpcFrame, GRPC_STATUS, readFields, replyGrpcError, textOf } from "./grpc-wire.js";
import { nodeHttp, nodeHttp2 } from "./lazy-builtins.js";

const HEALTH_CHECK = "/grpc.health.v1.Health/Check";
const GET_SECRET = "/moby.buildkit.secrets.v1.Secrets/GetSecret";
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

/** GetSecretRequest.ID (field 1) from a request frame; "" when absent or unreadable. */
export function secretIdOf(frame: Buffer): string {
  try {
    return textOf(readFields(frame.subarray(5)), 1) ?? "";
  } catch {
    return "";
  }
}

function reply(stream: http2.ServerHttp2Stream, message: Buffer): void {
  stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
  stream.end(grpcFrame(message));
}


async function readSecret(src: string): Promise<Buffer> {
  const data = await readFile(src);
  if (data.length > MAX_SECRET_BYTES) throw new Error(`the secret file ${src} is over ${MAX_SECRET_BYTES} bytes`);
  return data;
}

/** One call from the daemon: the health check, or a secret by ID (NotFound for an ID r2d was not given). */
function serveCall(stream: http2.ServerHttp2Stream, path: string, body: Buffer, secrets: ReadonlyMap<string, string>): void {
  if (path === HEALTH_CHECK) return reply(stream, encodeMessage([[1, 1]])); // status: SERVING
  if (path !== GET_SECRET) return replyGrpcError(stream, GRPC_STATUS.unimplemented, `${path} is not offered`);
  const id = secretIdOf(body);
  const src = secrets.get(id);
  if (src === undefined) return replyGrpcError(stream, GRPC_STATUS.notFound, `secret ${id} not found`);
  readSecret(src).then(
    (data) => reply(stream, encodeMessage([[1, data]])),
    (err: unknown) => replyGrpcError(stream, GRPC_STATUS.notFound, `secret ${id}: ${err instanceof Error ? err.message : String(err)}`),
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
