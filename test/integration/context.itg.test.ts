/**
 * What reaches the builder: a large data/ directory stays out of the context (and is mounted
 * read-only on request), and a symlink to a host file outside the repository is never followed.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { once } from "node:events";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type BuildRepoResult } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, eventLog, Scope, runImage, sh } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

const MB = 1024 * 1024;

async function writeRandom(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file);
  for (let left = bytes; left > 0; left -= 4 * MB) {
    if (!out.write(randomBytes(Math.min(4 * MB, left)))) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

describe("a repository with a 200 MB data/ directory", () => {
  const DATA_BYTES = 200 * MB;
  let repo: string;
  let image: string;
  let result: BuildRepoResult;

  beforeAll(async () => {
    repo = await scope.repo({
      "train.py": "print('training')\n",
      "data/labels.csv": "id,label\n1,cat\n",
      "data/README.md": "the data\n",
    });
    await writeRandom(path.join(repo, "data", "big.bin"), DATA_BYTES);
    image = scope.image("data");
    result = await buildRepo(repo, buildOptions(infra, { imageName: image }));
  });

  it("sends a context of a few bytes and reports data/ as excluded", () => {
    expect(result.context?.bytes).toBeLessThan(1_000_000);
    expect(result.context?.excluded).toContainEqual(expect.objectContaining({ path: "data", reason: "data" }));
    expect(result.context?.summary).toMatch(/data/);
  });

  it("the image has no data/ and is not 200 MB bigger than its base", async () => {
    expect(await sh(infra, image, `ls /home/${result.plan.user.name}; test ! -e /home/${result.plan.user.name}/data && echo no-data`)).toBe("train.py\nno-data");
    const base = await execa(infra.docker, ["image", "inspect", "-f", "{{.Size}}", infra.basePython]);
    expect(result.imageSize).toBeLessThan(Number(base.stdout) + 100 * MB);
  });

  it("mountData: true mounts data/ read-only where the code expects it", async () => {
    const run = await buildRepo(
      repo,
      buildOptions(infra, {
        imageName: image,
        run: true,
        mountData: true,
        command: ["bash", "-c", "ls data; wc -c < data/big.bin; cat data/labels.csv; touch data/new 2>&1 || echo read-only"],
      }),
    );
    expect(run.build?.steps.filter((s) => s.name.includes("RUN")).every((s) => s.status === "cached")).toBe(true);
    expect(run.run?.exitCode).toBe(0);
    expect(run.run?.stdout).toBe(`README.md\nbig.bin\nlabels.csv\n${DATA_BYTES}\nid,label\n1,cat\ntouch: cannot touch 'data/new': Read-only file system\nread-only\n`);
  });
});

describe("a symlink to a host file outside the repository", () => {
  const SECRET = `R2D-SECRET-${randomBytes(8).toString("hex")}`;
  let image: string;
  let result: BuildRepoResult;
  const log = eventLog();

  beforeAll(async () => {
    const outside = await scope.tmp("r2d-itg-outside-");
    const secretFile = path.join(outside, "credentials.txt");
    await writeFile(secretFile, `${SECRET}\n`);
    await mkdir(path.join(outside, "dir"));
    await writeFile(path.join(outside, "dir", "also-secret.txt"), `${SECRET}\n`);
    const repo = await scope.repo({
      "main.py": "print('main')\n",
      "leak.txt": { symlink: secretFile },
      "config/leak-dir": { symlink: path.join(outside, "dir") },
      "inside.txt": { symlink: "main.py" },
    });
    await symlink(path.relative(path.join(repo, "config"), secretFile), path.join(repo, "config", "relative-leak.txt"));
    image = scope.image("symlink");
    result = await buildRepo(repo, buildOptions(infra, { imageName: image, onEvent: log.onEvent }));
  });

  it("the build succeeds with a warning naming the link", () => {
    expect(result.imageId).toMatch(/^sha256:/);
    expect(log.warnings()).toContainEqual(expect.stringMatching(/leak\.txt -> .*outside the repository/));
    expect(result.context?.excluded).toContainEqual(expect.objectContaining({ path: "leak.txt", reason: "symlink-outside" }));
    expect(result.context?.excluded).toContainEqual(expect.objectContaining({ path: "config/leak-dir", reason: "symlink-outside" }));
    expect(result.context?.excluded).toContainEqual(expect.objectContaining({ path: "config/relative-leak.txt", reason: "symlink-outside" }));
  });

  it("neither the link nor its target is in the image", async () => {
    const home = `/home/${result.plan.user.name}`;
    for (const p of ["leak.txt", "config/leak-dir", "config/relative-leak.txt"]) {
      const r = await runImage(infra, image, ["cat", `${home}/${p}`]);
      expect(r.exitCode, p).not.toBe(0);
      expect(r.stdout).not.toContain(SECRET);
      expect((await runImage(infra, image, ["ls", "-la", `${home}/${p}`])).exitCode, p).not.toBe(0);
    }
    // A link inside the repository is kept.
    expect(await sh(infra, image, "cat inside.txt")).toBe("print('main')");
    // -D skip: never read FIFOs or devices; the places a copied file could land.
    const dirs = "/home /srv /tmp /etc /opt /usr/local /var /root /run";
    expect(await sh(infra, image, `grep -rlF -D skip -- '${SECRET}' ${dirs} 2>/dev/null || true`, { user: "root" })).toBe("");
  });

  it("docker save of the image does not contain the secret", async () => {
    const save = execa(infra.docker, ["save", image], { buffer: false, stdout: "pipe" });
    const needle = Buffer.from(SECRET);
    let carry = Buffer.alloc(0);
    let found = false;
    let bytes = 0;
    for await (const chunk of save.stdout) {
      const buf = Buffer.concat([carry, chunk as Buffer]);
      bytes += (chunk as Buffer).length;
      if (buf.includes(needle)) found = true;
      carry = buf.subarray(Math.max(0, buf.length - needle.length));
    }
    await save;
    expect(bytes).toBeGreaterThan(1_000_000);
    expect(found).toBe(false);
  });
});
