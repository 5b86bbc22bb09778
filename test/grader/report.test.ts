import { describe, expect, it } from "vitest";
import { formatGradeReport, gradeJson, graderBuildDefaults, isGraderProfile, type GradeResult } from "../../src/grader/index.js";

const failing: GradeResult = {
  profile: "crowdai",
  image: "r2d-demo:latest",
  passed: false,
  checks: [
    { name: "user", passed: true, reason: "ran as crowdai (uid 1001)" },
    { name: "exit-code", passed: true, reason: "/home/crowdai/run.sh exited 0 after 44 ms" },
    {
      name: "output-file",
      passed: false,
      reason: "OUTPUT_PATH /crowdai-output/pred.csv was not written",
      hint: "wrote to /home/crowdai/output.csv, but OUTPUT_PATH was /crowdai-output/pred.csv: open the file named by $OUTPUT_PATH for the predictions",
    },
  ],
  durationMs: 44,
  peakMemoryBytes: 4 * 1024 * 1024,
  peakMemorySource: "cgroup",
  user: { uid: 1001, name: "crowdai" },
  exitCode: 0,
  limits: { memory: "256m", timeoutMs: 3_600_000, network: "default", platform: "linux/amd64" },
  data: { input: "/repo/test_data", source: "input test_data/ (repository convention)" },
  logs: { stdout: "line 1\nOutput file written at /home/crowdai/output.csv\n", stderr: "" },
  command: "docker run --rm r2d-demo:latest /home/crowdai/run.sh",
};

describe("formatGradeReport", () => {
  it("one line per check, the hint under a failure, the output tail and the command to repeat it", () => {
    expect(formatGradeReport(failing)).toBe(
      [
        "r2d grade (crowdai): FAILED, 1 of 3 checks — r2d-demo:latest",
        "  user crowdai (uid 1001), ran 44 ms, peak memory 4.0 MiB of 256m, exit 0",
        "  pass  user         ran as crowdai (uid 1001)",
        "  pass  exit-code    /home/crowdai/run.sh exited 0 after 44 ms",
        "  FAIL  output-file  OUTPUT_PATH /crowdai-output/pred.csv was not written",
        "                     hint: wrote to /home/crowdai/output.csv, but OUTPUT_PATH was /crowdai-output/pred.csv: open the file named by $OUTPUT_PATH for the predictions",
        "  last lines of the container's output:",
        "    stdout:",
        "        line 1",
        "        Output file written at /home/crowdai/output.csv",
        "  to run it by hand: docker run --rm r2d-demo:latest /home/crowdai/run.sh",
      ].join("\n"),
    );
  });

  it("a pass is short: no output, no command", () => {
    const passed: GradeResult = { ...failing, passed: true, checks: failing.checks.slice(0, 2), peakMemoryBytes: null };
    expect(formatGradeReport(passed)).toBe(
      [
        "r2d grade (crowdai): PASSED — r2d-demo:latest",
        "  user crowdai (uid 1001), ran 44 ms, peak memory not measured, exit 0",
        "  pass  user       ran as crowdai (uid 1001)",
        "  pass  exit-code  /home/crowdai/run.sh exited 0 after 44 ms",
      ].join("\n"),
    );
  });

  it("the JSON form is the result itself", () => {
    expect(JSON.parse(gradeJson(failing))).toEqual(failing);
  });
});

describe("grader options", () => {
  it("crowdAI builds as crowdai/1001 unless a user is chosen; every grader builds for linux/amd64", () => {
    expect(graderBuildDefaults("crowdai", {})).toEqual({ userName: "crowdai", userId: 1001, platform: "linux/amd64" });
    expect(graderBuildDefaults("crowdai", { userId: 1000 })).toEqual({ platform: "linux/amd64" });
    expect(graderBuildDefaults("synapse", { platform: "linux/arm64" })).toEqual({ platform: "linux/arm64" });
    expect(isGraderProfile("modzy")).toBe(true);
    expect(isGraderProfile("kaggle")).toBe(false);
  });
});
