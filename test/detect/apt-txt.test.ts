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
    expect(parseAptTxt("b\na\n1\n-x\n")).toEqual(["-x", "1", "a", "b"]);
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
  ])("refuses %j with the file and line", (name, line) => {
    expectConfigError(() => parseAptTxt(name), { file: "apt.txt", line, message: /is not a Debian package name/ });
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
