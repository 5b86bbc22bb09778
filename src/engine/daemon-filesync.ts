/**
 * The build context over BuildKit's file sync (`/moby.filesync.v1.FileSync/DiffCopy`), served in
 * r2d's session with the Docker daemon (daemon-session.ts), as the docker client serves a folder:
 * r2d describes every entry it sends (a STAT packet each, in BuildKit's order), the daemon asks
 * for the bytes of the files that differ from what it kept of the previous build (REQ), r2d sends
 * them (DATA), and both say FIN. Against a tar in the request body, an unchanged file is not sent
 * again and the daemon unpacks nothing: a code-only rebuild moves only the changed file.
 *
 * Only r2d's own context is offered: "context" (all of it) and "dockerfile" (the folder of the
 * generated Dockerfile); the daemon's include, exclude and follow-path filters are applied as
 * BuildKit's client applies them. Owners are sent as 0:0, as the docker client does.
 */
import { once } from "node:events";
import type http2 from "node:http2";
import path from "node:path";
import type { ContextEntries, LayoutEntry } from "../context/entries.js";
import { parentsOf } from "../context/layout.js";
import { makeRule, normalizeLine, RuleSet, type Evaluation } from "../context/patterns.js";
import { encodeMessage, grpcFrame, grpcFrameReader, GRPC_STATUS, numberOf, readFields, replyGrpcError } from "./grpc-wire.js";

export const DIFF_COPY = "/moby.filesync.v1.FileSync/DiffCopy";

/** fsutil's packet types. */
const PACKET = { STAT: 0, REQ: 1, DATA: 2, FIN: 3, ERR: 4 } as const;
/** Go's os.FileMode bits, which fsutil's Stat.mode carries. */
const GO_MODE = { dir: 0x80000000, symlink: 0x08000000, setuid: 1 << 23, setgid: 1 << 22, sticky: 1 << 20 } as const;
/** DATA packets of at most this many bytes (what BuildKit's own client sends). */
const CHUNK_BYTES = 32 * 1024;

export interface SyncedContext {
  entries: ContextEntries;
  /** The generated Dockerfile's folder inside the context ("r2d"): what "dockerfile" names. */
  dockerfileDir: string;
  /** The session's shared key (daemon-build.ts). */
  sharedKey: string;
}

function goMode(e: LayoutEntry): number {
  let mode = e.mode & 0o777;
  if (e.mode & 0o4000) mode |= GO_MODE.setuid;
  if (e.mode & 0o2000) mode |= GO_MODE.setgid;
  if (e.mode & 0o1000) mode |= GO_MODE.sticky;
  if (e.type === "dir") mode |= GO_MODE.dir;
  if (e.type === "symlink") mode = GO_MODE.symlink | 0o777;
  return mode >>> 0;
}

function sizeOf(e: LayoutEntry): number {
  if (e.type === "symlink") return Buffer.byteLength(e.linkTarget ?? "");
  if (e.type !== "file") return 0;
  return e.content?.length ?? e.source?.size ?? 0;
}

/** fsutil's Stat: path, mode, uid, gid (0: left out), size, modTime (ns), linkname. */
export function statMessage(name: string, e: LayoutEntry): Buffer {
  const modTime = BigInt(e.mtime.getTime()) * 1_000_000n;
  return encodeMessage([[1, name], [2, goMode(e)], [5, sizeOf(e)], [6, modTime], [7, e.type === "symlink" ? e.linkTarget : undefined]]);
}

const packet = (type: number, fields: { stat?: Buffer; id?: number; data?: Buffer } = {}): Buffer =>
  grpcFrame(encodeMessage([[1, type], [2, fields.stat], [3, fields.id], [4, fields.data]]));

/** gRPC metadata from the stream's raw headers: every value of each key (keys repeat for lists). */
export function metadataOf(rawHeaders: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i]!.toLowerCase();
    out.set(key, [...(out.get(key) ?? []), rawHeaders[i + 1]!]);
  }
  for (const [key, values] of out) {
    // BuildKit escapes non-ASCII values and says so in `KEY-encoded`.
    if (out.get(`${key}-encoded`)?.[0] === "1" || out.get(`${key}-encoded`)?.[0] === "true") out.set(key, values.map((v) => decodeURIComponent(v.replace(/\+/g, " "))));
  }
  return out;
}

function ruleSet(patterns: string[], what: string): RuleSet {
  const source = { file: `the daemon's ${what}`, line: 0 };
  return new RuleSet(patterns.map((p) => normalizeLine(p)).filter((p) => p !== "").map((p) => makeRule(p, p, "ignore", source)));
}

