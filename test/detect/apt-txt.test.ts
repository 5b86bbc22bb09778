import { describe, expect, it } from "vitest";
import { parseAptTxt } from "../../src/detect/apt-txt.js";
import { expectConfigError } from "./helpers.js";

describe("parseAptTxt", () => {
  it("one package per line, sorted, de-duplicated; comments, blanks and CRLF dropped", () => {
    const text = "# system packages\r\nvim\r\n\r\n  curl  \r\nlibgl1-mesa-glx # for opencv\r\ncurl\r\n#htop\r\n";
    expect(parseAptTxt(text)).toEqual(["curl", "libgl1-mesa-glx", "vim"]);
  });

  it("accepts versions, architectures and the Debian name characters", () => {
    expect(parseAptTxt("g++\nlibc6:amd64\npython3.11\nfoo=1.2-3~bpo1\n0ad\n")).toEqual(["0ad", "foo=1.2-3~bpo1", "g++", "libc6:amd64", "python3.11"]);
  });

  it("several names on a line are split on whitespace", () => {
    expect(parseAptTxt("zsh tmux\tgit\n")).toEqual(["git", "tmux", "zsh"]);
  });

  it("empty and comment-only files give no packages", () => {
    expect(parseAptTxt("")).toEqual([]);
    expect(parseAptTxt("# nothing\n\n   \n")).toEqual([]);
  });

  it("sorts by code point, not locale", () => {
    expect(parseAptTxt("b1\naa\n10\nz9=1\n")).toEqual(["10", "aa", "b1", "z9=1"]);
  });

  it("accepts Debian policy's forms: name, name:arch, name=version (epoch, revision, ~), name/suite", () => {
    const words = ["libc6:i386", "musl:musl-linux-amd64", "foo=1:2.3+dfsg-1ubuntu0.1", "bar=2.0~rc1", "baz/bookworm-backports", "qux:arm64=1.0-1", "g++", "libsigc++-2.0-dev", "c++"];
    expect(parseAptTxt(words.join("\n"))).toEqual([...words].sort());
  });

  it.each([
    ["BadName", 1],
    ["foo;rm", 1],
    ["$(reboot)", 1],
    ["`id`", 1],
    ["foo&&bar", 1],
    ["foo|bar", 1],
    ["foo'", 1],
    ["Vim", 1],
    ["_foo", 1],
    ["a", 1],
    ["foo=", 1],
    ["foo=abc", 1],
    ["foo/", 1],
    ["foo/Stable", 1],
    ["foo:", 1],
    ["foo=1/bookworm", 1],
    ["vim*", 1],
    ["~nvim", 1],
    ["foo\\", 1],
  ])("refuses %j with the file and line", (name, line) => {
    expectConfigError(() => parseAptTxt(name), { file: "apt.txt", line, message: /is not a Debian package name/ });
  });

  it.each([
    ["--allow-unauthenticated", /is an apt-get option/],
    ["-odpkg::pre-invoke::=touch${IFS}/pwned", /is an apt-get option/],
    ["--purge", /is an apt-get option/],
    ["-y", /is an apt-get option/],
    ["-", /is an apt-get option/],
    ["vim-", /ends with -, which tells apt-get to remove the package/],
    ["libc6:amd64-", /ends with -/],
    ["foo=1.0-", /ends with -/],
  ])("refuses %j: no apt option or removal reaches apt-get", (word, message) => {
    const e = expectConfigError(() => parseAptTxt(`vim\n${word}\n`, "binder/apt.txt"), { file: "binder/apt.txt", line: 2, message });
    expect(e.message).toContain(JSON.stringify(word));
  });

  it("quotes an offending word cut to 100 characters, control characters escaped", () => {
    const long = `Bad${"x".repeat(500)}`;
    const e = expectConfigError(() => parseAptTxt(`${long}\n`), { file: "apt.txt", line: 1, message: /is not a Debian package name/ });
    expect(e.message).toContain(`"${long.slice(0, 100)}…"`);
    expect(e.message).not.toContain(long.slice(0, 101));
    const esc = expectConfigError(() => parseAptTxt("Bad\x1b[31m\n"), { file: "apt.txt", line: 1, message: /is not a Debian package name/ });
    expect(esc.message).not.toContain("\x1b");
    expect(esc.message).toContain("\\x1b");
  });

  it("names the offending word and its line (after comments and CRLF lines)", () => {
    const e = expectConfigError(() => parseAptTxt("# header\r\nvim\r\n\r\ncurl BadName\r\n", "binder/apt.txt"), {
      file: "binder/apt.txt",
      line: 4,
      message: /"BadName" is not a Debian package name/,
    });
    expect(e.hint).toMatch(/lower-case/);
  });

  it("a shell injection is refused before anything reaches apt-get", () => {
    expectConfigError(() => parseAptTxt("vim\nfoo;rm -rf /\n"), { file: "apt.txt", line: 2, message: /"foo;rm"/ });
  });
});
