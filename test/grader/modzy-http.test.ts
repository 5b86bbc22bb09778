/** The Modzy grader's HTTP client: JSON or text bodies, errors as values, loopback only. */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, freePort } from "../../src/grader/modzy-http.js";

describe("the Modzy HTTP client", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        if (req.url === "/slow") return; // never answers
        const status = req.headers["content-type"] === "application/json" ? 200 : 415;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify({ statusCode: status, status: "x", message: `${req.method} ${req.url} ${body}` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("posts JSON or text and parses the JSON answer", async () => {
    const ok = await call(base, "POST", "/run", { json: { type: "file" } }, 2000);
    expect(ok).toMatchObject({ status: 200, json: { statusCode: 200, message: 'POST /run {"type":"file"}' } });
    expect(await call(base, "POST", "/run", { text: "hi" }, 2000)).toMatchObject({ status: 415 });
  });

  it("reports timeouts and refused connections as errors, not throws", async () => {
    expect(await call(base, "GET", "/slow", undefined, 300)).toEqual({ error: "no answer within 300 ms" });
    const port = await freePort();
    expect(await call(`http://127.0.0.1:${port}`, "GET", "/status", undefined, 2000)).toEqual({ error: "ECONNREFUSED" });
  });

  it("talks to 127.0.0.1 only", async () => {
    expect(await call("http://10.0.0.1:8080", "GET", "/status", undefined, 100)).toEqual({ error: "refusing to call 10.0.0.1:8080: the grader talks to 127.0.0.1 only" });
  });
});