/** BuildKit's order: by path with "/" sorting before every other character (parents first). */
const syncOrder = (a: { name: string }, b: { name: string }): number => {
  const ka = a.name.replaceAll("/", "\u0000");
  const kb = b.name.replaceAll("/", "\u0000");
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** Entries matched by the follow paths or include patterns, or below a matched folder, and their parent folders. */
function keepWanted(all: { name: string; e: LayoutEntry }[], follow: string[], includes: string[]): Set<string> {
  const wanted = new Set(follow.map((p) => path.posix.normalize(p).replace(/^\.?\/+|\/+$/g, "")));
  for (const { name, e } of all) {
    // A followed symlink brings its target, as BuildKit's client follows it.
    if (e.type === "symlink" && wanted.has(name) && e.linkTarget) wanted.add(path.posix.normalize(path.posix.join(path.posix.dirname(name), e.linkTarget)));
  }
  const include = ruleSet(includes, "include patterns");
  const kept = new Set<string>();
  for (const { name } of all) {
    const hit = wanted.has(name) || parentsOf(name).some((d) => wanted.has(d)) || (!include.empty && [name, ...parentsOf(name)].some((p) => include.evaluate(p, undefined).excluded));
    if (hit) kept.add(name);
  }
  for (const name of [...kept]) for (const d of parentsOf(name)) kept.add(d);
  return kept;
}

/** What one DiffCopy call sends: the named folder of the context, filtered as the daemon asks, in BuildKit's order. */
export function selectEntries(ctx: SyncedContext, meta: Map<string, string[]>): { name: string; e: LayoutEntry }[] | undefined {
  const dirName = meta.get("dir-name")?.[0] ?? "";
  const base = dirName === "context" ? "" : dirName === "dockerfile" ? ctx.dockerfileDir : undefined;
  if (base === undefined) return undefined;
  let all = ctx.entries.entries.flatMap((e) => {
    if (base === "") return [{ name: e.name, e }];
    return e.name.startsWith(`${base}/`) ? [{ name: e.name.slice(base.length + 1), e }] : [];
  });
  const follow = meta.get("followpaths") ?? [];
  const includes = meta.get("include-patterns") ?? [];
  if (follow.length > 0 || includes.length > 0) {
    const kept = keepWanted(all, follow, includes);
    all = all.filter(({ name }) => kept.has(name));
  }
  const exclude = ruleSet(meta.get("exclude-patterns") ?? [], "exclude patterns");
  if (!exclude.empty) {
    const results = new Map<string, Evaluation>();
    const sorted = [...all].sort(syncOrder);
    for (const { name } of sorted) results.set(name, exclude.evaluate(name, results.get(path.posix.dirname(name))?.matched));
    const kept = new Set(sorted.filter(({ name }) => !results.get(name)?.excluded).map(({ name }) => name));
    for (const name of [...kept]) for (const d of parentsOf(name)) kept.add(d);
    all = all.filter(({ name }) => kept.has(name));
  }
  return all.sort(syncOrder);
}

async function write(stream: http2.ServerHttp2Stream, frame: Buffer): Promise<void> {
  if (stream.destroyed) throw new Error("the daemon closed the file sync");
  if (!stream.write(frame)) await once(stream, "drain");
}

/**
 * Serves one DiffCopy call. `onError` hears a context that could not be read (a file changed
 * during the build): the daemon is told (ERR) and the build fails with that error.
 */
export function serveDiffCopy(stream: http2.ServerHttp2Stream, rawHeaders: readonly string[], ctx: SyncedContext, onError: (err: unknown) => void): void {
  let sent: ReturnType<typeof selectEntries>;
  try {
    sent = selectEntries(ctx, metadataOf(rawHeaders));
  } catch (err) {
    // A pattern r2d cannot read (the daemon's, from the context's .dockerignore): the build stops with it.
    onError(err);
    sent = undefined;
  }
  if (!sent) {
    return replyGrpcError(stream, GRPC_STATUS.notFound, "no such folder");
  }
  let status = 0;
  stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": String(status) }));
  stream.on("error", () => {});
  // One queue: packets go out whole and in order (the stats, then each requested file, then FIN).
  let queue: Promise<void> = Promise.resolve();
  const fail = (err: unknown): void => {
    if (status !== 0) return;
    status = GRPC_STATUS.unknown;
    onError(err);
    const text = err instanceof Error ? err.message : String(err);
    if (!stream.destroyed) stream.end(packet(PACKET.ERR, { data: Buffer.from(text) }));
  };
  const enqueue = (job: () => Promise<void>): void => {
    queue = queue.then(() => (status === 0 ? job() : undefined)).catch(fail);
  };
  enqueue(async () => {
    for (const { name, e } of sent) {
      ctx.entries.check(e);
      await write(stream, packet(PACKET.STAT, { stat: statMessage(name, e) }));
    }
    await write(stream, packet(PACKET.STAT));
  });
  const sendFile = async (id: number): Promise<void> => {
    const item = sent[id];
    if (!item || item.e.type !== "file") throw new Error(`the daemon asked for file ${id}, which r2d did not offer`);
    for await (const chunk of ctx.entries.chunks(item.e, CHUNK_BYTES)) await write(stream, packet(PACKET.DATA, { id, data: chunk }));
    await write(stream, packet(PACKET.DATA, { id }));
  };
  stream.on(
    "data",
    grpcFrameReader((message) => {
      const fields = readFields(message);
      const type = numberOf(fields, 1) ?? 0;
      if (type === PACKET.REQ) enqueue(() => sendFile(numberOf(fields, 3) ?? 0));
      else if (type === PACKET.FIN) enqueue(() => Promise.resolve(void stream.end(packet(PACKET.FIN))));
      else if (type === PACKET.ERR) enqueue(() => Promise.resolve(void stream.end()));
    }),
  );
}
