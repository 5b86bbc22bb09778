/**
 * A context stream that fails (a file swapped during the build) must stop the client before its
 * input ends: a tar cut at an entry boundary is still a valid tar, and a client that reached its
 * end would build and tag an image from the part it got.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { engineOf } from "../../src/engine/adapters/index.js";
import { runBuild } from "../../src/engine/build.js";
import type { BuildRequest, Engine } from "../../src/engine/types.js";
import { cleanupTempDirs, tarContext, tempDir, writeExecutable } from "./helpers.js";

afterAll(cleanupTempDirs);

/** A client that notes whether it saw the end of its input or an interrupt first. */
const CLIENT = (record: string) => `#!${process.execPath}
const fs = require("node:fs");
const note = (what) => fs.appendFileSync(${JSON.stringify(record)}, what + "\\n");
process.on("SIGINT", () => { note("interrupted"); process.exit(130); });
note("ready");
let bytes = 0;
process.stdin.on("data", (c) => { bytes += c.length; });
process.stdin.on("end", () => { note("end of input after " + bytes + " bytes: would build"); process.exit(0); });
`;

describe("runBuild when the context stream fails", () => {
  it("interrupts the client before its input ends, and rejects with the stream's error", async () => {
    const dir = await tempDir();
    const record = path.join(dir, "record.txt");
    const client = await writeExecutable(path.join(dir, "docker.cjs"), CLIENT(record));
    const engine: Engine = engineOf("docker", { client, version: "20.10.24+dfsg1", reason: "test" });
    const req: BuildRequest = {
      dockerfile: "r2d/Dockerfile",
      tags: ["r2d-test/img:1"],
      labels: {},
      buildArgs: {},
      secrets: [],
      cacheFrom: [],
      cacheTo: [],
      noCache: false,
      push: false,
      load: true,
      iidFile: path.join(dir, "out", "iid"),
      metadataFile: path.join(dir, "out", "metadata.json"),
      progress: "plain",
    };
    const swapped = new Error("sub/a.txt changed while the build context was being sent");
    // Whole entries first (what a valid, shorter tar looks like), then the failure.
    const context = tarContext(() =>
      Readable.from(
        (async function* () {
          yield Buffer.alloc(64 * 1024, 1);
          // Fail only once the client listens for the interrupt (a loaded machine starts node slowly).
          while (!(await readFile(record, "utf8").catch(() => "")).includes("ready")) await new Promise((r) => setTimeout(r, 20));
          throw swapped;
        })(),
      ),
    );
    const err = await runBuild(engine, req, { context, killGraceMs: 2000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBe(swapped);
    expect((await readFile(record, "utf8")).split("\n").slice(0, 2)).toEqual(["ready", "interrupted"]);
  });
});
