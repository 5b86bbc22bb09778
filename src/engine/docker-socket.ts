/**
 * The Docker Engine API over the daemon's unix socket, for the two calls every build makes after
 * the builder is done (inspect the image, tag it): one HTTP request instead of a docker client
 * process (~40 ms each). Only where the probe found the client itself talking to a local socket
 * (its current context's endpoint); anywhere else, and on any failure to talk to it, the callers
 * use the docker client as before.
 */
import { nodeHttp } from "./lazy-builtins.js";

const REQUEST_TIMEOUT_MS = 10_000;

export interface ApiAnswer {
  status: number;
  body: string;
}

/** One request to the daemon; rejects when the socket cannot be reached or does not answer in time. */
export function dockerApi(socketPath: string, method: "GET" | "POST", urlPath: string): Promise<ApiAnswer> {
  return new Promise((resolve, reject) => {
    const req = nodeHttp().request({ socketPath, method, path: urlPath, headers: { Host: "docker" }, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`the Docker daemon at ${socketPath} did not answer ${method} ${urlPath}`)));
    req.on("error", reject);
    req.end();
  });
}

/** `name:tag` / `host:5000/name` → the API's repo and tag (no tag: latest). */
export function splitTag(ref: string): { repo: string; tag: string } {
  const colon = ref.lastIndexOf(":");
  if (colon > ref.lastIndexOf("/")) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: "latest" };
}
