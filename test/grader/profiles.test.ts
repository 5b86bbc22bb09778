/**
 * The grader registry: `--grader`'s choices come from it, and each profile declares as data the
 * build settings it implies and the run-time environment a plain run passes on.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ContextSelection } from "../../src/context/types.js";
import type { BuildPlan } from "../../src/plan/types.js";
import { prepareBuild } from "../../src/prepare/index.js";
import { GRADER_PLATFORM, GRADER_PROFILES, GRADER_REGISTRY, PASSED_RUN_ENV, graderBuildDefaults, isGraderProfile, passedRunEnv, profileOf } from "../../src/grader/index.js";

describe("the grader registry", () => {
  it("lists the profiles in --help's order, each complete", () => {
    expect(GRADER_PROFILES).toEqual(["synapse", "crowdai", "modzy"]);
    expect(GRADER_REGISTRY.map((p) => p.name)).toEqual(GRADER_PROFILES);
    for (const p of GRADER_REGISTRY) {
      expect(p.summary, p.name).not.toBe("");
      expect(p.defaultTimeoutMs, p.name).toBeGreaterThan(0);
      expect(p.platform, p.name).toBe(GRADER_PLATFORM);
      expect(profileOf(p.name)).toBe(p);
    }
    expect(isGraderProfile("kaggle")).toBe(false);
    expect(() => profileOf("kaggle" as never)).toThrow(/unknown grader kaggle/);
  });

  it("takes the build defaults from the profile: crowdAI's user unless one was chosen", () => {
    expect(profileOf("crowdai").buildDefaults({})).toEqual({ userName: "crowdai", userId: 1001 });
    expect(profileOf("crowdai").buildDefaults({ userName: "me" })).toEqual({});
    expect(profileOf("synapse").buildDefaults({})).toEqual({});
    expect(profileOf("modzy").buildDefaults({})).toEqual({});
    expect(graderBuildDefaults("modzy", {})).toEqual({ platform: "linux/amd64" });
    expect(graderBuildDefaults("crowdai", { platform: "linux/arm64", userId: 0 })).toEqual({ platform: "linux/arm64" });
  });

  it("passes crowdAI's TEST_DIRECTORY and OUTPUT_PATH to a plain run, and nothing else", () => {
    expect(profileOf("crowdai").passEnv).toEqual(["TEST_DIRECTORY", "OUTPUT_PATH"]);
    expect(PASSED_RUN_ENV).toEqual(["TEST_DIRECTORY", "OUTPUT_PATH"]);
  });

  afterEach(() => {
    delete process.env.TEST_DIRECTORY;
    delete process.env.OUTPUT_PATH;
  });

  it("a plain run gets them from the caller's environment, unless -e names them", () => {
    const plan = { buildpack: "python", repoDir: "/home/jovyan", user: { name: "jovyan", uid: 1000 }, labels: {}, secrets: [], dockerfilePath: null, helperFiles: [], context: { excludes: [] } } as unknown as BuildPlan;
    const selection: ContextSelection = { root: "/repo", files: [], fileCount: 0, bytes: 0, excluded: [], warnings: [] };
    const runEnv = (env?: string[]) => prepareBuild(plan, "FROM x\n", selection, { imageName: "img", env, passEnv: passedRunEnv() }, { bridgeNetwork: true }).run.env;
    expect(runEnv()).toEqual([]);
    process.env.TEST_DIRECTORY = "/data";
    process.env.OUTPUT_PATH = "/out/p.csv";
    expect(runEnv(["A=1"])).toEqual(["A=1", "TEST_DIRECTORY", "OUTPUT_PATH"]);
    expect(runEnv(["OUTPUT_PATH=/elsewhere"])).toEqual(["OUTPUT_PATH=/elsewhere", "TEST_DIRECTORY"]);
  });
});
