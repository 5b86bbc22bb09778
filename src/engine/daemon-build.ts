/**
 * A BuildKit build sent to the Docker daemon's API by r2d itself (`POST /build?version=2`), where
 * the docker client would only relay it: the same build as `DOCKER_BUILDKIT=1 docker build`,
 * without a client process. The context and the build secrets go through r2d's session with the
 * daemon (daemon-session.ts): the context by file sync, so a code-only rebuild sends only the
 * changed files and the daemon unpacks no tar. The daemon's progress (protobuf, base64) comes back
 * as rawjson lines for the one parser; the image ID is written to the iidfile as the client would.
 * Used only where the probe found the client talking to a local socket and no registry
 * credentials are configured (those are the client's to send); a socket that cannot be reached
 * sends runBuild back to the client.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import type http from "node:http";
import path from "node:path";
import type { ContextEntries } from "../context/entries.js";
import { decodeStatus } from "./buildkit-status.js";
import { openSession, type DaemonSession } from "./daemon-session.js";
import type { DebugLog } from "./exec.js";
import { dockerConfigDir } from "./probe-cache.js";
import type { ProcessExit } from "./process.js";
import { createLineSplitter } from "./progress-plain.js";
import { nodeHttp } from "./lazy-builtins.js";

/** Errors meaning nothing reached the daemon: the client may still get through (another route, or it says why not). */
const UNREACHABLE_CODES = new Set(["ENOENT", "ECONNREFUSED", "EACCES", "EPERM"]);
const cannotConnect = (err: NodeJS.ErrnoException): boolean => UNREACHABLE_CODES.has(err.code ?? "");
const CANCEL_TIMEOUT_MS = 3000;

export interface DaemonBuildOptions {
  socket: string;
  /** `POST /build` parameters (without session and buildid); `dockerfile` is its path in the context. */
  query: Record<string, string>;
  secrets: readonly { id: string; src: string }[];
  context: () => ContextEntries;
  iidFile: string;
  /** The progress as rawjson lines, and the daemon's own lines (`ERROR: …`), as a client would print them. */
  onOutput: (chunk: string) => void;
  onDebug?: DebugLog;
  signal?: AbortSignal;
}

export interface DaemonBuildExit extends ProcessExit {
  /** Nothing reached the daemon (its socket could not be opened): the build did not start. */
  unreachable?: boolean;
  /** The context could not be read to the end (the request was cut: nothing was built from it). */
  contextError?: unknown;
}

export interface RunningDaemonBuild {
  readonly exited: Promise<DaemonBuildExit>;
  /** Cancels the build (closes the request and asks the daemon to cancel it). */
  stop(): void;
}

/**
 * Could the build need registry credentials the docker client would send (a login, a credential
 * store or helper in its config)? Then the client builds. An unreadable or odd config counts as yes.
 */
export async function mayNeedCredentials(env: Record<string, string> | undefined): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(path.join(dockerConfigDir({ ...process.env, ...env }), "config.json"), "utf8");
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== "ENOENT";
  }
  try {
    const cfg = JSON.parse(text) as Record<string, unknown>;
    const entries = (v: unknown): number => (typeof v === "object" && v !== null ? Object.keys(v).length : 0);
    return Boolean(cfg.credsStore) || entries(cfg.credHelpers) > 0 || entries(cfg.auths) > 0;
  } catch {
    return true;
  }
}

