/**
 * The Modzy grader's HTTP client and its rules for answers: every request goes to 127.0.0.1 only,
 * connection errors and timeouts come back as values, and each answer must carry the container
 * specification's `{statusCode, status, message}` body.
 */
import { createServer } from "node:net";
import { clip, humanDuration } from "./checks.js";
import type { GradeCheck } from "./types.js";

export interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
  json?: unknown;
}

export type HttpResult = HttpAnswer | { error: string };

/** One request to the model server (loopback only); connection errors come back as `{ error }`. */
export async function call(base: string, method: "GET" | "POST", route: string, body: { json?: unknown; text?: string } | undefined, timeoutMs: number): Promise<HttpResult> {
  const url = new URL(route, base);
  if (url.hostname !== "127.0.0.1") return { error: `refusing to call ${url.host}: the grader talks to 127.0.0.1 only` };
  const headers: Record<string, string> = {};
  let payload: string | undefined;
  if (body?.json !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body.json);
  } else if (body?.text !== undefined) {
    headers["content-type"] = "text/plain";
    payload = body.text;
  }
  try {
    const res = await fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", text, json };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === "TimeoutError" || e.name === "AbortError") return { error: `no answer within ${humanDuration(timeoutMs)}` };
    return { error: e.cause?.code ?? e.cause?.message ?? e.message };
  }
}

/** Problems with a response body against the spec's `{statusCode, status, message}` (null when it fits). */
export function shapeProblem(answer: HttpAnswer): string | null {
  const j = answer.json as Record<string, unknown> | undefined;
  if (!j || typeof j !== "object" || Array.isArray(j)) return `the body is not the JSON object {statusCode, status, message}: ${JSON.stringify(clip(answer.text, 80))}`;
  const missing = [
    typeof j.statusCode === "number" ? null : "statusCode (a number)",
    typeof j.status === "string" ? null : "status (a string)",
    typeof j.message === "string" ? null : "message (a string)",
  ].filter(Boolean);
  if (missing.length) return `the JSON body lacks ${missing.join(", ")}`;
  if (j.statusCode !== answer.status) return `the body says statusCode ${String(j.statusCode)} but the HTTP status is ${answer.status}`;
  return null;
}

export function describeAnswer(r: HttpResult): string {
  if ("error" in r) return r.error;
  const msg = (r.json as { message?: unknown } | undefined)?.message;
  return `HTTP ${r.status}${typeof msg === "string" && msg ? ` (${clip(msg, 120)})` : ""}`;
}

/** An answer with the wanted status and a well-formed body. */
export function expectStatus(name: string, r: HttpResult, want: number, what: string, hint: string): GradeCheck {
  if ("error" in r) return { name, passed: false, reason: `${what}: ${r.error}`, hint };
  if (r.status !== want) return { name, passed: false, reason: `${what}: expected HTTP ${want}, got ${describeAnswer(r)}`, hint };
  const shape = shapeProblem(r);
  if (shape) return { name, passed: false, reason: `${what}: HTTP ${want}, but ${shape}`, hint: "every route answers application/json {\"statusCode\": <HTTP status>, \"status\": \"OK\", \"message\": \"...\"}" };
  return { name, passed: true, reason: `${what}: HTTP ${want}` };
}

/** A free TCP port on 127.0.0.1 (for the host-network mode). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
