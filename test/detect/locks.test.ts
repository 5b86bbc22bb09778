import { describe, expect, it } from "vitest";
import { parseCondaExplicit } from "../../src/detect/conda-explicit.js";
import { requirementList, selectCandidates } from "../../src/detect/lock-common.js";
import { evaluateMarker, parseMarker } from "../../src/detect/markers.js";
import { parsePoetryLock } from "../../src/detect/poetry-lock.js";
import { checkPylockEnvironments, parsePylockToml } from "../../src/detect/pylock-toml.js";
import { parseUvLock, selectUv } from "../../src/detect/uv-lock.js";
import { expectConfigError } from "./helpers.js";

const A = "a".repeat(64);
const B = "b".repeat(64);
const at = { file: "x.lock", line: 3 };
const holds = (m: string, python = "3.11", platform = "linux/amd64") => evaluateMarker(parseMarker(m, at, "p"), { python, platform }, "p", at);

describe("PEP 508 markers", () => {
  it.each([
    ["python_version >= '3.9'", true],
    ["python_version < '3.11'", false],
    ["python_version == '3.11.*'", true],
    ["python_version ~= '3.10'", true],
    ["sys_platform == 'win32' or (platform_machine == 'x86_64' and implementation_name == 'cpython')", true],
    ["'linux' in sys_platform and os_name != 'nt'", true],
    ["platform_system == 'Windows'", false],
    ["extra == 'gpu'", false],
    ["python_full_version >= '3.11'", true],
  ])("%s → %s on CPython 3.11, linux/amd64", (m, want) => expect(holds(m)).toBe(want));

  it("platform_machine follows --platform", () => {
    expect(holds("platform_machine == 'aarch64'", "3.11", "linux/arm64")).toBe(true);
    expect(holds("platform_machine == 'aarch64'", "3.11", "linux/amd64")).toBe(false);
  });

  it("refuses what it cannot know, naming the package", () => {
    expectConfigError(() => holds("platform_release >= '5'"), { file: "x.lock", line: 3, message: /p: r2d cannot evaluate its marker: platform_release/ });
    expectConfigError(() => holds("python_full_version >= '3.11.4'"), { file: "x.lock", line: 3, message: /patch release of Python 3.11/ });
    expectConfigError(() => holds("platform_machine == 'x'", "3.11", "linux/riscv64"), { file: "x.lock", line: 3, message: /platform_machine is unknown for --platform linux\/riscv64/ });
  });

  it.each(["python_version >=", "(python_version > '3'", "os.system('x') == 1", "python_version > '3' ; rm -rf /", "x" .repeat(3000)])("refuses bad syntax %#", (m) => {
    expectConfigError(() => parseMarker(m, at, "package p"), { file: "x.lock", line: 3, message: /package p: marker/ });
  });

  it("never throws anything but a ConfigError on arbitrary text", () => {
    const alphabet = ["python_version", "extra", " ", "'", '"', "(", ")", "and", "or", "not in", "==", "<", "~=", "3.1", "$(x)", ";", "\n", "é"];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: next() % 12 }, () => alphabet[next() % alphabet.length]).join("");
      try { holds(text); } catch (e) { expect((e as Error).name, text).toBe("ConfigError"); }
    }
  });
});

const UV = `version = 1
requires-python = ">=3.10"

[[package]]
name = "demo"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "greet", extra = ["fast"] }, { name = "win", marker = "sys_platform == 'win32'" }]

[[package]]
name = "greet"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://x/greet.whl", hash = "sha256:${A}" }]
[package.optional-dependencies]
fast = [{ name = "hello" }]

[[package]]
name = "hello"
version = "0.1"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://x/hello.tgz", hash = "sha256:${B}" }

[[package]]
name = "win"
version = "1"
source = { git = "https://x/win.git" }
`;

describe("uv.lock", () => {
  it("walks the graph from the project: extras followed, excluded markers left out", () => {
    const lock = parseUvLock(UV);
    expect(selectUv(lock, { python: "3.11" }, "uv.lock").map((p) => `${p.name}==${p.version}`)).toEqual(["greet==1.0", "hello==0.1"]);
  });
  it("refuses a selected git package, naming it", () => {
    const lock = parseUvLock(UV.replace("sys_platform == 'win32'", "sys_platform == 'linux'"));
    expectConfigError(() => selectUv(lock, { python: "3.11" }, "uv.lock"), { file: "uv.lock", line: 24, message: /package win cannot be installed exactly: it comes from a git source/ });
  });
  it.each([
    ['name = "greet"', 'name = "greet\\n--index-url http://evil"', 4, /a dependency of demo has the name "greet\\n--index-url http:\/\/evil", which is not a Python package name/],
    ['version = "1.0"', 'version = "1.0 ; rm -rf /"', 10, /is not a PEP 440 version/],
    [`sha256:${A}`, "sha256:abc", 10, /package greet has the hash "sha256:abc"/],
    [`sha256:${A}`, `md5:${A.slice(0, 32)}`, 10, /not a sha256, sha384 or sha512/],
  ])("refuses hostile values (%#)", (from, to, line, message) => {
    expectConfigError(() => parseUvLock(UV.replace(from, to)), { file: "uv.lock", line, message });
  });
  it("refuses a lock without the project, and broken TOML with its line", () => {
    expectConfigError(() => parseUvLock(UV.replace('editable = "."', 'registry = "x"')), { file: "uv.lock", message: /no package for the project itself/ });
    expectConfigError(() => parseUvLock("version = 1\n[[package]\n"), { file: "uv.lock", line: 2, message: /not valid TOML/ });
  });
});

