/**
 * The crowdAI profile against the real engine: /home/crowdai/run.sh with TEST_DIRECTORY and
 * OUTPUT_PATH on mounted folders (test/grader/repos/crowdai-*).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatGradeReport } from "../../src/grader/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { check, failed, GraderScope } from "./helpers.js";

let infra: Infra;
const scope = new GraderScope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

// What crowdAI's own repo2docker call uses.
const CROWDAI_USER = { userName: "crowdai", userId: 1001 };

describe("crowdai", () => {
  it("a run.sh that reads TEST_DIRECTORY and writes OUTPUT_PATH passes, compared with the expected file", async () => {
    const built = await scope.build("crowdai-ok", CROWDAI_USER);
    const g = await scope.grade(built, "crowdai-ok", { profile: "crowdai", memory: "256m", cpus: "1" });
    expect(failed(g), formatGradeReport(g)).toEqual([]);
    expect(check(g, "entry-point").reason).toBe("run.sh is at /home/crowdai/run.sh");
    // The expected file's name becomes OUTPUT_PATH's.
    expect(check(g, "output-file").reason).toMatch(/^wrote OUTPUT_PATH \/crowdai-output\/predictions\.csv \(\d+ B\)$/);
    expect(check(g, "expected-outputs").passed).toBe(true);
    expect(g.user).toEqual({ uid: 1001, name: "crowdai" });
    expect(g.logs.stdout).toContain("user=crowdai pwd=/home/crowdai");
    expect(g.command).toContain("/home/crowdai/run.sh");
  });

  it("a run.sh that ignores OUTPUT_PATH fails output-file and says where it wrote", async () => {
    const built = await scope.build("crowdai-wrong-path", CROWDAI_USER);
    const g = await scope.grade(built, "crowdai-wrong-path", { profile: "crowdai" });
    expect(failed(g)).toEqual(["output-file"]);
    const out = check(g, "output-file");
    expect(out.reason).toBe("OUTPUT_PATH /crowdai-output/output.csv was not written");
    expect(out.hint).toContain("wrote to /home/crowdai/output.csv, but OUTPUT_PATH was /crowdai-output/output.csv");
  });

  it("an image built for another user has no /home/crowdai/run.sh: entry-point fails with the build flags to use", async () => {
    const built = await scope.build("crowdai-ok");
    const g = await scope.grade(built, "crowdai-ok", { profile: "crowdai" });
    const entry = check(g, "entry-point");
    expect(entry.passed).toBe(false);
    expect(entry.reason).toBe("the repository lands in /home/jovyan, so /home/crowdai/run.sh does not exist");
    expect(entry.hint).toContain("--user-name crowdai --user-id 1001");
    expect(check(g, "exit-code").passed).toBe(false);
    expect(g.exitCode).toBe(127);
  });
});
