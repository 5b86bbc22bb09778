/**
 * The crowdAI grading contract: the image runs as uid 1001 `crowdai`, the repository is its home,
 * run.sh is the default command and reads TEST_DIRECTORY, writes OUTPUT_PATH on mounted volumes.
 */
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type BuildRepoResult } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { script } from "../helpers/repo.js";
import { buildOptions, inspect, Scope, sh } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

const RUN_SH = `#!/bin/bash
set -euo pipefail
echo "user=$(whoami) uid=$(id -u) pwd=$(pwd)"
python predict.py "$TEST_DIRECTORY/input.csv" "$OUTPUT_PATH"
echo "Output file written at $OUTPUT_PATH"
`;

const PREDICT_PY = `import sys
src, dst = sys.argv[1], sys.argv[2]
with open(src) as f, open(dst, "w") as out:
    for line in f:
        out.write(line.strip().upper() + ",predicted\\n")
`;

describe("userId 1001 / userName crowdai with run.sh", () => {
  let image: string;
  let result: BuildRepoResult;
  let outDir: string;

  beforeAll(async () => {
    const repo = await scope.repo({ "run.sh": script(RUN_SH), "predict.py": PREDICT_PY });
    const work = await scope.tmp();
    const inDir = path.join(work, "test-data");
    outDir = path.join(work, "output");
    await mkdir(inDir);
    await mkdir(outDir);
    await writeFile(path.join(inDir, "input.csv"), "a\nb\nc\n");
    // The container user (1001) must be able to write the host directory.
    await chmod(outDir, 0o777);
    image = scope.image("crowdai");
    result = await buildRepo(
      repo,
      buildOptions(infra, {
        imageName: image,
        userId: 1001,
        userName: "crowdai",
        run: true,
        volumes: [`${inDir}:/test-data:ro`, `${outDir}:/output`],
        env: ["TEST_DIRECTORY=/test-data", "OUTPUT_PATH=/output/predictions.csv"],
      }),
    );
  });

  it("runs run.sh by default, which reads TEST_DIRECTORY and writes OUTPUT_PATH on the host", async () => {
    expect(result.run?.exitCode).toBe(0);
    expect(result.run?.stdout).toContain("user=crowdai uid=1001 pwd=/home/crowdai");
    expect(result.run?.stdout).toContain("Output file written at /output/predictions.csv");
    const written = path.join(outDir, "predictions.csv");
    expect(await readFile(written, "utf8")).toBe("A,predicted\nB,predicted\nC,predicted\n");
    expect((await stat(written)).uid).toBe(1001);
  });

  it("the image user is crowdai (uid 1001), the repository is in /home/crowdai", async () => {
    expect(result.plan.user).toMatchObject({ name: "crowdai", uid: 1001 });
    const out = await sh(infra, image, "id -u; whoami; pwd; echo $HOME; ls -l /home/crowdai/run.sh /home/crowdai/predict.py | awk '{print $1, $3, $NF}'");
    const [uid, name, pwd, home, ...files] = out.split("\n");
    expect([uid, name, pwd, home]).toEqual(["1001", "crowdai", "/home/crowdai", "/home/crowdai"]);
    expect(files).toEqual([expect.stringMatching(/^-rw\S* crowdai \/home\/crowdai\/predict\.py$/), "-rwxr-xr-x crowdai /home/crowdai/run.sh"]);
    const config = (await inspect(infra, image)).Config;
    expect(config.User).toBe("crowdai");
    expect(config.Cmd).toEqual(["/home/crowdai/run.sh"]);
  });
});
