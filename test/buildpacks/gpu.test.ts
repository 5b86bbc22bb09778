/**
 * --gpu, checked as Dockerfiles (no GPU and no registry here): each pack's CUDA base, what is
 * copied into it and when, the variables the NVIDIA runtime reads, and the refusals.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CUDA_BASE_IMAGE, CUDA_VERSION, GPU_ENV } from "../../src/buildpacks/gpu.js";
import { UnsupportedError } from "../../src/errors.js";
import { planRepo } from "../../src/index.js";
import { indexOf, instructions } from "./dockerfile-lines.js";

const FIXTURES = fileURLToPath(new URL("../../fixtures/", import.meta.url));
const INVOKING = { uid: 0, name: "root" };
const plan = (fixture: string, options: Record<string, unknown> = {}) => planRepo(path.join(FIXTURES, fixture, "repo"), { invoking: INVOKING, gpu: true, ...options });

describe("--gpu chooses a CUDA base by the base the pack would use", () => {
  it("the CUDA base is a pinned, versioned tag with cuDNN (never latest)", () => {
    expect(CUDA_BASE_IMAGE).toBe(`nvidia/cuda:${CUDA_VERSION}-cudnn-runtime-ubuntu22.04`);
    expect(CUDA_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([
    ["python-runtime", "3.11"],
    ["pipfile-lock", null],
  ])("%s: Python of the requested version from conda-forge, before the venv is made from it", async (fixture, version) => {
    const { plan: p, dockerfile } = await plan(fixture);
    const py = version ?? p.python!;
    const lines = instructions(dockerfile);
    expect(lines[0]).toBe(`FROM ${CUDA_BASE_IMAGE} AS r2d-base`);
    const copy = indexOf(lines, /^COPY --from=mambaorg\/micromamba:[\d.]+-bookworm-slim \["\/bin\/micromamba","\/usr\/local\/bin\/micromamba"\]$/);
    const root = indexOf(lines, /micromamba create --yes --prefix \/opt\/python/);
    const rootRun = lines[root]!;
    expect(rootRun).toMatch(new RegExp(` python=${py.replace(".", "\\.")}( |$)`));
    expect(rootRun).toContain(`ln -sf /opt/python/bin/python${py} /usr/local/bin/python${py}`);
    // The interpreter exists before the distribution fallback is asked, and before the venv.
    expect(rootRun.indexOf("micromamba create")).toBeLessThan(rootRun.indexOf("import venv, importlib.util"));
    const venv = indexOf(lines, /python3 -m venv (--without-pip )?\/srv\/venv/);
    expect(copy).toBeLessThan(root);
    expect(root).toBeLessThan(venv);
    expect(p.python).toBe(py);
    expect(p.gpu).toEqual({ cuda: CUDA_VERSION, copies: [{ image: expect.stringMatching(/^mambaorg\/micromamba:/), source: "/bin/micromamba", target: "/usr/local/bin/micromamba" }] });
    expect(p.env).toMatchObject(GPU_ENV);
    expect(p.env.CONDA_OVERRIDE_CUDA).toBeUndefined();
  });

  it.each(["conda-environment", "python2-runtime", "r-conda"])("%s: micromamba copied in before the check that needs it, and CUDA builds chosen by the solver", async (fixture) => {
    const { plan: p, dockerfile } = await plan(fixture);
    const lines = instructions(dockerfile);
    expect(lines[0]).toMatch(new RegExp(`^FROM ${CUDA_BASE_IMAGE.replace(/[./]/g, "\\$&")}( AS r2d-base)?$`));
    const copy = indexOf(lines, /^COPY --from=mambaorg\/micromamba:\S+ \["\/bin\/micromamba","\/usr\/local\/bin\/micromamba"\]$/);
    const check = indexOf(lines, /command -v micromamba/);
    expect(copy).toBeLessThan(check);
    expect(p.env).toMatchObject({ ...GPU_ENV, CONDA_OVERRIDE_CUDA: CUDA_VERSION.split(".").slice(0, 2).join(".") });
    expect(dockerfile).toMatch(/^ENV [\s\S]*NVIDIA_VISIBLE_DEVICES=all \\\n\s+NVIDIA_DRIVER_CAPABILITIES=compute,utility/m);
    expect(dockerfile).not.toContain("/opt/python");
  });

  it("julia: the CUDA image as is (Julia installs itself on any Debian or Ubuntu)", async () => {
    const { plan: p, dockerfile } = await plan("julia-project");
    expect(p.baseImage).toBe(CUDA_BASE_IMAGE);
    expect(p.gpu).toEqual({ cuda: CUDA_VERSION, copies: [] });
    expect(dockerfile).not.toMatch(/COPY --from=mambaorg/);
  });

  it("without --gpu nothing changes: no gpu entry, no CUDA, no NVIDIA variables", async () => {
    const { plan: p, dockerfile } = await plan("python-runtime", { gpu: false });
    expect(p.gpu).toBeUndefined();
    expect(p.baseImage).toBe("python:3.11-slim-bookworm");
    expect(dockerfile).not.toMatch(/NVIDIA|cuda|COPY --from=mambaorg/);
  });
});

describe("--gpu with a base r2d did not choose", () => {
  it("--base-image wins: kept as given, with the NVIDIA variables and a note", async () => {
    const { plan: p, dockerfile } = await plan("python-runtime", { baseImage: "registry.example.org/cuda-python:3.11" });
    expect(p.baseImage).toBe("registry.example.org/cuda-python:3.11");
    expect(p.gpu).toEqual({ cuda: null, copies: [] });
    expect(p.env).toMatchObject(GPU_ENV);
    expect(dockerfile).not.toMatch(/COPY --from=mambaorg/);
    expect(p.messages.map((m) => m.text)).toContain("--gpu with --base-image: registry.example.org/cuda-python:3.11 is used as given; it must carry CUDA (and micromamba for a conda environment)");
  });

  it("--base-image also lets packs without a CUDA variant build (R from rocker, Nix)", async () => {
    for (const fixture of ["r-synapse", "nix"]) {
      const { plan: p } = await plan(fixture, { baseImage: "rocker/cuda:4.4.1" });
      expect(p.baseImage).toBe("rocker/cuda:4.4.1");
    }
  });

  it("a repository's own Dockerfile keeps its FROM; --gpu only affects runs", async () => {
    const { plan: p, dockerfile } = await plan("dockerfile");
    expect(p.gpu).toEqual({ cuda: null, copies: [] });
    expect(dockerfile).not.toContain("nvidia/cuda");
    expect(p.messages.map((m) => m.text)).toContain("--gpu: the repository's Dockerfile chooses its own base image; r2d only runs the image with --gpus all");
  });
});

describe("--gpu refusals name the flag and the way out", () => {
  it.each([
    ["r-synapse", /^--gpu: r2d has no CUDA variant of rocker\/r-ver:[\d.]+ \(the base the r buildpack chose\)\n  hint: .*--base-image.*R from environment\.yml/],
    ["nix", /^--gpu: r2d has no CUDA variant of the nix buildpack's image\n  hint: give a CUDA-enabled base yourself with --base-image/],
  ])("%s", async (fixture, message) => {
    const err = await plan(fixture).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as Error).message).toMatch(message);
  });
});
