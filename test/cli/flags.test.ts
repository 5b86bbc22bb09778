/** Flags checked before any work: values, combinations, and what the engine can do. */
import { describe, expect, it } from "vitest";
import { parseCli } from "../../src/cli/args.js";
import { ConfigError } from "../../src/errors.js";
import { checkPublish } from "../../src/prepare/index.js";

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
