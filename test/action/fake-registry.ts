/**
 * A registry that accepts `docker push` over plain HTTP on 127.0.0.1 (which Docker trusts without
 * TLS), keeps blob digests and manifests in memory, and records what was pushed. Enough of the
 * Registry v2 API for pushes: /v2/, blob HEAD, chunked and monolithic uploads, manifest PUT/GET.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeRegistry {
  /** host:port, e.g. 127.0.0.1:40123 */
  host: string;
  /** `name:tag` → manifest digest, in push order. */
  pushed: { ref: string; digest: string }[];
  close(): Promise<void>;
}

export async function startFakeRegistry(): Promise<FakeRegistry> {
  const blobs = new Map<string, number>(); // digest → size
  const uploads = new Map<string, { hash: ReturnType<typeof createHash>; size: number }>();
  const manifests = new Map<string, { body: Buffer; type: string; digest: string }>();
  const pushed: { ref: string; digest: string }[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://registry");
    const p = url.pathname;
    res.setHeader("Docker-Distribution-API-Version", "registry/2.0");
    const send = (status: number, headers: Record<string, string | number> = {}, body?: Buffer | string) => {
      res.writeHead(status, headers);
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (p === "/v2/" || p === "/v2") return send(200, { "Content-Type": "application/json" }, "{}");

    let m = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(p);
    if (m && (req.method === "HEAD" || req.method === "GET")) {
      const size = blobs.get(m[2]!);
      return size === undefined ? send(404) : send(200, { "Content-Length": size, "Docker-Content-Digest": m[2]! }, Buffer.alloc(0));
    }
    m = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(p);
    if (m && req.method === "POST") {
      const id = randomUUID();
      uploads.set(id, { hash: createHash("sha256"), size: 0 });
      return send(202, { Location: `/v2/${m[1]}/blobs/uploads/${id}`, "Docker-Upload-UUID": id, Range: "0-0", "Content-Length": 0 });
    }
    m = /^\/v2\/(.+)\/blobs\/uploads\/([\w-]+)$/.exec(p);
    if (m && (req.method === "PATCH" || req.method === "PUT")) {
      const up = uploads.get(m[2]!);
      if (!up) return send(404);
      for await (const chunk of req) {
        up.hash.update(chunk as Buffer);
        up.size += (chunk as Buffer).length;
      }
      if (req.method === "PATCH") {
        return send(202, { Location: `/v2/${m[1]}/blobs/uploads/${m[2]}`, Range: `0-${Math.max(0, up.size - 1)}`, "Docker-Upload-UUID": m[2]!, "Content-Length": 0 });
      }
      const digest = `sha256:${up.hash.digest("hex")}`;
      const wanted = url.searchParams.get("digest");
      if (wanted !== digest) return send(400, {}, `digest mismatch: ${wanted} != ${digest}`);
      uploads.delete(m[2]!);
      blobs.set(digest, up.size);
      return send(201, { Location: `/v2/${m[1]}/blobs/${digest}`, "Docker-Content-Digest": digest, "Content-Length": 0 });
    }
    m = /^\/v2\/(.+)\/manifests\/([\w.:-]+)$/.exec(p);
    if (m && req.method === "PUT") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
      const entry = { body, type: req.headers["content-type"] ?? "application/vnd.docker.distribution.manifest.v2+json", digest };
      manifests.set(`${m[1]}:${m[2]}`, entry);
      manifests.set(`${m[1]}@${digest}`, entry);
      if (!m[2]!.startsWith("sha256:")) pushed.push({ ref: `${m[1]}:${m[2]}`, digest });
      return send(201, { Location: `/v2/${m[1]}/manifests/${digest}`, "Docker-Content-Digest": digest, "Content-Length": 0 });
    }
    if (m && (req.method === "GET" || req.method === "HEAD")) {
      const entry = manifests.get(`${m[1]}${m[2]!.startsWith("sha256:") ? "@" : ":"}${m[2]}`);
      if (!entry) return send(404, { "Content-Type": "application/json" }, JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }));
      return send(200, { "Content-Type": entry.type, "Docker-Content-Digest": entry.digest, "Content-Length": entry.body.length }, entry.body);
    }
    send(404, { "Content-Type": "application/json" }, JSON.stringify({ errors: [{ code: "UNSUPPORTED", message: `${req.method} ${p}` }] }));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    pushed,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
