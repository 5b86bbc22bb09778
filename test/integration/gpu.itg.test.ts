/**
 * --gpu on the real engine, which has no GPU runtime: with --base-image (the CUDA images cannot be
 * pulled here) the image carries the NVIDIA variables, `--gpus none` runs it on the CPU, and the
 * default `--gpus all` reaches Docker, which refuses it for want of an NVIDIA runtime.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo } from "../../src/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { buildOptions, Scope } from "./helpers.js";

let infra: Infra;
const scope = new Scope(() => infra);
beforeAll(async () => {
  infra = await loadInfra();
});
afterAll(() => scope.dispose());

describe("--gpu with --base-image on an engine without GPUs", () => {
  it("builds with the NVIDIA variables; runs with --gpus none, and --gpus all is passed to Docker", async () => {
    const repo = await scope.repo({ "requirements.txt": `${infra.pyDep}\n` });
    const imageName = scope.image("gpu");
    const command = ["sh", "-c", 'echo "$NVIDIA_VISIBLE_DEVICES $NVIDIA_DRIVER_CAPABILITIES"'];
    const cpu = await buildRepo(repo, { ...buildOptions(infra, { run: true }), imageName, gpu: true, command, runOptions: { gpus: "none" } });
    expect(cpu.plan.gpu).toEqual({ cuda: null, copies: [] });
    expect(cpu.run?.exitCode).toBe(0);
    expect(cpu.run?.stdout.trim()).toBe("all compute,utility");

    // The same build (cached), run as --gpu runs by default.
    const gpu = await buildRepo(repo, { ...buildOptions(infra, { run: true }), imageName, gpu: true, command });
    expect(gpu.run?.exitCode).toBe(125);
    expect(gpu.run?.stderr).toMatch(/could not select device driver|nvidia/i);
  }, 600_000);
});
