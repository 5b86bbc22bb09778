import { describe, expect, it } from "vitest";
import { parseDefaultNix } from "../../src/detect/default-nix.js";

const paths = (text: string) => parseDefaultNix(text).localPaths;

describe("parseDefaultNix: path literals that tie the environment to the repository", () => {
  it.each([
    ["./shell.sh", "{ pkgs ? import <nixpkgs> {} }: pkgs.mkShell { shellHook = builtins.readFile ./shell.sh; }"],
    ["../pkgs", "import ../pkgs {}"],
    ["./.", "pkgs.python3Packages.buildPythonPackage { src = ./.; }"],
    ["nix/sources.nix", "let sources = import nix/sources.nix; in sources"],
    ["~/x.nix", "import ~/x.nix"],
    ["/etc/nixpkgs", "import /etc/nixpkgs {}"],
  ])("finds %s", (path, text) => {
    expect(paths(text)).toEqual([path]);
  });

  it("finds paths inside string interpolations, where shell hooks put them", () => {
    expect(paths("pkgs.mkShell { shellHook = ''\n  source ${./env.sh}\n''; }")).toEqual(["./env.sh"]);
    expect(paths('{ x = "prefix-${toString ../data}"; }')).toEqual(["../data"]);
    expect(paths('{ x = "a ${ { y = ./y; }.y } b"; }')).toEqual(["./y"]);
  });

  it("ignores search paths, URLs, strings, comments and the // and / operators", () => {
    const text = [
      "# a comment mentioning ./not-a-path",
      "/* and ../another one */",
      "let",
      '  pinned = builtins.fetchTarball { url = "https://github.com/NixOS/nixpkgs/archive/abc.tar.gz"; sha256 = "0x"; };',
      "  pkgs = import <nixpkgs/lib> {} // { extra = 1; };",
      "  half = 4 / 2;",
      "  legacy = https://example.org/unquoted-uri.tar.gz;",
      "  hook = ''",
      "    echo ./inside-an-indented-string ''${NOT_INTERPOLATED} '''quoted'''",
      "  '';",
      '  escaped = "a \\" ./still-in-the-string";',
      "in pkgs.mkShell { buildInputs = [ pkgs.python3 ]; }",
    ].join("\n");
    expect(paths(text)).toEqual([]);
  });

  it("reports at most three paths, each once", () => {
    expect(paths("[ ./a ./a ./b ./c ./d ]")).toEqual(["./a", "./b", "./c"]);
  });

  it("notes whether the file imports the image's <nixpkgs> channel", () => {
    expect(parseDefaultNix("with import <nixpkgs> {}; mkShell {}").usesChannel).toBe(true);
    expect(parseDefaultNix("import <nixpkgs/nixos> {}").usesChannel).toBe(true);
    expect(parseDefaultNix('let p = import (fetchTarball "https://x/y.tar.gz") {}; in p.mkShell {}').usesChannel).toBe(false);
    expect(parseDefaultNix('# import <nixpkgs>\n"<nixpkgs>"').usesChannel).toBe(false);
  });

  it("an unterminated string or comment ends the scan without error", () => {
    expect(paths('{ x = "never closed ./a')).toEqual([]);
    expect(paths("./before /* never closed ./a")).toEqual(["./before"]);
  });
});
