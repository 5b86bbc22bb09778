/** Flags checked before any work: values, combinations, and what the engine can do. */
import { afterAll, describe, expect, it } from "vitest";
import { parseCli } from "../../src/cli/args.js";
import { ConfigError } from "../../src/errors.js";
import { buildRepo } from "../../src/build-repo.js";
import { checkPublish } from "../../src/prepare/index.js";
import { TempFiles } from "../helpers/repo.js";

const temp = new TempFiles();
afterAll(() => temp.cleanup());

const refusal = (args: string[]): string => {
  try {
    parseCli([".", ...args]);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${args.join(" ")}`);
};

describe("flags checked before work", () => {
  it("--build-network takes default, host or none", () => {
    expect(parseCli([".", "--build-network", "host"]).options.buildNetwork).toBe("host");
    expect(refusal(["--build-network", "bridge"])).toMatch(/--build-network <mode>' argument 'bridge' is invalid\. Allowed choices are default, host, none/);
  });

  it("--editable with --ref is refused: the mounted tree is not the ref's", () => {
    expect(refusal(["--editable", "--ref", "v1"])).toMatch(/^--editable: --editable mounts your working tree, which --ref does not build/);
  });

  it("-p/-P on a daemon without a bridge network is an error naming the flag and the fix", () => {
    const noBridge = { bridgeNetwork: false };
    expect(() => checkPublish({ publish: ["8888:8888"] }, noBridge)).toThrow(/^--publish: the Docker daemon has no bridge network .*\n  hint: start dockerd with its default bridge network/);
    expect(() => checkPublish({ publishAll: true }, noBridge)).toThrow(/^--publish-all: /);
    // Nothing is published without a run, and graders run their own way; with a bridge, fine.
    expect(() => checkPublish({ publish: ["1"], run: false }, noBridge)).not.toThrow();
    expect(() => checkPublish({ publish: ["1"], grader: { profile: "synapse" } }, noBridge)).not.toThrow();
    expect(() => checkPublish({ publish: ["1"] }, { bridgeNetwork: true })).not.toThrow();
  });
});

describe("--default-command", () => {
  it("takes words or a JSON array, and refuses shell syntax nothing would read", () => {
    expect(parseCli([".", "--default-command", "python -u src/train.py"]).options.defaultCommand).toEqual(["python", "-u", "src/train.py"]);
    expect(parseCli([".", "--default-command", '["sh", "-c", "echo $HOME"]']).options.defaultCommand).toEqual(["sh", "-c", "echo $HOME"]);
    expect(refusal(["--default-command", "python train.py > log"])).toMatch(/shell syntax .* JSON array/);
    expect(refusal(["--default-command", "[1, 2]"])).toMatch(/JSON array of non-empty strings/);
  });

  it("becomes the image's CMD, in place of run.sh; a repository's own Dockerfile keeps its CMD", async () => {
    const repo = await temp.repo({ "requirements.txt": "numpy\n", "run.sh": "#!/bin/sh\n", "src/train.py": "print(1)\n" });
    const r = await buildRepo(repo, { build: false, defaultCommand: ["python", "-u", "src/train.py"] });
    expect(r.plan.command).toEqual(["python", "-u", "src/train.py"]);
    expect(r.dockerfile).toContain('CMD ["python","-u","src/train.py"]');
    expect(r.plan.messages.map((m) => m.text)).toContain("the image's default command is python -u src/train.py (instead of run.sh)");
    const own = await temp.repo({ Dockerfile: "FROM python:3.12\nCMD [\"python\"]\n" });
    await expect(buildRepo(own, { build: false, defaultCommand: ["x"] })).rejects.toThrow(/^--default-command: a repository's own Dockerfile sets its default command/);
  });
});
