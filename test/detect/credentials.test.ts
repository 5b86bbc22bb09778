import { afterEach, describe, expect, it } from "vitest";
import * as credentials from "../../src/detect/credentials.js";
import { findCredentials } from "../../src/detect/credentials.js";
import { detectRepo } from "../../src/detect/index.js";
import { makePlan } from "../../src/plan/index.js";
import { TempFiles, type Tree } from "../helpers/repo.js";

const temp = new TempFiles();
afterEach(() => temp.cleanup());

const tmpRepo = (files: Tree) => temp.repo(files, "r2d-cred-");

describe("findCredentials", () => {
  it("finds passwords and tokens in URLs, with the line", () => {
    const text = "numpy\n--extra-index-url https://alice:s3cret@pypi.example.org/simple\nfoo @ git+https://ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/o/r.git\n";
    expect(findCredentials(text)).toEqual([
      { line: 2, redacted: "https://***@pypi.example.org" },
      { line: 3, redacted: "git+https://***@github.com" },
    ]);
  });

  it("leaves ordinary URLs and ssh users alone", () => {
    expect(findCredentials("git+ssh://git@github.com/o/r.git\nhttps://pypi.org/simple\nhttps://user@example.org/x\n")).toEqual([]);
  });
});

describe("credentials in config files", () => {
  it("become a warning naming file and line, with the secret left out of the message", async () => {
    const root = await tmpRepo({ "requirements.txt": "numpy\n-i https://bob:hunter22@index.example.org/simple\nmodel\n" });
    const facts = await detectRepo(root);
    expect(facts.credentials).toEqual([{ path: "requirements.txt", line: 2, redacted: "https://***@index.example.org" }]);
    const plan = makePlan(facts, { invoking: { uid: 0, name: "root" } });
    const warning = plan.messages.find((m) => m.text.startsWith("requirements.txt:2"));
    expect(warning?.level).toBe("warn");
    expect(warning?.text).toContain("--pip-index-url");
    expect(JSON.stringify(plan)).not.toContain("hunter22");
  });

  it("a start script that never runs the command is a warning", async () => {
    const root = await tmpRepo({ "requirements.txt": "x\n", start: "#!/bin/bash\nexport A=1\n" });
    const plan = makePlan(await detectRepo(root), { invoking: { uid: 0, name: "root" } });
    expect(plan.messages.some((m) => m.level === "warn" && m.text.includes('exec "$@"'))).toBe(true);
  });
});

describe("looksSecret", () => {
  it("flags credential-like names and spares ordinary ones", () => {
    const { looksSecret } = credentials;
    expect(["HF_TOKEN", "PIP_PASSWORD", "aws_secret_access_key", "API_KEY", "GITHUB_AUTH"].every(looksSecret)).toBe(true);
    expect(["AUTHOR", "PYTHON_VERSION", "MODEL_NAME"].some(looksSecret)).toBe(false);
  });
});