/** The daemon's JSON messages → output lines; the image ID and the error kept. */
function messageReader(onOutput: (chunk: string) => void) {
  const lines = createLineSplitter();
  const state = { imageId: undefined as string | undefined, error: undefined as string | undefined };
  const onMessage = (line: string): void => {
    if (line.trim() === "") return;
    let m: { id?: string; aux?: unknown; stream?: string; error?: string; errorDetail?: { message?: string } };
    try {
      m = JSON.parse(line) as typeof m;
    } catch {
      return onOutput(`${line}\n`);
    }
    if (m.id === "moby.buildkit.trace" && typeof m.aux === "string") {
      try {
        onOutput(`${JSON.stringify(decodeStatus(m.aux))}\n`);
      } catch {
        /* a progress message r2d cannot read: the build goes on, its step lines come again */
      }
    } else if (m.id === "moby.image.id") {
      const id = (m.aux as { ID?: unknown } | undefined)?.ID;
      if (typeof id === "string") state.imageId = id;
    } else if (m.error !== undefined || m.errorDetail !== undefined) {
      state.error = m.errorDetail?.message ?? m.error ?? "the build failed";
      onOutput(`ERROR: ${state.error}\n`);
    } else if (typeof m.stream === "string") {
      onOutput(m.stream);
    }
  };
  return Object.assign(state, {
    push: (chunk: string): void => lines.push(chunk).forEach(onMessage),
    end: (): void => lines.end().forEach(onMessage),
  });
}

/**
 * The request as the log shows it: labels and build arguments as the client's `K=V` words (raw
 * values, so the output scrubber finds the secret ones as it does in a command line).
 */
function debugLine(opts: DaemonBuildOptions, query: URLSearchParams): string {
  const words = (k: string, v: string): string[] => {
    if (k !== "labels" && k !== "buildargs") return [`${k}=${v}`];
    const record = JSON.parse(v) as Record<string, string>;
    return Object.entries(record).map(([name, value]) => `${k === "labels" ? "label" : "build-arg"} ${name}=${value}`);
  };
  const shown = [...query].filter(([k]) => k !== "session").flatMap(([k, v]) => words(k, v)).join(" ");
  return `build: POST /build on ${opts.socket} (the Docker daemon's API; the context by file sync in the session; the image ID to ${opts.iidFile}): ${shown}`;
}

/**
 * The session's shared key: BuildKit keeps what it received of a context under it and diffs the
 * next transfer against that. One key per repository folder, as the docker client keys it by its
 * context folder.
 */
function sharedKeyOf(root: string): string {
  return createHash("sha256").update(`r2d:${root}`).digest("hex");
}

/** Asks the daemon to cancel a build (what the docker client does on Ctrl-C); answers are not waited for long. */
function cancelBuild(socket: string, buildId: string): void {
  const req = nodeHttp().request({ socketPath: socket, method: "POST", path: `/build/cancel?id=${encodeURIComponent(buildId)}`, headers: { Host: "docker" }, timeout: CANCEL_TIMEOUT_MS });
  req.on("response", (res) => res.resume());
  req.on("timeout", () => req.destroy());
  req.on("error", () => {});
  req.end();
}

interface BuildCall {
  opts: DaemonBuildOptions;
  session: DaemonSession;
  buildId: string;
  finish: (exit: DaemonBuildExit) => void;
  /** Why the request is being cut (a stop, a broken context): its errors then mean that, not a lost daemon. */
  cut(): { stopped: boolean; contextError?: unknown };
}

/** The daemon's answer: a refusal (not 200), or the message stream to its end. */
function onAnswer(call: BuildCall, res: http.IncomingMessage, lost: (err: Error) => void): void {
  const { opts, finish } = call;
  const messages = messageReader(opts.onOutput);
  let body = "";
  res.setEncoding("utf8");
  res.on("data", (c: string) => (res.statusCode === 200 ? messages.push(c) : (body += c)));
  res.on("error", lost);
  res.on("close", () => {
    if (!res.complete) return lost(new Error("the answer was cut off"));
    if (res.statusCode !== 200) {
      const message = (() => { try { return (JSON.parse(body) as { message?: string }).message; } catch { return undefined; } })();
      opts.onOutput(`ERROR: ${message ?? (body.trim() || `the Docker daemon answered ${res.statusCode}`)}\n`);
      return finish({ exitCode: 1 });
    }
    messages.end();
    if (messages.error !== undefined) return finish({ exitCode: 1 });
    if (!messages.imageId) {
      opts.onOutput("ERROR: the Docker daemon's build stream ended before it named the image (server did not provide an image ID)\n");
      return finish({ exitCode: 1 });
    }
    writeFile(opts.iidFile, messages.imageId, { mode: 0o600 }).then(
      () => finish({ exitCode: 0 }),
      (err: unknown) => finish({ spawnError: `cannot write ${opts.iidFile}: ${String(err)}` }),
    );
  });
}

