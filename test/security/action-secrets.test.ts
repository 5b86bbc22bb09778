/**
 * The action's step log: secrets are masked for the runner first (`::add-mask::`), and the build's
 * events are scrubbed as well, so the log holds them nowhere else (a stand-in docker client replays
 * build output that carries them).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction } from "../../src/action/run.js";
import { cleanupTempDirs, fakeNodeBin, tempDir } from "../engine/helpers.js";

const TOKEN = "tok-ACTION-0001";
const PASSWORD = "pip-ACTION-0002";
const CRAN = "cran-ACTION-0003";

let dir: string;
let docker: string;
beforeAll(async () => {
  dir = await tempDir();
  await mkdir(path.join(dir, "repo"));
  await writeFile(path.join(dir, "repo", "requirements.txt"), "numpy\n");
  await writeFile(
    path.join(dir, "sample.txt"),
    `#5 [4/9] RUN pip install -r requirements.txt\n#5 0.1 token ${TOKEN}\n#5 0.2 trying URL 'https://carol:${CRAN}@127.0.0.1:9/cran/x'\n#5 0.3 https://ci:${PASSWORD}@127.0.0.1:9/simple\n#5 DONE 1.0s\n`,
  );
  docker = await fakeNodeBin(dir, "docker", { FAKE_SAMPLE: path.join(dir, "sample.txt"), FAKE_IID: `sha256:${"b".repeat(64)}` });
});
afterAll(cleanupTempDirs);

describe("the action's log", () => {
  it.each([["without"], ["with"]])("%s RUNNER_DEBUG, holds the secrets only in its ::add-mask:: lines", async (mode) => {
    const lines: string[] = [];
    const previous = process.env.R2D_DOCKER;
    process.env.R2D_DOCKER = docker;
    let code: number;
    try {
      code = await runAction(
        {
          INPUT_REPO: path.join(dir, "repo"),
          "INPUT_IMAGE-NAME": "r2d-test/action-secrets:1",
          "INPUT_BUILD-ARGS": `API_TOKEN=${TOKEN}\nPLAIN=plain`,
          "INPUT_PIP-INDEX-URL": `https://ci:${PASSWORD}@127.0.0.1:9/simple`,
          "INPUT_CRAN-MIRROR": `https://carol:${CRAN}@127.0.0.1:9/cran`,
          "INPUT_BUILD-NETWORK": "host",
          ...(mode === "with" ? { RUNNER_DEBUG: "1" } : {}),
        },
        { write: (s) => void lines.push(...s.split("\n")), cwd: dir },
      );
    } finally {
      if (previous === undefined) delete process.env.R2D_DOCKER;
      else process.env.R2D_DOCKER = previous;
    }
    const log = lines.join("\n");
    expect(code, log).toBe(0);
    const masks = lines.filter((l) => l.startsWith("::add-mask::"));
    expect(masks).toEqual(expect.arrayContaining([`::add-mask::${TOKEN}`, `::add-mask::${PASSWORD}`, `::add-mask::${CRAN}`]));
    const rest = lines.filter((l) => !l.startsWith("::add-mask::")).join("\n");
    for (const secret of [TOKEN, PASSWORD, CRAN]) expect(rest, `${secret} leaked`).not.toContain(secret);
    expect(rest).toContain("token ****");
    if (mode === "with") expect(rest).toContain("API_TOKEN=****");
  });
});
