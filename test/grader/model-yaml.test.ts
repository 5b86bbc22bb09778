import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { dockerMemory, parseDuration, parseMemorySize, parseModelYaml } from "../../src/grader/model-yaml.js";

// The shape of Modzy's template model.yaml (specification 0.3), trimmed to what matters.
const TEMPLATE = `
specification: '0.3'
type: file
name: Basic Image Classification
inputs:
  image:
    acceptedMediaTypes:
    - image/jpeg
    maxSize: 1M
outputs:
  results.json:
    mediaType: application/json
resources:
  memory:
    size: 512M
  cpu:
    count: 1
  gpu:
    count: 0
timeout:
  status: 20s
  run: 1m30s
`;

describe("parseModelYaml", () => {
  it("reads resources, timeouts and the input and output file names", () => {
    expect(parseModelYaml(TEMPLATE)).toEqual({
      inputs: ["image"],
      outputs: ["results.json"],
      memory: "512m",
      memoryBytes: 512 * 1024 ** 2,
      cpus: "1",
      gpus: 0,
      statusTimeoutMs: 20_000,
      runTimeoutMs: 90_000,
    });
  });

  it("accepts fractional CPUs, Kubernetes-style memory units and bare-number timeouts", () => {
    const m = parseModelYaml("resources:\n  memory:\n    size: 1.5Gi\n  cpu:\n    count: 0.5\ntimeout:\n  status: 30\n");
    expect(m.memory).toBe("1536m");
    expect(m.cpus).toBe("0.5");
    expect(m.statusTimeoutMs).toBe(30_000);
    expect(m.runTimeoutMs).toBeUndefined();
  });

  it("an empty file or one without resources gives no limits", () => {
    expect(parseModelYaml("")).toEqual({ inputs: [], outputs: [] });
    expect(parseModelYaml("name: x\n")).toEqual({ inputs: [], outputs: [] });
  });

  it.each([
    ["resources:\n  memory:\n    size: lots\n", 'resources.memory.size must be like 512M, got "lots"'],
    ["resources:\n  cpu:\n    count: -1\n", "resources.cpu.count must be like 1, got -1"],
    ["resources:\n  gpu:\n    count: 0.5\n", "resources.gpu.count must be like 0, got 0.5"],
    ["timeout:\n  run: soon\n", 'timeout.run must be like 20s, got "soon"'],
    ["- a\n- b\n", "model.yaml must be a mapping"],
    ["a: [\n", "model.yaml is not valid YAML"],
  ])("refuses %j with a ConfigError naming the field", (text, message) => {
    let err: unknown;
    try {
      parseModelYaml(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(`model.yaml: ${message}`);
  });
});

describe("sizes and durations", () => {
  it.each([
    ["512M", 512 * 1024 ** 2],
    ["512Mi", 512 * 1024 ** 2],
    ["512mb", 512 * 1024 ** 2],
    ["2g", 2 * 1024 ** 3],
    ["100k", 102_400],
    ["4096", 4096],
  ])("parseMemorySize(%j) = %d", (text, bytes) => {
    expect(parseMemorySize(text)).toBe(bytes);
  });

  it("parseMemorySize refuses what is not a size", () => {
    expect(parseMemorySize("big")).toBeUndefined();
    expect(parseMemorySize("12x")).toBeUndefined();
  });

  it("dockerMemory writes the largest whole unit", () => {
    expect(dockerMemory(512 * 1024 ** 2)).toBe("512m");
    expect(dockerMemory(2 * 1024 ** 3)).toBe("2g");
    expect(dockerMemory(1536 * 1024)).toBe("1536k");
    expect(dockerMemory(1000)).toBe("1000b");
  });

  it.each([
    ["20s", 20_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["2h", 7_200_000],
    ["90", 90_000],
    ["1.5s", 1500],
  ])("parseDuration(%j) = %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it("parseDuration refuses trailing junk and unknown units", () => {
    expect(parseDuration("10s later")).toBeUndefined();
    expect(parseDuration("3d")).toBeUndefined();
    expect(parseDuration("")).toBeUndefined();
  });
});
