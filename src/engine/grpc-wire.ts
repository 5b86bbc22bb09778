/**
 * The little of gRPC's wire format r2d speaks with the Docker daemon's BuildKit (daemon-session.ts,
 * daemon-filesync.ts, buildkit-status.ts): protobuf fields read and written by number, and gRPC's
 * message frames. Only varint and length-delimited fields are produced; fixed-width ones are
 * skipped when read. Hand-written because a handful of messages do not justify a code generator.
 */
import type http2 from "node:http2";

/** One protobuf field: its number, and its value (a varint as a number, a length-delimited field as bytes). */
export interface Field {
  no: number;
  value: number | Buffer;
}

function readVarint(buf: Buffer, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const b = buf[i] as number;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  throw new Error("a truncated protobuf varint");
}

/** The fields of one message, in order (repeated fields repeat). Throws on malformed input. */
export function readFields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, afterKey] = readVarint(buf, at);
    const no = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      const [value, next] = readVarint(buf, afterKey);
      out.push({ no, value });
      at = next;
    } else if (wire === 2) {
      const [length, start] = readVarint(buf, afterKey);
      if (start + length > buf.length) throw new Error("a truncated protobuf field");
      out.push({ no, value: buf.subarray(start, start + length) });
      at = start + length;
    } else if (wire === 1 || wire === 5) {
      at = afterKey + (wire === 1 ? 8 : 4);
    } else {
      throw new Error(`protobuf wire type ${wire} is not expected here`);
    }
  }
  return out;
}

export const bytesOf = (f: Field[], no: number): Buffer[] => f.filter((x) => x.no === no && Buffer.isBuffer(x.value)).map((x) => x.value as Buffer);
export const textOf = (f: Field[], no: number): string | undefined => bytesOf(f, no)[0]?.toString("utf8");
export const numberOf = (f: Field[], no: number): number | undefined => {
  const v = f.find((x) => x.no === no && typeof x.value === "number")?.value;
  return typeof v === "number" ? v : undefined;
};

function varint(n: number | bigint): Buffer {
  // Negative int64s are 10-byte two's complement varints.
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

/** A field to write: varints as numbers or bigints, strings and bytes (and nested messages) length-delimited; undefined, 0, "" and empty bytes are left out, as proto3 does. */
export type FieldValue = number | bigint | string | Buffer | undefined;

export function encodeMessage(fields: readonly (readonly [no: number, value: FieldValue])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [no, value] of fields) {
    if (value === undefined || value === 0 || value === 0n || value === "") continue;
    if (typeof value === "number" || typeof value === "bigint") {
      parts.push(varint(no * 8), varint(value));
    } else {
      const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
      if (bytes.length === 0) continue;
      parts.push(varint(no * 8 + 2), varint(bytes.length), bytes);
    }
  }
  return Buffer.concat(parts);
}

/** A gRPC message frame: not compressed, 4-byte big-endian length, the message. */
export function grpcFrame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** Splits a stream's data into gRPC messages, whatever the chunk boundaries. */
export function grpcFrameReader(onMessage: (message: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 5) {
      const length = pending.readUInt32BE(1);
      if (pending.length < 5 + length) break;
      const message = pending.subarray(5, 5 + length);
      pending = pending.subarray(5 + length);
      onMessage(message);
    }
  };
}

/** The gRPC status codes BuildKit tells apart (NotFound makes an optional secret absent). */
export const GRPC_STATUS = { ok: 0, unknown: 2, notFound: 5, unimplemented: 12 } as const;

/** A call answered with an error status only (gRPC's trailers-only response). */
export function replyGrpcError(stream: http2.ServerHttp2Stream, code: number, message: string): void {
  stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": String(code), "grpc-message": encodeURIComponent(message) }, { endStream: true });
}
