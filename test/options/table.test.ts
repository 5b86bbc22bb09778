import { describe, expect, it } from "vitest";
import { buildRepo } from "../../src/build-repo.js";
import { ENGINE_KINDS } from "../../src/engine/index.js";
import { ConfigError } from "../../src/errors.js";
import { GRADER_PROFILES } from "../../src/grader/index.js";
import {
  checkBuildRepoOptions,
  checkRules,
  CLI_ROWS,
  DIRECT_KEYS,
  INPUT_ROWS,
  OPTION_TABLE,
  option,
  rowOf,
  STAGES,
  type OptionValues,
} from "../../src/options/index.js";
import { cpuCount, duration, integer, list, size, text } from "../../src/options/kinds.js";

describe("the option table", () => {
  it("has one row per value, flag and input", () => {
    const unique = (xs: string[]) => expect(new Set(xs).size).toBe(xs.length);
    unique(OPTION_TABLE.map((r) => r.key));
    unique(CLI_ROWS.flatMap((r) => (r.cli ? [r.cli.flag, ...(r.cli.short ? [r.cli.short] : []), ...(r.cli.aliases ?? []).map((a) => a.flag)] : [])));
    unique(INPUT_ROWS.flatMap((r) => (r.input ? [r.input.name] : [])));
  });

  it("every row is on the command line or in the action, in a stage, with help", () => {
    for (const row of OPTION_TABLE) {
      expect(row.cli ?? row.input, row.key).toBeDefined();
      expect(STAGES, row.key).toContain(row.stage);
      expect(row.help.length, row.key).toBeGreaterThan(10);
      if (row.input) expect(row.input.name, row.key).toMatch(/^[a-z]+(-[a-z]+)*$/);
      if (row.cli) expect(row.cli.flag, row.key).toMatch(/^(--[a-z]+(-[a-z]+)*|<[a-z]+>|\[[a-z]+\.\.\.\])$/);
    }
  });

  it("fills every buildRepo option it names", () => {
    for (const key of DIRECT_KEYS) expect(rowOf(key).key).toBe(key);
  });

  it("rules name rows that exist", () => {
    for (const row of OPTION_TABLE) for (const rule of row.rules ?? []) for (const key of [...(rule.needs ?? []), ...(rule.excludes ?? [])]) expect(() => rowOf(key)).not.toThrow();
  });

  it("takes the engine and grader choices from their registries", () => {
    expect(rowOf("engine").type.choices).toEqual(ENGINE_KINDS);
    expect(rowOf("grader").type.choices).toEqual(GRADER_PROFILES);
  });

  it("checks each row's kind against the value it fills, at compile time", () => {
    // @ts-expect-error userId is a string or number, not a list
    const wrong = option("userId", { stage: "plan", type: list, help: "a list where a uid goes" });
    expect(wrong.key).toBe("userId");
    expect(option("userId", { stage: "plan", type: text, help: "a uid" }).key).toBe("userId");
  });
});

describe("rules between options", () => {
  const refused = (values: OptionValues, door: "cli" | "action" = "cli") => {
    try {
      checkRules(values, door);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return err as ConfigError;
    }
    return undefined;
  };

  it("a needs rule holds when one of the named options is given", () => {
    expect(refused({ push: true })?.location?.file).toBe("--push");
    expect(refused({ push: true, run: false })).toBeUndefined();
    expect(refused({ push: true, build: false })).toBeUndefined();
    // A switch left at its default is not given.
    expect(refused({ push: true, run: true })?.message).toContain("--push needs --no-run");
  });

  it("an excludes rule holds when none is given", () => {
    expect(refused({ grader: "synapse", run: false })?.location?.file).toBe("--grader");
    expect(refused({ grader: "synapse", run: true, build: true })).toBeUndefined();
  });

  it("the default words name both flags and how to add the missing one", () => {
    const err = refused({ timeout: 1000 });
    expect(err?.message).toBe("--timeout: --timeout only applies with --grader\n  hint: add --grader synapse|crowdai|modzy");
  });

  it("each front door has its own rules, in its own names", () => {
    expect(refused({ push: true }, "action")?.message).toMatch(/^input push: push needs an image name/);
    expect(refused({ push: true, tags: ["a/m:1"] }, "action")).toBeUndefined();
    expect(refused({ push: true, imageName: "a/m:1" }, "action")).toBeUndefined();
    // The CLI's push needs no name (r2d names the image), the action's needs no --no-run.
    expect(refused({ push: true, run: false })).toBeUndefined();
  });

  it("buildRepo's own options are checked the same way, before anything is read", async () => {
    expect(() => checkBuildRepoOptions({ push: true })).toThrow(/--push needs --no-run/);
    expect(() => checkBuildRepoOptions({ grader: { profile: "modzy" }, build: false })).toThrow(/--grader runs the built image/);
    expect(() => checkBuildRepoOptions({ push: true, run: false, grader: undefined })).not.toThrow();
    await expect(buildRepo("/nonexistent/r2d-repo", { push: true })).rejects.toThrow(/--push needs --no-run/);
  });
});

describe("kinds of values, as action inputs", () => {
  const input = { name: "x" };
  it.each([
    [integer, "12", "12"],
    [size, "512m", "512m"],
    [cpuCount, "0.5", "0.5"],
    [duration, "90", 90_000],
    [duration, "1m30s", 90_000],
  ])("%#: %j", (kind, textValue, value) => {
    expect(kind.fromInput(textValue, input)).toEqual(value);
  });

  it.each([
    [integer, "1.5", /^input x: must be a number, got "1.5"/],
    [size, "lots", /^input x: must be a size such as 512m or 2g/],
    [cpuCount, "0", /^input x: must be a number of CPUs/],
    [duration, "soon", /^input x: must be a duration such as 90s/],
  ])("%#: refuses %j", (kind, textValue, message) => {
    expect(() => kind.fromInput(textValue, input)).toThrow(message);
  });
});