function sendBuild(call: BuildCall): http.ClientRequest {
  const { opts, session, buildId, finish } = call;
  const query = new URLSearchParams({ ...opts.query, dockerfile: path.posix.basename(opts.query.dockerfile ?? "Dockerfile"), remote: "client-session", version: "2", buildid: buildId, session: session.id });
  opts.onDebug?.(debugLine(opts, query));
  let answered = false;
  const lost = (err: NodeJS.ErrnoException): void => {
    const why = call.cut();
    if (why.stopped) return finish({ signal: "SIGINT" });
    if (why.contextError !== undefined) return finish({ contextError: why.contextError });
    if (!answered && cannotConnect(err)) return finish({ unreachable: true, spawnError: err.message });
    opts.onOutput(`ERROR: error during connect: the connection to the Docker daemon at ${opts.socket} was lost: ${err.message}\n`);
    finish({ exitCode: 1 });
  };
  const req = nodeHttp().request({ socketPath: opts.socket, method: "POST", path: `/build?${query}`, headers: { Host: "docker", "Content-Type": "application/x-tar" } }, (res) => {
    answered = true;
    onAnswer(call, res, lost);
  });
  req.on("error", lost);
  return req;
}

/** Starts the build and returns at once; `exited` settles (never rejects) once the daemon's answer has been read. */
export function startDaemonBuild(opts: DaemonBuildOptions): RunningDaemonBuild {
  const buildId = randomBytes(16).toString("hex");
  let settle!: (exit: DaemonBuildExit) => void;
  const exited = new Promise<DaemonBuildExit>((resolve) => (settle = resolve));
  const state = {
    done: false,
    stopped: false,
    contextError: undefined as unknown,
    session: undefined as DaemonSession | undefined,
    req: undefined as http.ClientRequest | undefined,
  };
  const finish = (exit: DaemonBuildExit): void => {
    if (state.done) return;
    state.done = true;
    state.session?.close();
    opts.signal?.removeEventListener("abort", stop);
    settle(state.stopped && exit.exitCode !== 0 ? { signal: "SIGINT" } : exit);
  };
  function stop(): void {
    if (state.done || state.stopped) return;
    state.stopped = true;
    cancelBuild(opts.socket, buildId);
    if (state.req) state.req.destroy(new Error("the build was stopped"));
    else finish({ signal: "SIGINT" });
  }
  opts.signal?.addEventListener("abort", stop, { once: true });
  const start = async (): Promise<void> => {
    const entries = opts.context();
    const context = { entries, dockerfileDir: path.posix.dirname(opts.query.dockerfile ?? "Dockerfile").replace(/^\.$/, ""), sharedKey: sharedKeyOf(entries.root) };
    const onContextError = (err: unknown): void => {
      state.contextError ??= err;
      state.req?.destroy(err instanceof Error ? err : new Error(String(err)));
    };
    state.session = await openSession(opts.socket, { secrets: opts.secrets, context, onContextError });
    if (state.stopped) return finish({ signal: "SIGINT" });
    state.req = sendBuild({ opts, session: state.session, buildId, finish, cut: () => state });
    state.req.end();
  };
  start().catch((err: NodeJS.ErrnoException) => finish(cannotConnect(err) ? { unreachable: true, spawnError: err.message } : { spawnError: err.message }));
  return { exited, stop };
}
