import { describe, expect, it } from "vitest";
import { parseCli, program, type CliOptions } from "../../src/cli/args.js";
import { ConfigError } from "../../src/errors.js";
import { CLI_ROWS, flagsOf, type OptionRow } from "../../src/options/index.js";
import { command, negatable, pairs } from "../../src/options/kinds.js";

/** The error parseCli throws for these arguments (after the repository). */
function refusal(args: string[]): ConfigError {
  try {
    parseCli([".", ...args]);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`parseCli accepted ${args.join(" ")}`);
}

describe("grader flags", () => {
  it("the CLI flags become GraderOptions and the run limits", () => {
    const cli = parseCli([".", "--grader", "modzy", "--grader-input", "in", "--grader-expected", "exp", "--memory", "512m", "--cpus", "0.5", "--shm-size", "0m", "--gpus", "all", "--timeout", "10m"]);
    expect(cli.options.grader).toEqual({ profile: "modzy", inputDir: "in", expectedDir: "exp", timeoutMs: 600_000, memory: "512m", cpus: "0.5", shmSize: "0m", gpus: "all" });
    expect(cli.options.runOptions).toEqual({ memory: "512m", cpus: "0.5", shmSize: "0m", gpus: "all" });
    expect(parseCli([".", "--memory", "1g"]).options.grader).toBeUndefined();
    expect(parseCli([".", "--grader", "synapse", "--timeout", "90"]).options.grader?.timeoutMs).toBe(90_000);
  });

  it.each([
    [["--grader", "kaggle"], "argument 'kaggle' is invalid"],
    [["--timeout", "10m"], "--timeout only applies with --grader"],
    [["--grader-input", "x"], "--grader-input only applies with --grader"],
    [["--grader", "synapse", "--timeout", "soon"], "expected a duration"],
    [["--memory", "lots"], "expected a size"],
    [["--cpus", "0"], "expected a number of CPUs"],
  ])("refuses %j", (args, message) => {
    expect(refusal(args).message).toContain(message);
  });
});

describe("rules between flags", () => {
  it.each([
    [["--push"], "--push", "--push needs --no-run"],
    [["--grader", "synapse", "--no-run"], "--grader", "cannot go with --no-run or --no-build"],
    [["--grader", "crowdai", "--no-build"], "--grader", "cannot go with --no-run or --no-build"],
    [["--grader-expected", "out"], "--grader-expected", "--grader-expected only applies with --grader"],
  ])("refuses %j, naming the flag", (args, flag, message) => {
    const err = refusal(args);
    expect(err.location?.file).toBe(flag);
    expect(err.message).toContain(message);
    expect(err.hint).toBeTruthy();
  });

  it("takes what the rules allow", () => {
    expect(parseCli([".", "--push", "--no-run"]).options).toMatchObject({ push: true, run: false });
    expect(parseCli([".", "--push", "--no-build"]).options).toMatchObject({ push: true, build: false });
    expect(parseCli([".", "--grader", "synapse", "--grader-input", "in"]).options.grader).toMatchObject({ profile: "synapse", inputDir: "in" });
  });
});

describe("the defaults of flags not given", () => {
  it("lists are empty, switches off, build and run on, output auto", () => {
    const cli = parseCli(["."]);
    expect(cli).toMatchObject({ repo: ".", json: false, debug: false, progress: "auto" });
    expect(cli.options).toEqual({
      build: true,
      run: true,
      push: false,
      labels: {},
      buildArgs: {},
      excludes: [],
      includes: [],
      pipExtraIndexUrls: [],
      cacheFrom: [],
      cacheTo: [],
      noCache: false,
      pull: false,
      env: [],
      volumes: [],
      publish: [],
      publishAll: false,
      editable: false,
      mountData: false,
      gpu: false,
      runOptions: {},
    });
  });

  it("reads the index and the docker client from the environment", () => {
    process.env.R2D_PIP_INDEX_URL = "http://127.0.0.1:1/simple";
    try {
      expect(parseCli(["."]).options.pipIndexUrl).toBe("http://127.0.0.1:1/simple");
      expect(parseCli([".", "--pip-index-url", "http://flag/simple"]).options.pipIndexUrl).toBe("http://flag/simple");
    } finally {
      delete process.env.R2D_PIP_INDEX_URL;
    }
  });

  it("--json-logs is repo2docker's spelling of --json, hidden from --help", () => {
    expect(parseCli([".", "--json-logs"]).json).toBe(true);
    expect(program().helpInformation()).not.toContain("--json-logs");
  });

  it("the words after the repository are the command", () => {
    expect(parseCli([".", "--", "python", "-c", "print(1)"]).options.command).toEqual(["python", "-c", "print(1)"]);
    expect(parseCli(["."]).options.command).toBeUndefined();
  });
});

/** A value each kind of flag takes, and what it becomes. */
function sample(row: OptionRow): { args: string[]; value: unknown } | undefined {
  const cli = row.cli;
  if (!cli || cli.flag.startsWith("<") || cli.flag.startsWith("[")) return undefined;
  const flag = cli.short ?? cli.flag;
  // --no-build makes build false; --no-cache makes noCache true.
  if (row.type.label === "switch") return { args: [flag], value: row.type !== negatable };
  const choice = row.type.choices?.at(-1);
  if (choice) return { args: [flag, choice], value: choice };
  if (row.type.label === "repeatable") return { args: [flag, "A=1", flag, "B=2"], value: row.type === pairs ? { A: "1", B: "2" } : ["A=1", "B=2"] };
  if (row.key === "timeout") return { args: [flag, "90s"], value: 90_000 };
  if (row.type === command) return { args: [flag, "python -u train.py"], value: ["python", "-u", "train.py"] };
  const shaped: Partial<Record<string, string>> = { userId: "1000", groupId: "1000", memory: "512m", shmSize: "64m", cpus: "0.5" };
  const text = shaped[row.key] ?? "some-value";
  return { args: [flag, text], value: text };
}

/** Where a flag's value lands in what parseCli returns. */
function landed(cli: CliOptions, row: OptionRow): unknown {
  const o = cli.options;
  const where: Record<string, unknown> = {
    memory: o.runOptions?.memory,
    cpus: o.runOptions?.cpus,
    shmSize: o.runOptions?.shmSize,
    gpus: o.runOptions?.gpus,
    grader: o.grader?.profile,
    graderInput: o.grader?.inputDir,
    graderExpected: o.grader?.expectedDir,
    timeout: o.grader?.timeoutMs,
    json: cli.json,
    debug: cli.debug,
    progress: cli.progress,
  };
  return row.key in where ? where[row.key] : (o as Record<string, unknown>)[row.key];
}

describe("every flag of the table", () => {
  const rows = CLI_ROWS.flatMap((row) => {
    const s = sample(row);
    return s && row.cli ? [[flagsOf(row.cli), row, s] as const] : [];
  });

  it("has a flag to try for each option row", () => expect(rows.length).toBeGreaterThan(40));

  it.each(rows)("%s fills its value", (_flags, row, { args, value }) => {
    // What the rules ask for alongside (a graded run, a build that is not run).
    const companions = row.rules?.some((r) => r.needs?.includes("grader")) ? ["--grader", "synapse"] : row.key === "push" ? ["--no-run"] : [];
    const cli = parseCli([".", ...companions, ...args]);
    expect(landed(cli, row)).toEqual(value);
  });
});