const POETRY = `[[package]]
name = "greet"
version = "1.0"
optional = false
python-versions = ">=3.12"
groups = ["main"]
files = [{file = "greet.whl", hash = "sha256:${A}"}]

[[package]]
name = "pytest"
version = "8.0"
optional = false
python-versions = "*"
groups = ["dev"]
files = [{file = "pytest.whl", hash = "sha256:${B}"}]

[metadata]
lock-version = "2.1"
python-versions = ">=3.10"
`;

describe("poetry.lock", () => {
  it("reads the main group only", () => {
    expect(parsePoetryLock(POETRY).packages.map((p) => p.name)).toEqual(["greet"]);
  });
  it("a package whose python-versions excludes the image's Python is an error naming it", () => {
    expectConfigError(() => selectCandidates(parsePoetryLock(POETRY).packages, { python: "3.10" }, "poetry.lock"), { file: "poetry.lock", line: 1, message: /package greet 1.0 requires Python >=3.12, and the image has Python 3.10/ });
  });
  it("refuses older lock versions and non-index sources", () => {
    expectConfigError(() => parsePoetryLock(POETRY.replace('"2.1"', '"2.0"')), { file: "poetry.lock", message: /lock-version "2.0"/ });
    expectConfigError(() => parsePoetryLock(POETRY.replace('groups = ["main"]', 'groups = ["main"]\nsource = { type = "directory", url = "../x" }')), { file: "poetry.lock", line: 1, message: /package greet comes from a "directory" source/ });
  });
});

const PYLOCK = `lock-version = "1.0"
environments = ["sys_platform == 'linux'"]
default-groups = ["cpu"]

[[packages]]
name = "torch-cpu"
version = "2.0"
marker = "'cpu' in dependency_groups"
wheels = [{ name = "t.whl", url = "https://x/t.whl", hashes = { sha256 = "${A}" } }]

[[packages]]
name = "torch-gpu"
version = "2.0"
marker = "'gpu' in dependency_groups"
wheels = [{ name = "t.whl", url = "https://x/t.whl", hashes = { sha256 = "${B}" } }]
`;

describe("pylock.toml", () => {
  it("evaluates markers with the default groups", () => {
    const lock = parsePylockToml(PYLOCK);
    expect(selectCandidates(lock.packages, { python: "3.11", groups: lock.defaultGroups }, "pylock.toml").map((p) => p.name)).toEqual(["torch-cpu"]);
  });
  it("refuses a lock made for other environments, and directory packages", () => {
    const other = parsePylockToml(PYLOCK.replace("'linux'", "'darwin'"));
    expectConfigError(() => checkPylockEnvironments(other, { python: "3.11" }, "pylock.toml"), { file: "pylock.toml", message: /was made for other environments/ });
    expectConfigError(() => parsePylockToml(PYLOCK.replace('marker = "\'gpu\'', 'directory = { path = "." }\nmarker = "\'gpu\'')), { file: "pylock.toml", line: 11, message: /package torch-gpu comes from a directory/ });
  });
});

describe("the generated requirement list", () => {
  it("is one pinned, hashed line per package, and a hostile source path cannot add lines", () => {
    const text = requirementList([{ name: "a", version: "1", hashes: [`sha256:${A}`] }], "bin\nder/uv.lock");
    expect(text.split("\n").filter(Boolean)).toEqual(["# Generated by r2d from bin?der/uv.lock: installed with pip --no-deps --require-hashes.", `a==1 --hash=sha256:${A}`]);
  });
});

describe("explicit conda lists", () => {
  const URL1 = "https://conda.anaconda.org/conda-forge/linux-64/python-3.12.1-h1_0_cpython.conda#" + "d".repeat(32);
  it("reads the platform, the Python and the package count", () => {
    expect(parseCondaExplicit(`# platform: linux-64\n@EXPLICIT\n${URL1}\n`)).toEqual({ platform: "linux-64", python: "3.12", packages: 1 });
  });
  it.each([
    [`${URL1}\n`, 1, /before @EXPLICIT/],
    [`@EXPLICIT\n${URL1} ; rm -rf /\n`, 2, /not a package URL/],
    ["@EXPLICIT\nhttps://x/a.conda\n", 2, /not a package URL/],
    [`@EXPLICIT\nfile:///etc/passwd.conda#${"d".repeat(32)}\n`, 2, /does not accept/],
  ])("refuses hostile lines (%#)", (text, line, message) => {
    expectConfigError(() => parseCondaExplicit(text, "conda-linux-64.lock"), { file: "conda-linux-64.lock", line, message });
  });
});
