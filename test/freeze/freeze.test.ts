import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parsePylockToml } from "../../src/detect/pylock-toml.js";
import { ConfigError } from "../../src/errors.js";
import { lockChanges, pylockText } from "../../src/freeze/pylock-writer.js";
import { fileVersion, parseSimplePage } from "../../src/freeze/simple-index.js";
import { writeIntoRepo } from "../../src/freeze/write-file.js";
import { TempFiles } from "../helpers/repo.js";

const A = "a".repeat(64);
const temp = new TempFiles();
afterEach(() => temp.cleanup());

describe("the index's simple page", () => {
  it("gives each file's name, absolute URL without credentials, and sha256", () => {
    const html = `<a href="../../packages/x_y-1.0-py3-none-any.whl#sha256=${A.toUpperCase()}" data-requires-python="&gt;=3">x_y-1.0-py3-none-any.whl</a><a href="x-2.tar.gz">x-2.tar.gz</a>`;
    expect(parseSimplePage(html, "http://u:secret@127.0.0.1:1/simple/x-y/")).toEqual([{ name: "x_y-1.0-py3-none-any.whl", url: "http://127.0.0.1:1/packages/x_y-1.0-py3-none-any.whl", sha256: A }]);
    expect([fileVersion("x_y-1.0-py3-none-any.whl"), fileVersion("x-y-2.0rc1.tar.gz"), fileVersion("x.exe")]).toEqual(["1.0", "2.0rc1", null]);
  });
});

describe("the written pylock.toml", () => {
  it("reads back as the same pins (the pylock pack installs it)", () => {
    const text = pylockText([{ name: "r2d-hello", version: "0.1.0", files: [{ name: "r2d_hello-0.1.0-py3-none-any.whl", url: "http://127.0.0.1/p/r2d_hello-0.1.0-py3-none-any.whl", sha256: A }] }], "3.11");
    const lock = parsePylockToml(text);
    expect(lock.requiresPython).toBe("==3.11.*");
    expect(lock.packages.map((p) => [p.name, p.version, p.hashes])).toEqual([["r2d-hello", "0.1.0", [`sha256:${A}`]]]);
  });
  it("refuses hostile names and URLs from the image or the index", () => {
    const file = { name: "x.whl", url: "http://i/x.whl", sha256: A };
    expect(() => pylockText([{ name: 'x"\n[evil]', version: "1", files: [file] }], "3.11")).toThrow(ConfigError);
    expect(() => pylockText([{ name: "x", version: "1", files: [{ ...file, url: 'http://i/x.whl"\n[evil]' }] }], "3.11")).toThrow(ConfigError);
  });
  it("says what changed", () => {
    expect(lockChanges(new Map([["a", "1"], ["b", "1"]]), new Map([["a", "2"], ["c", "1"]]))).toEqual(["~ a 1 -> 2", "+ c 1", "- b 1"]);
  });
});

describe("writing into the repository", () => {
  it("replaces the file atomically, returns the previous text, leaves no temp file", async () => {
    const root = await temp.repo({ binder: { dir: true }, "binder/pylock.toml": "old\n" });
    expect(await writeIntoRepo(root, "binder/pylock.toml", "new\n")).toBe("old\n");
    expect(await readFile(path.join(root, "binder/pylock.toml"), "utf8")).toBe("new\n");
    expect(await readdir(path.join(root, "binder"))).toEqual(["pylock.toml"]);
  });
  it("never writes through a link (file or folder)", async () => {
    const root = await temp.repo({});
    const outside = await temp.dir();
    await writeFile(path.join(outside, "target"), "keep\n");
    await symlink(path.join(outside, "target"), path.join(root, "pylock.toml"));
    await expect(writeIntoRepo(root, "pylock.toml", "x")).rejects.toThrow(/not a regular file/);
    await symlink(outside, path.join(root, "binder"));
    await expect(writeIntoRepo(root, "binder/pylock.toml", "x")).rejects.toThrow(/not a folder/);
    await mkdir(path.join(root, "sub"));
    expect(await readFile(path.join(outside, "target"), "utf8")).toBe("keep\n");
    expect(await readdir(outside)).toEqual(["target"]);
  });
});
