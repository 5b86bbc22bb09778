import { describe, expect, it } from "vitest";
import { decodeStatus } from "../../src/engine/buildkit-status.js";
import { metadataOf, selectEntries, statMessage } from "../../src/engine/daemon-filesync.js";
import { secretIdOf } from "../../src/engine/daemon-session.js";
import { bytesOf, encodeMessage, grpcFrame, grpcFrameReader, numberOf, readFields, textOf } from "../../src/engine/grpc-wire.js";
import { createRawJsonProgressParser } from "../../src/engine/progress-rawjson.js";
import type { ContextEntries, LayoutEntry } from "../../src/context/entries.js";

describe("protobuf fields and gRPC frames (grpc-wire.ts)", () => {
  it("writes and reads back varints (up to int64 nanoseconds), strings and nested messages; zero values are left out", () => {
    const inner = encodeMessage([[1, "sha256:ab"], [2, 0], [3, ""]]);
    const msg = encodeMessage([[1, 300], [2, inner], [5, 2n ** 62n + 5n], [7, Buffer.from([0, 1, 2])]]);
    const f = readFields(msg);
    expect(numberOf(f, 1)).toBe(300);
    expect(readFields(bytesOf(f, 2)[0]!)).toEqual([{ no: 1, value: Buffer.from("sha256:ab") }]);
    expect(numberOf(f, 5)).toBe(Number(2n ** 62n + 5n)); // read back as a JS number: the nearest double
    expect(bytesOf(f, 7)[0]).toEqual(Buffer.from([0, 1, 2]));
    expect(encodeMessage([[1, 0], [2, undefined], [3, Buffer.alloc(0)]])).toEqual(Buffer.alloc(0));
  });

  it("refuses a truncated field instead of reading past the end", () => {
    expect(() => readFields(Buffer.from([0x0a, 0x05, 0x61]))).toThrow(/truncated/);
    expect(() => readFields(Buffer.from([0x08, 0x80]))).toThrow(/truncated/);
  });

  it("reassembles gRPC messages split and joined across chunks", () => {
    const got: string[] = [];
    const read = grpcFrameReader((m) => got.push(m.toString()));
    const all = Buffer.concat([grpcFrame(Buffer.from("one")), grpcFrame(Buffer.alloc(0)), grpcFrame(Buffer.from("three"))]);
    for (let i = 0; i < all.length; i += 3) read(all.subarray(i, i + 3));
    expect(got).toEqual(["one", "", "three"]);
  });
});

describe("BuildKit's progress from the daemon (buildkit-status.ts)", () => {
  it("decodes a trace message the Docker 20.10 daemon sent into rawjson's shape", () => {
    // Captured from `POST /build?version=2` on dockerd 20.10.24: a vertex with its start and end.
    const aux = "CosBCkdzaGEyNTY6NWFjYWE1MmM1YzI1ZjhhNmYyZmE5NTEyNTZlMzM1ZmMxY2I4OTMzM2FlYmU1MjRkYWNjODY2OTZlNTYxMjBiMRokW2ludGVybmFsXSBsb2FkIHJlbW90ZSBidWlsZCBjb250ZXh0KgwI//rA2AYQzvLM/AIyDAj/+sDYBhCwhpiAAw==";
    const status = decodeStatus(aux);
    expect(status.vertexes).toEqual([
      {
        digest: "sha256:5acaa52c5c25f8a6f2fa951256e335fc1cb89333aebe524dacc86696e56120b1",
        inputs: [],
        name: "[internal] load remote build context",
        started: expect.stringMatching(/^2026-12-02T\d\d:\d\d:\d\d\.\d{3}Z$/),
        completed: expect.stringMatching(/^2026-12-02T/),
      },
    ]);
    const events = createRawJsonProgressParser().push(`${JSON.stringify(status)}\n`);
    expect(events.map((e) => e.type === "step" && e.status)).toEqual(["started", "done"]);
  });

  it("decodes logs (bytes, as base64 for the parser), statuses and cached vertexes", () => {
    const ts = encodeMessage([[1, 1_700_000_000], [2, 5_000_000]]);
    const aux = encodeMessage([
      [1, encodeMessage([[1, "sha256:v"], [3, "[2/2] RUN make"], [4, 1], [5, ts], [6, ts]])],
      [2, encodeMessage([[1, "writing image sha256:1234"], [2, "sha256:v"], [4, 10], [5, 20]])],
      [3, encodeMessage([[1, "sha256:v"], [2, ts], [3, 1], [4, Buffer.from("built\n")]])],
    ]).toString("base64");
    const s = decodeStatus(aux);
    expect(s.vertexes).toEqual([{ digest: "sha256:v", inputs: [], name: "[2/2] RUN make", cached: true, started: "2023-11-14T22:13:20.005Z", completed: "2023-11-14T22:13:20.005Z" }]);
    expect(s.statuses).toEqual([{ id: "writing image sha256:1234", vertex: "sha256:v", current: 10, total: 20 }]);
    expect(s.logs).toEqual([{ vertex: "sha256:v", timestamp: "2023-11-14T22:13:20.005Z", stream: 1, data: Buffer.from("built\n").toString("base64") }]);
  });
});

