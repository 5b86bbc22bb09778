/** The lexers the injection tests rely on: they must see what a shell and BuildKit would see. */
import { describe, expect, it } from "vitest";
import { injectionProblems } from "./compare.js";
import { dockerWords, shellTokens, substitute } from "./tokens.js";

const w = (...segs: object[]) => ({ word: segs });

describe("shellTokens", () => {
  it("words, quotes, escapes and operators", () => {
    expect(shellTokens(`a 'b c' "d e" f\\ g && h || i; j | k & (l) < m > n`)).toEqual([
      w({ lit: "a" }), w({ lit: "b c" }), w({ lit: "d e" }), w({ lit: "f g" }),
      { op: "&&" }, w({ lit: "h" }), { op: "||" }, w({ lit: "i" }), { op: ";" }, w({ lit: "j" }), { op: "|" }, w({ lit: "k" }), { op: "&" },
      { op: "(" }, w({ lit: "l" }), { op: ")" }, { op: "<" }, w({ lit: "m" }), { op: ">" }, w({ lit: "n" }),
    ]);
  });

  it("expansions are segments of their own, also inside double quotes; single quotes hide them", () => {
    expect(shellTokens(`x"$HOME"'$HOME' \`id\` $(echo "$(id)") \${X:-y} $((1+2)) $'a' ~ *`)).toEqual([
      w({ lit: "x" }, { param: "$HOME" }, { lit: "$HOME" }),
      w({ backtick: "`id`" }),
      w({ cmd: [w({ lit: "echo" }), w({ cmd: [w({ lit: "id" })] })] }),
      w({ param: "${X:-y}" }),
      w({ arith: "$((1+2))" }),
      w({ ansi: "$'" }, { lit: "a" }),
      w({ glob: "~" }),
      w({ glob: "*" }),
    ]);
  });

  it("newlines are operators, comments and line continuations vanish, '' is an empty word", () => {
    expect(shellTokens("a # c\nb \\\n c ''")).toEqual([w({ lit: "a" }), { op: "\n" }, w({ lit: "b" }), w({ lit: "c" }), w({ lit: "" })]);
  });

  it("unterminated quotes and substitutions are errors", () => {
    for (const bad of ["'a", '"a', "$(a", "`a", "${a"]) expect(() => shellTokens(bad)).toThrow(/unterminated/);
  });

  it("substitute() replaces a value in literal text only", () => {
    expect(substitute(shellTokens("cd /srv/VALUE && echo $(cat VALUE)"), "VALUE", "a b")).toEqual(shellTokens("cd '/srv/a b' && echo $(cat 'a b')"));
  });
});

describe("dockerWords (BuildKit's rules)", () => {
  it("double quotes unescape only \" $ \\; single quotes are literal; $ substitutes", () => {
    expect(dockerWords(`A="x\\$y \\"q\\" \\\\ \\n" B='$s p' C=$HOME D=\${X}`)).toEqual([
      [{ lit: 'A=x$y "q" \\ \\n' }],
      [{ lit: "B=$s p" }],
      [{ lit: "C=" }, { param: "$HOME" }],
      [{ lit: "D=" }, { param: "${X}" }],
    ]);
  });
});

describe("injectionProblems", () => {
  const dockerfile = (cmd: string, env = "A=1") => `FROM x\nENV ${env}\nRUN ${cmd}\nCMD ["a"]\n`;

  it("finds nothing when the value stays one literal word", () => {
    expect(injectionProblems(dockerfile("cd /srv/VALUE"), dockerfile("cd '/srv/a;b $(id)'"), "VALUE", "a;b $(id)")).toEqual([]);
  });

  it.each([
    ["a; reboot", /shell tokens differ/],
    ["$(reboot)", /shell tokens differ/],
    ["`reboot`", /shell tokens differ/],
    ["a b", /shell tokens differ/],
    ["*", /shell tokens differ/],
    ["'", /unterminated/],
    ["a\nRUN reboot", /different number of lines|instructions differ/],
  ])("catches a naive interpolation of %j", (value, message) => {
    const problems = injectionProblems(dockerfile("cd /srv/VALUE"), dockerfile(`cd /srv/${value}`), "VALUE", value);
    expect(problems.join("\n")).toMatch(message);
  });

  it("catches an ENV value that Docker would expand or split", () => {
    expect(injectionProblems(dockerfile("true", "A=VALUE"), dockerfile("true", "A=$HOME"), "VALUE", "$HOME").join("\n")).toMatch(/Dockerfile words differ/);
    expect(injectionProblems(dockerfile("true", "A=VALUE"), dockerfile("true", "A=a b"), "VALUE", "a b").join("\n")).toMatch(/Dockerfile words differ/);
    expect(injectionProblems(dockerfile("true", "A=VALUE"), dockerfile("true", 'A="a b"'), "VALUE", "a b")).toEqual([]);
  });

  it("catches a RUN that bash cannot parse", () => {
    expect(injectionProblems(dockerfile("if VALUE; then true; fi"), dockerfile("if then; then true; fi"), "VALUE", "then").join("\n")).toMatch(/bash -n/);
  });
});
