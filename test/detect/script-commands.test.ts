import { describe, expect, it } from "vitest";
import { isShellScript, parseScript, scanCommands } from "../../src/detect/script.js";

const names = (text: string) => scanCommands(text).map((c) => c.name);
const at = (text: string) => scanCommands(text).map((c) => `${c.line}:${c.name}`);

describe("scanCommands: the programs a shell script calls", () => {
  it("the first word of each command, with its line", () => {
    expect(at("#!/bin/bash\nset -e\nwget -q https://x/y.zip\nunzip y.zip -d data\n")).toEqual(["2:set", "3:wget", "4:unzip"]);
  });

  it("after ;, &&, ||, |, & and inside ( ) and { }", () => {
    expect(names("cd x && make; git pull || curl -O u | tar x & wait")).toEqual(["cd", "make", "git", "curl", "tar", "wait"]);
    expect(names("(cd sub && make)\n{ bzip2 -d f.bz2; }\n")).toEqual(["cd", "make", "bzip2"]);
  });

  it("after keywords: if/then/else/while/until/do/!/time", () => {
    expect(names("if ! wget -q u; then curl -O u; else git clone r; fi\nwhile read l; do xz -d \"$l\"; done < list\n")).toEqual([
      "wget", "curl", "git", "read", "xz",
    ]);
    expect(names("time make -j2\nuntil curl u; do sleep 1; done\n")).toEqual(["make", "curl", "sleep"]);
  });

  it("skips VAR=value prefixes and runners' options (sudo, env, exec, timeout, xargs)", () => {
    expect(names("CFLAGS=-O2 make all\nenv -i A=1 B=2 gcc -c x.c\nexec wget u\ntimeout 10 curl u\nfind . | xargs -n1 unzip\n")).toEqual([
      "make", "env", "gcc", "exec", "wget", "timeout", "curl", "find", "xargs", "unzip",
    ]);
    expect(names("sudo apt-get install -y jq\n")).toEqual(["sudo", "apt-get"]);
  });

  it("`command -v x` looks a program up, it does not call it", () => {
    expect(names("if ! command -v wget >/dev/null; then echo no; fi\ncommand wget u\n")).toEqual(["command", "echo", "command", "wget"]);
  });

  it("ignores comments, quoted text and here-documents", () => {
    const script = [
      "# wget the data first",
      "echo 'then curl it' # and git",
      'echo "run make; then gcc"',
      "cat > notes.txt <<EOF",
      "wget is not called here",
      "EOF",
      "cat <<-'END'",
      "\tcurl neither",
      "\tEND",
      "unzip d.zip",
    ].join("\n");
    expect(at(script)).toEqual(["2:echo", "3:echo", "4:cat", "7:cat", "10:unzip"]);
  });

  it("follows $(…) and backticks, also inside double quotes; arithmetic and ${…} are not commands", () => {
    expect(names('V="$(curl -s u | jq -r .v)"\nX=`git rev-parse HEAD`\nN=$((1 + 2))\necho "${HOME}" "$(bzip2 --version)"\n')).toEqual([
      "curl", "jq", "git", "echo", "bzip2",
    ]);
  });

  it("quoted or variable words are not program names; /usr/bin/x is x", () => {
    expect(names('"wget" u\n$TOOL u\n/usr/bin/curl u\n./configure\n')).toEqual(["curl"]);
  });

  it("for/case headers and case patterns are not commands; their bodies are", () => {
    const script = "for f in wget curl; do unzip \"$f\"; done\ncase \"$1\" in\n  make|gcc) git pull ;;\n  *) curl u ;;\nesac\nbzip2 x\n";
    expect(at(script)).toEqual(["1:unzip", "3:git", "4:curl", "6:bzip2"]);
  });

  it("functions the script defines are not programs", () => {
    expect(names("wget() { curl -O \"$1\"; }\nwget u\nfunction git { echo; }\ngit x\nmake ()\n{ :; }\nmake\n")).toEqual(["curl", "echo"]);
  });

  it("line continuations, redirections and CRLF keep lines right", () => {
    expect(at("make \\\n  all\r\n2>/dev/null wget u\r\ncurl u &>log\r\ngit x >> log 2>&1\r\n")).toEqual(["1:make", "3:wget", "4:curl", "5:git"]);
  });

  it("an unterminated quote or substitution does not throw", () => {
    expect(() => scanCommands("echo 'oops\nwget x\n")).not.toThrow();
    expect(() => scanCommands('x="$(curl\n')).not.toThrow();
    expect(() => scanCommands("cat <<EOF\nnever ends\n")).not.toThrow();
  });
});

describe("parseScript: commands only for shell scripts", () => {
  it("bash, sh and env-bash scripts are scanned; Python and R ones are not", () => {
    expect(parseScript("#!/bin/bash\nwget u\n").commands).toEqual([{ name: "wget", line: 2 }]);
    expect(parseScript("wget u\n").commands).toEqual([{ name: "wget", line: 1 }]);
    expect(parseScript("#!/usr/bin/env python3\nimport os\n").commands).toEqual([]);
    expect(parseScript("#!/usr/bin/env Rscript\nlibrary(x)\n").commands).toEqual([]);
  });

  it.each([
    [null, true],
    ["/bin/bash", true],
    ["/bin/sh -e", true],
    ["/usr/bin/env bash", true],
    ["/usr/bin/env -S bash -e", true],
    ["/bin/dash", true],
    ["/usr/bin/zsh", true],
    ["/usr/bin/env python3", false],
    ["/usr/bin/perl", false],
    ["/usr/bin/bashful", false],
  ])("isShellScript(%j) = %s", (shebang, shell) => {
    expect(isShellScript(shebang)).toBe(shell);
  });
});
