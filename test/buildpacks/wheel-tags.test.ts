/** Which locked wheels fit the image (issue 13): PEP 427 tags read from the file name. */
import { describe, expect, it } from "vitest";
import { wheelFits, wheelMachine } from "../../src/buildpacks/wheel-tags.js";
import { wheelFileName } from "../../src/detect/lock-common.js";

describe("wheelFits", () => {
  it("pure-Python wheels fit every Python 3 and machine", () => {
    expect(wheelFits("colorama-0.4.6-py2.py3-none-any.whl", "3.10", "x86_64")).toBe(true);
    expect(wheelFits("six-1.0-py3-none-any.whl", "3.12", null)).toBe(true);
    expect(wheelFits("old-1.0-py2-none-any.whl", "3.10", "x86_64")).toBe(false);
  });

  it("CPython wheels fit their own version, abi3 wheels every later one, on the target machine's glibc tags", () => {
    const numpy = "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
    expect(wheelFits(numpy, "3.11", "x86_64")).toBe(true);
    expect(wheelFits(numpy, "3.10", "x86_64")).toBe(false);
    expect(wheelFits(numpy, "3.11", "aarch64")).toBe(false);
    expect(wheelFits("c-1.0-cp38-abi3-manylinux1_x86_64.whl", "3.12", "x86_64")).toBe(true);
    expect(wheelFits("c-1.0-cp313-abi3-manylinux1_x86_64.whl", "3.12", "x86_64")).toBe(false);
    expect(wheelFits("c-1.0-cp311-cp311-musllinux_1_1_x86_64.whl", "3.11", "x86_64")).toBe(false);
    expect(wheelFits("c-1.0-cp311-cp311-macosx_11_0_arm64.whl", "3.11", "aarch64")).toBe(false);
    expect(wheelFits("c-1.0-cp311-cp311-win_amd64.whl", "3.11", "x86_64")).toBe(false);
  });

  it("anything unclear does not fit", () => {
    expect(wheelFits("broken.whl", "3.11", "x86_64")).toBe(false);
    expect(wheelFits("c-1.0-cp311-cp311-linux_x86_64.whl", "3.11", null)).toBe(false);
  });
});

describe("wheelMachine and wheelFileName", () => {
  it("maps --platform to the wheel machine", () => {
    expect(wheelMachine("linux/arm64")).toBe("aarch64");
    expect(wheelMachine("linux/amd64")).toBe("x86_64");
    expect(wheelMachine("windows/amd64")).toBeNull();
  });

  it("takes the file name of a URL or path, and only wheels", () => {
    expect(wheelFileName("https://files.example/a/b/x-1.0-py3-none-any.whl#sha256=ab")).toBe("x-1.0-py3-none-any.whl");
    expect(wheelFileName("dist/x%2B1-1.0-py3-none-any.whl")).toBe("x+1-1.0-py3-none-any.whl");
    expect(wheelFileName("https://files.example/x-1.0.tar.gz")).toBeNull();
    expect(wheelFileName(42)).toBeNull();
  });
});
