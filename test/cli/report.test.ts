import { describe, expect, it } from "vitest";
import { errorJson } from "../../src/cli/failure.js";
import { displayMode, wantsJson } from "../../src/cli/output.js";
import { builtSummary, dockerfileUser, runtimeWords } from "../../src/cli/report.js";
import { ConfigError } from "../../src/errors.js";

const user = { name: "jovyan", uid: 1000, gid: 1000, source: "root fallback" };
const python = { buildpack: "python" as const, python: "3.10", r: null, baseImageOverridden: false, user };

describe("the summary tells the truth", () => {
  it("versions from the built image; a replaced base image's own otherwise", () => {
    expect(runtimeWords(python, { python: "3.10.14", r: null, user: "jovyan" })).toBe("Python 3.10.14, user jovyan (uid 1000)");
    expect(runtimeWords({ ...python, baseImageOverridden: true }, { python: null, r: null, user: "jovyan" })).toBe("Python from the base image, user jovyan (uid 1000)");
    expect(runtimeWords({ ...python, baseImageOverridden: true })).toBe("Python from the base image, user jovyan (uid 1000)");
    expect(runtimeWords(python)).toBe("Python 3.10, user jovyan (uid 1000)");
    expect(runtimeWords({ ...python, buildpack: "r", python: null, r: "4.4" }, { python: null, r: "4.4.2", user: "jovyan" })).toBe("R 4.4.2, user jovyan (uid 1000)");
  });

  it("a repository's own Dockerfile: its USER, from the image or the file", () => {
    const own = { ...python, buildpack: "dockerfile" as const, python: null };
    expect(runtimeWords(own, { python: "3.12.1", r: null, user: "app" })).toBe("user app (the Dockerfile's USER)");
    expect(runtimeWords(own, { python: null, r: null, user: "" })).toBe("user root (the Dockerfile sets no USER)");
    expect(runtimeWords(own, undefined, "FROM a AS b\nUSER builder\nFROM c\nUSER 1001\n")).toBe("user 1001 (the Dockerfile's USER)");
    expect(dockerfileUser("FROM a\nUSER x\nFROM b\n")).toBe("");
  });

  it("the built line: name, short ID, size, time, push digest, then the image's facts", () => {
    expect(builtSummary({ type: "built", plan: python, imageName: "m:1", imageId: "sha256:abcdef0123456789", imageSize: 212_400_000, digest: "sha256:99", image: { python: "3.10.14", r: null, user: "jovyan" }, durationMs: 31_000 })).toBe(
      "r2d: built m:1 (abcdef012345, 212 MB) in 31.0s, pushed sha256:99: Python 3.10.14, user jovyan (uid 1000)",
    );
  });
});

describe("output settings", () => {
  it("--progress auto is tty on a terminal, plain elsewhere; --json wins", () => {
    expect(displayMode("auto", false, true)).toBe("tty");
    expect(displayMode("auto", false, false)).toBe("plain");
    expect(displayMode("tty", false, false)).toBe("tty");
    expect(displayMode("plain", true, true)).toBe("json");
  });

  it("--json is found in a command line that does not parse, not after --", () => {
    expect(wantsJson([".", "--bogus", "--json"])).toBe(true);
    expect(wantsJson([".", "--json-logs"])).toBe(true);
    expect(wantsJson([".", "--", "tool", "--json"])).toBe(false);
    expect(errorJson(new ConfigError("unknown option '--x'", { location: { file: "command line" } }))).toMatchObject({
      event: "error",
      error: { name: "ConfigError", message: "command line: unknown option '--x'", exitCode: 2, location: { file: "command line", line: null }, output: [] },
      log: null,
    });
  });
});