function entries(list: Partial<LayoutEntry>[]): ContextEntries {
  const full = list.map((e) => ({ type: "file", mode: 0o644, mtime: new Date(1000), content: Buffer.from("x"), ...e }) as LayoutEntry);
  return { root: "/repo", entries: full, check: () => {}, chunks: async function* () {} };
}

describe("what the file sync offers (daemon-filesync.ts)", () => {
  const ctx = {
    sharedKey: "k",
    dockerfileDir: "r2d",
    entries: entries([
      { name: "r2d", type: "dir", mode: 0o755 },
      { name: "r2d/Dockerfile" },
      { name: "r2d/Dockerfile.dockerignore" },
      { name: "src", type: "dir", mode: 0o755 },
      { name: "src/a.b" },
      { name: "src/a", type: "dir", mode: 0o755 },
      { name: "src/a/z.py" },
      { name: "src/run.sh", mode: 0o4755 },
      { name: "src/ln", type: "symlink", mode: 0o777, linkTarget: "a/z.py" },
    ]),
  };
  const names = (meta: string[]): string[] | undefined => selectEntries(ctx, metadataOf(meta))?.map((x) => x.name);

  it("orders entries as BuildKit checks them: a folder's contents right after it ('a/z.py' before 'a.b')", () => {
    expect(names(["dir-name", "context"])).toEqual(["r2d", "r2d/Dockerfile", "r2d/Dockerfile.dockerignore", "src", "src/a", "src/a/z.py", "src/a.b", "src/ln", "src/run.sh"]);
  });

  it("serves 'dockerfile' from the generated Dockerfile's folder, with the follow paths the frontend asks for", () => {
    expect(names(["dir-name", "dockerfile", "followpaths", "Dockerfile", "followpaths", "Dockerfile.dockerignore"])).toEqual(["Dockerfile", "Dockerfile.dockerignore"]);
  });

  it("follows a followed symlink to its target, and keeps the target's parent folders", () => {
    expect(names(["dir-name", "context", "followpaths", "src/ln"])).toEqual(["src", "src/a", "src/a/z.py", "src/ln"]);
  });

  it("applies include patterns (with their parents) and URL-encoded values", () => {
    expect(names(["dir-name", "context", "include-patterns", "src/%2A.b", "include-patterns-encoded", "1"])).toEqual(["src", "src/a.b"]);
  });

  it("offers nothing else: another folder name is refused", () => {
    expect(names(["dir-name", "/etc"])).toBeUndefined();
    expect(names([])).toBeUndefined();
  });

  it("describes entries with Go's file modes, owners 0, nanosecond times and link targets", () => {
    const stat = (name: string) => {
      const e = ctx.entries.entries.find((x) => x.name === name)!;
      const f = readFields(statMessage(name, e));
      return { path: textOf(f, 1), mode: numberOf(f, 2), uid: numberOf(f, 3), size: numberOf(f, 5), modTime: numberOf(f, 6), link: textOf(f, 7) };
    };
    expect(stat("src/run.sh")).toEqual({ path: "src/run.sh", mode: (1 << 23) | 0o755, uid: undefined, size: 1, modTime: 1e9, link: undefined });
    expect(stat("src/a")).toMatchObject({ mode: 0x80000000 + 0o755, size: undefined });
    expect(stat("src/ln")).toMatchObject({ mode: 0x08000000 + 0o777, size: 6, link: "a/z.py" });
  });
});

describe("the session's secrets (daemon-session.ts)", () => {
  it("reads the secret's ID from a GetSecret request frame", () => {
    expect(secretIdOf(grpcFrame(encodeMessage([[1, "r2d-pip-conf"]])))).toBe("r2d-pip-conf");
    expect(secretIdOf(grpcFrame(Buffer.alloc(0)))).toBe("");
  });
});
