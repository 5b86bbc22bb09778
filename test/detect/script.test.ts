import { describe, expect, it } from "vitest";
import { parseScript } from "../../src/detect/script.js";

describe("parseScript", () => {
  it("a bash script with a shebang", () => {
    expect(parseScript("#!/bin/bash\nset -e\npip install x\n")).toMatchObject({ crlf: false, shebang: "/bin/bash" });
  });
  it("CRLF is detected and the \\r is not part of the interpreter", () => {
    expect(parseScript("#!/bin/bash\r\nset -e\r\n")).toMatchObject({ crlf: true, shebang: "/bin/bash" });
  });
  it("env shebangs keep their argument", () => {
    expect(parseScript("#! /usr/bin/env python3\nprint(1)\n")).toMatchObject({ crlf: false, shebang: "/usr/bin/env python3" });
  });
  it("no shebang → null (run with bash)", () => {
    expect(parseScript("pip install x\n")).toMatchObject({ crlf: false, shebang: null });
    expect(parseScript("# !/bin/bash\n")).toMatchObject({ crlf: false, shebang: null });
    expect(parseScript(" #!/bin/bash\n")).toMatchObject({ crlf: false, shebang: null });
  });
  it("empty file", () => {
    expect(parseScript("")).toMatchObject({ crlf: false, shebang: null });
  });
  it("a CRLF anywhere counts, a lone \\r does not", () => {
    expect(parseScript("#!/bin/sh\necho a\r\n")).toMatchObject({ crlf: true, shebang: "/bin/sh" });
    expect(parseScript("#!/bin/sh\necho a\rb\n").crlf).toBe(false);
  });
});

describe("parseScript: passing the command on", () => {
  it("sees exec \"$@\" and its spellings", () => {
    expect(parseScript('#!/bin/bash\nexport X=1\nexec "$@"\n').passesArguments).toBe(true);
    expect(parseScript("#!/bin/sh\nexec ${@}\n").passesArguments).toBe(true);
    expect(parseScript("#!/bin/bash\nexport X=1\n").passesArguments).toBe(false);
  });
});
