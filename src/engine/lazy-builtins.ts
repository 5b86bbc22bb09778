/**
 * Node's HTTP modules, loaded on first use: planning (and `--no-build`) never talks to the
 * daemon, and loading them up front costs every start ~5–12 ms (node:http2 brings TLS with it).
 */
import { createRequire } from "node:module";
import type Http from "node:http";
import type Http2 from "node:http2";

const requireCjs = createRequire(import.meta.url);

export const nodeHttp = (): typeof Http => requireCjs("node:http") as typeof Http;
export const nodeHttp2 = (): typeof Http2 => requireCjs("node:http2") as typeof Http2;
