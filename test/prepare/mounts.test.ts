import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bindSources, createMountSources } from "../../src/prepare/mounts.js";
import { TempFiles } from "../helpers/repo.js";

const temp = new TempFiles();
afterAll(() => temp.cleanup());

describe("output folders of -v", () => {
  it("bind sources are the absolute host paths; named volumes are left to Docker", () => {
    expect(bindSources(["/data/in:/in:ro", "/data/out:/out", "cache:/cache", "/x:/y:rw,z"])).toEqual([
      { host: "/data/in", readOnly: true },
      { host: "/data/out", readOnly: false },
      { host: "/x", readOnly: false },
    ]);
  });

  it.runIf(process.getuid?.() === 0)("as root: missing folders are created owned by the image user; existing and read-only ones are left alone", async () => {
    const root = await temp.dir("r2d-mounts-");
    await mkdir(path.join(root, "exists"));
    const warnings = await createMountSources([`${root}/out/run1:/out`, `${root}/exists:/e`, `${root}/in:/in:ro`], { uid: 4321, gid: 4322 });
    expect(warnings).toEqual([]);
    expect(await stat(path.join(root, "out"))).toMatchObject({ uid: 4321, gid: 4322 });
    expect(await stat(path.join(root, "out/run1"))).toMatchObject({ uid: 4321, gid: 4322 });
    expect((await stat(path.join(root, "exists"))).uid).toBe(0);
    await expect(stat(path.join(root, "in"))).rejects.toThrow();
  });

  it("as another user: created as theirs, with a warning saying how the image user can write", async () => {
    const root = await temp.dir("r2d-mounts-");
    const me = 1000; // as if r2d ran as uid 1000
    const warnings = await createMountSources([`${root}/out:/out`], me + 1, me);
    expect((await stat(path.join(root, "out"))).isDirectory()).toBe(true);
    expect(warnings).toEqual([`created ${root}/out for -v; it is yours (uid ${me}), so the image user (uid ${me + 1}) cannot write to it: chmod a+w it, or build with --user-id ${me}`]);
  });
});
