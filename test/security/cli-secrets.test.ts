/**
 * Secrets never leave the CLI: the compiled r2d runs against a stand-in docker client whose build
 * output carries the secrets (as R's "trying URL" and a step's echo would), and nothing it writes
 * to stdout or stderr holds them, in --json or not, with --debug or not, on success and failure.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTempDirs, fakeNodeBin, readRecord, tempDir } from "../engine/helpers.js";
import { REPO_ROOT } from "../helpers/infra.js";

const CLI = path.join(REPO_ROOT, "dist", "cli", "main.js");
const SECRETS = {
  token: "tok-SECRET-0001",
  plain: "plain-SECRET-0002",
  pip: "pip-SECRET-0003",
  extra: "extra-SECRET-0004",
  cran: "cran-SECRET-0005",
};
const FLAGS = [
  "--build-arg", `API_TOKEN=${SECRETS.token}`,
  "--build-arg", `PLAIN=${SECRETS.plain}`,
  "--pip-index-url", `https://alice:${SECRETS.pip}@127.0.0.1:9/simple`,
  "--pip-extra-index-url", `https://bob:${SECRETS.extra}@127.0.0.1:9/simple`,
  "--cran-mirror", `https://carol:${SECRETS.cran}@127.0.0.1:9/cran`,
];

/** Build output in BuildKit's plain format, leaking every secret the way real steps can. */
const SAMPLE = (failing: boolean) => `#1 [internal] load build definition from Dockerfile
#1 DONE 0.0s

#5 [4/9] RUN Rscript /usr/local/lib/r2d/install-r-packages.R packages readr
#5 0.101 trying URL 'https://carol:${SECRETS.cran}@127.0.0.1:9/cran/src/contrib/readr_2.1.5.tar.gz'
#5 0.102 Looking in indexes: https://alice:${SECRETS.pip}@127.0.0.1:9/simple, https://bob:${SECRETS.extra}@127.0.0.1:9/simple
#5 0.103 the token is ${SECRETS.token}
${failing ? `#5 ERROR: executor failed running [/bin/bash -o pipefail -c Rscript x]: exit code: 1
------
 > [4/9] RUN Rscript /usr/local/lib/r2d/install-r-packages.R packages readr:
#5 0.103 the token is ${SECRETS.token}
------
executor failed running [/bin/bash -o pipefail -c Rscript x]: exit code: 1
` : "#5 DONE 1.0s\n"}`;

let dir: string;
let repo: string;

beforeAll(async () => {
  // The CLI under test is the compiled one (dist/), built from this tree now.
  await execa("npx", ["tsc", "-p", "tsconfig.json"], { cwd: REPO_ROOT });
  dir = await tempDir();
  repo = path.join(dir, "repo");
  await execa("mkdir", ["-p", repo]);
  await writeFile(path.join(repo, "requirements.R"), 'pkg_list <- c("readr")\n');
  await writeFile(path.join(repo, "requirements.txt"), "numpy\n");
  await writeFile(path.join(dir, "ok.txt"), SAMPLE(false));
  await writeFile(path.join(dir, "fail.txt"), SAMPLE(true));
}, 180_000);
afterAll(cleanupTempDirs);

async function r2d(args: string[], opts: { failing?: boolean } = {}) {
  const record = path.join(dir, `record-${Math.random().toString(36).slice(2)}.jsonl`);
  const docker = await fakeNodeBin(dir, `docker-${Math.random().toString(36).slice(2)}`, {
    FAKE_RECORD: record,
    FAKE_SAMPLE: path.join(dir, opts.failing ? "fail.txt" : "ok.txt"),
    FAKE_EXIT: opts.failing ? "1" : "0",
    FAKE_IID: `sha256:${"a".repeat(64)}`,
  });
  const r = await execa(process.execPath, [CLI, repo, "--docker", docker, "--build-network", "host", "--no-run", "--image-name", "r2d-test/secrets:1", ...FLAGS, ...args], {
    reject: false,
    env: { TMPDIR: dir },
    stdin: "ignore",
  });
  return { exitCode: r.exitCode, output: `${r.stdout}\n${r.stderr}`, stdout: String(r.stdout), calls: await readRecord(record) };
}

function expectNoSecrets(output: string, opts: { debug: boolean }) {
  for (const [name, value] of Object.entries(SECRETS)) {
    // A plain build argument may be shown with --debug (it is not a secret in Docker's model).
    if (name === "plain" && opts.debug) continue;
    expect(output, `the ${name} secret leaked`).not.toContain(value);
  }
}

describe("the CLI never prints secrets", () => {
  it.each([
    ["--json", ["--json"], false],
    ["--json --debug", ["--json", "--debug"], true],
    ["plain --debug", ["--debug", "--progress", "plain"], true],
    ["plain", ["--progress", "plain"], false],
  ])("%s: a build whose output carries every secret", async (_name, args, debug) => {
    const r = await r2d(args);
    expect(r.exitCode, r.output).toBe(0);
    expectNoSecrets(r.output, { debug });
    // The engine did get the values: only the output is scrubbed.
    const build = r.calls.find((c) => c.argv[0] === "build")!;
    expect(build.argv).toContain(`API_TOKEN=${SECRETS.token}`);
    expect(build.argv).toContain(`PLAIN=${SECRETS.plain}`);
    if (args.includes("--json")) {
      // Events flowed, and the scrubber acted on them.
      expect(r.stdout).toMatch(/"event":"progress"/);
      expect(r.stdout).toContain("https://carol:****@127.0.0.1:9/cran");
      expect(r.stdout).toContain("the token is ****");
      // Engine command lines are debug messages: only with --debug.
      const debugLines = r.stdout.split("\n").filter((l) => l.includes('"level":"debug"'));
      if (debug) {
        expect(debugLines.join("\n")).toContain("API_TOKEN=****");
        expect(debugLines.join("\n")).toContain(`PLAIN=${SECRETS.plain}`);
      } else expect(debugLines).toEqual([]);
    }
  });

  it.each([["--json"], ["--progress"]])("a failed build (%s) prints its log tail without the secrets", async (flag) => {
    const r = await r2d(flag === "--json" ? ["--json"] : ["--progress", "plain"], { failing: true });
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain("the token is ****");
    expectNoSecrets(r.output, { debug: false });
  });

  it("--no-build --json --debug: the plan and Dockerfile hold no secret", async () => {
    const r = await r2d(["--no-build", "--json", "--debug"]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).buildpack).toBe("r");
    expectNoSecrets(r.output, { debug: true });
    expect(r.calls).toEqual([]);
  });

  it("a hostile --target-repo-dir is refused before any engine call", async () => {
    const r = await r2d(["--target-repo-dir", "/srv/$(touch /tmp/pwned)"]);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("--target-repo-dir");
    expect(r.calls).toEqual([]);
  });
});
