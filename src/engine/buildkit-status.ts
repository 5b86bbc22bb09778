/**
 * BuildKit's progress as the Docker daemon streams it from `POST /build` (`moby.buildkit.trace`
 * messages: a base64 `StatusResponse` protobuf each), decoded into the JSON shape buildx prints
 * with `--progress=rawjson`, so the one rawjson parser reads both. Only the fields r2d reads are
 * decoded (BuildKit's control.proto: vertexes 1, statuses 2, logs 3, warnings 4); unknown fields
 * are skipped, as protobuf readers do, so newer daemons' additions are harmless.
 */
import { bytesOf, numberOf, readFields as fields, textOf, type Field } from "./grpc-wire.js";

/** google.protobuf.Timestamp → RFC 3339, as rawjson prints it. */
function timeOf(f: Field[], no: number): string | undefined {
  const ts = bytesOf(f, no)[0];
  if (!ts) return undefined;
  const t = fields(ts);
  const ms = (numberOf(t, 1) ?? 0) * 1000 + Math.floor((numberOf(t, 2) ?? 0) / 1e6);
  return new Date(ms).toISOString();
}

/** Keys with undefined values left out, as JSON would print them. */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function vertex(buf: Buffer): Record<string, unknown> {
  const f = fields(buf);
  return defined({
    digest: textOf(f, 1),
    inputs: bytesOf(f, 2).map((b) => b.toString("utf8")),
    name: textOf(f, 3),
    cached: numberOf(f, 4) === 1 ? true : undefined,
    started: timeOf(f, 5),
    completed: timeOf(f, 6),
    error: textOf(f, 7),
  });
}

function vertexStatus(buf: Buffer): Record<string, unknown> {
  const f = fields(buf);
  return defined({ id: textOf(f, 1), vertex: textOf(f, 2), name: textOf(f, 3), current: numberOf(f, 4), total: numberOf(f, 5), timestamp: timeOf(f, 6), started: timeOf(f, 7), completed: timeOf(f, 8) });
}

function vertexLog(buf: Buffer): Record<string, unknown> {
  const f = fields(buf);
  return defined({ vertex: textOf(f, 1), timestamp: timeOf(f, 2), stream: numberOf(f, 3), data: bytesOf(f, 4)[0]?.toString("base64") ?? "" });
}

function vertexWarning(buf: Buffer): Record<string, unknown> {
  const f = fields(buf);
  return defined({ vertex: textOf(f, 1), level: numberOf(f, 2), short: bytesOf(f, 3)[0]?.toString("base64"), detail: bytesOf(f, 4).map((b) => b.toString("base64")), url: textOf(f, 5) });
}

/** One `moby.buildkit.trace` payload (base64) → `{vertexes, statuses, logs, warnings}` as rawjson has it. Throws on a malformed payload. */
export function decodeStatus(base64: string): Record<string, unknown[]> {
  const f = fields(Buffer.from(base64, "base64"));
  return {
    vertexes: bytesOf(f, 1).map(vertex),
    statuses: bytesOf(f, 2).map(vertexStatus),
    logs: bytesOf(f, 3).map(vertexLog),
    warnings: bytesOf(f, 4).map(vertexWarning),
  };
}
