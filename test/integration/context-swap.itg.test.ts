/**
 * A swap during the build: while the context is being sent to the real engine, a file of the
 * repository (or a folder) is replaced by a symlink to a host file. The build fails with a
 * message naming the path, the host file's content reaches no image, and no image is tagged.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { mkdir, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, ConfigError, type R2dEvent } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, docker, imageId, Scope } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

const MARKER = `R2D-SWAP-SECRET-${randomBytes(8).toString("hex")}`;
/** Big enough that sending it takes a while: the swap lands while it is streaming. */
const BIG_BYTES = 192 * 1024 * 1024;
/** As long as the marker file, so only device and inode tell the two apart. */
const MINE = `${"m".repeat(MARKER.length)}\n`;

/**
 * Calls `swap` once `file` is open in this process, i.e. once the context tar is streaming it
 * (entries are sent in order, so every later entry is opened after the swap). Started from the
 * build's "context" event; polls this process's descriptors.
 */
function swapWhileStreaming(file: string, swap: () => void): { onEvent: (e: R2dEvent) => void; swapped: () => boolean } {
  const real = fs.realpathSync(file);
  let swapped = false;
  let timer: NodeJS.Timeout | undefined;
  const isOpen = (): boolean => {
    for (const fd of fs.readdirSync("/proc/self/fd")) {
      try {
        if (fs.readlinkSync(`/proc/self/fd/${fd}`) === real) return true;
      } catch {
        /* closed meanwhile */
      }
    }
    return false;
  };
  const onEvent = (e: R2dEvent): void => {
    if (e.type !== "context" || timer) return;
    const started = Date.now();
    timer = setInterval(() => {
      if (isOpen()) {
        swap();
        swapped = true;
      }
      if (swapped || Date.now() - started > 120_000) clearInterval(timer);
    }, 1);
  };
  return { onEvent, swapped: () => swapped };
}

async function failure(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

/** Images carrying this build's own label (whether tagged or not). */
async function imagesLabelled(label: string): Promise<string[]> {
  const r = await docker(infra, ["images", "-a", "-q", "--no-trunc", "--filter", `label=${label}`]);
  expect(r.exitCode).toBe(0);
  return String(r.stdout).split("\n").filter(Boolean);
}

/** `docker images` lists no image under the name, and `docker image inspect` finds none. */
async function expectNoImage(tag: string): Promise<void> {
  const [repo, version] = tag.split(":");
  const r = await docker(infra, ["images", "--format", "{{.Repository}}:{{.Tag}}", repo!]);
  expect(r.exitCode).toBe(0);
  expect(String(r.stdout).split("\n")).not.toContain(`${repo}:${version}`);
  expect(await imageId(infra, tag)).toBeNull();
}

async function outsideDir(): Promise<string> {
  const outside = await scope.tmp("r2d-itg-outside-");
  await writeFile(path.join(outside, "secret.txt"), `${MARKER}\n`);
  await mkdir(path.join(outside, "models"));
  await writeFile(path.join(outside, "models", "weights.txt"), `${MARKER}\n`);
  return outside;
}

describe("a file swapped for a symlink to a host file while the context is sent", () => {
  let error: Error;
  let swapped = false;
  let outside: string;
  let tag: string;
  const label = `r2d-itg.swap=${randomBytes(6).toString("hex")}`;

  beforeAll(async () => {
    outside = await outsideDir();
    const repo = await scope.repo({ "main.py": "print('main')\n", "zz-notes.txt": MINE });
    await truncate(await touch(path.join(repo, "big.bin")), BIG_BYTES); // sorted before zz-notes.txt
    tag = scope.image("swap-file");
    const watch = swapWhileStreaming(path.join(repo, "big.bin"), () => {
      fs.rmSync(path.join(repo, "zz-notes.txt"));
      fs.symlinkSync(path.join(outside, "secret.txt"), path.join(repo, "zz-notes.txt"));
    });
    const [name, value] = label.split("=");
    error = await failure(buildRepo(repo, buildOptions(infra, { imageName: tag, labels: { [name!]: value! }, onEvent: watch.onEvent })));
    swapped = watch.swapped();
  });

  it("the swap happened while big.bin was being sent", () => {
    expect(swapped).toBe(true);
  });

  it("the build fails with a ConfigError naming the file and what it became", () => {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(
      `zz-notes.txt changed while the build context was being sent (it is now a symlink to ${path.join(outside, "secret.txt")}; it was a regular file of ${MINE.length} bytes)`,
    );
    expect(error.message).not.toContain(MARKER);
  });

  it("no image has the tag, and no image from this build exists at all", async () => {
    await expectNoImage(tag);
    expect(await imagesLabelled(label)).toEqual([]);
  });
});

describe("a folder swapped for a symlink to a host folder while the context is sent (the repository's own Dockerfile)", () => {
  let error: Error;
  let swapped = false;
  let outside: string;
  let tag: string;
  const label = `r2d-itg.swap=${randomBytes(6).toString("hex")}`;

  beforeAll(async () => {
    outside = await outsideDir();
    // The Dockerfile and big.bin go first, models/weights.txt after the swap. The Dockerfile
    // needs nothing after big.bin: a context cut short there must still not give an image.
    const repo = await scope.repo({
      Dockerfile: `FROM ${infra.baseDebian}\nCOPY . /app\n`,
      "models/weights.txt": MINE,
    });
    await truncate(await touch(path.join(repo, "big.bin")), BIG_BYTES);
    tag = scope.image("swap-dir");
    const watch = swapWhileStreaming(path.join(repo, "big.bin"), () => {
      fs.renameSync(path.join(repo, "models"), path.join(outside, "models-moved-away"));
      fs.symlinkSync(path.join(outside, "models"), path.join(repo, "models"));
    });
    const [name, value] = label.split("=");
    error = await failure(buildRepo(repo, buildOptions(infra, { imageName: tag, labels: { [name!]: value! }, onEvent: watch.onEvent })));
    swapped = watch.swapped();
  });

  it("the swap happened while big.bin was being sent", () => {
    expect(swapped).toBe(true);
  });

  it("the build fails naming the folder", () => {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^models(\/weights\.txt)? changed while the build context was being sent \(/);
    expect(error.message).toContain(`is now a symlink to ${path.join(outside, "models")}; it was a directory`);
    expect(error.message).not.toContain(MARKER);
  });

  it("no image has the tag, and no image from this build exists at all", async () => {
    await expectNoImage(tag);
    expect(await imagesLabelled(label)).toEqual([]);
  });
});

describe("an unchanged repository of the same shape still builds", () => {
  it("builds, with the repository's own file in the image", async () => {
    const repo = await scope.repo({
      Dockerfile: `FROM ${infra.baseDebian}\nCOPY . /app\nRUN cat /app/models/weights.txt\n`,
      "models/weights.txt": MINE,
    });
    await truncate(await touch(path.join(repo, "big.bin")), 8 * 1024 * 1024);
    const tag = scope.image("swap-none");
    const result = await buildRepo(repo, buildOptions(infra, { imageName: tag }));
    expect(result.imageId).toMatch(/^sha256:/);
    const r = await docker(infra, ["run", "--rm", "--network", "none", tag, "cat", "/app/models/weights.txt"]);
    expect(String(r.stdout)).toBe(MINE.trimEnd());
  });
});

async function touch(file: string): Promise<string> {
  await writeFile(file, "");
  return file;
}
