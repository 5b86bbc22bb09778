/**
 * --gpu: the same image on a CUDA base. A pack that declares `gpu: true` keeps its steps; only its
 * base changes, chosen by the base it would use without --gpu:
 *
 * - micromamba's image (conda, Python 2.7, R in a conda environment) → the CUDA image with
 *   micromamba copied in, and CONDA_OVERRIDE_CUDA so the solver picks CUDA builds although the
 *   build machine has no GPU;
 * - an official Python image → the CUDA image with the requested Python from conda-forge in
 *   /opt/python (the CUDA images have no Python, and Ubuntu's has one version only), linked as
 *   python3 in /usr/local/bin as the official images have it; the pack's venv is made from it;
 * - a plain Debian image (Julia) → the CUDA image as is.
 *
 * Any other base (rocker's R images) has no CUDA variant here: refused, naming --base-image.
 */
import { UnsupportedError } from "../errors.js";
import type { PlanGpu, PlanMessage, Step } from "../plan/types.js";
import { shellCommand } from "../shell.js";
import { CONDA_BASE_IMAGE } from "./conda.js";
import { JULIA_BASE_IMAGE } from "./julia.js";
import { APT_CACHE, APT_LISTS_CACHE, aptCaches, pythonBaseImage } from "./shared.js";
import type { Buildpack, CacheSpec, Contribution } from "./types.js";

/** NVIDIA's CUDA runtime with cuDNN on Ubuntu 22.04, pinned: what PyTorch's and TensorFlow's CUDA 12 wheels run on. */
export const CUDA_VERSION = "12.4.1";
export const CUDA_BASE_IMAGE = `nvidia/cuda:${CUDA_VERSION}-cudnn-runtime-ubuntu22.04`;
/** The prefix of the Python that r2d installs on the CUDA base. */
export const GPU_PYTHON = "/opt/python";
const MICROMAMBA = "/usr/local/bin/micromamba";

/**
 * What the NVIDIA runtime reads to expose GPUs: set in every --gpu image (the CUDA images set them
 * too), so `--runtime nvidia` (Synapse's and crowdAI's way) works as well as `--gpus all`.
 */
export const GPU_ENV: Record<string, string> = { NVIDIA_VISIBLE_DEVICES: "all", NVIDIA_DRIVER_CAPABILITIES: "compute,utility" };

/** micromamba is one static binary: copied from the same pinned image the conda pack builds on. */
const MICROMAMBA_COPY = { image: CONDA_BASE_IMAGE, source: "/bin/micromamba", target: MICROMAMBA };

/** micromamba's package cache for root's Python install (the conda packs' caches are the user's). */
const ROOT_PKGS_CACHE: CacheSpec = {
  name: "conda-pkgs-root",
  target: "/tmp/r2d-cache/micromamba/pkgs",
  perUser: false,
  mount: () => ({ id: "r2d-conda-pkgs-root", target: "/tmp/r2d-cache/micromamba/pkgs", sharing: "locked" }),
};

/** The caches --gpu's own steps mount, besides the pack's. */
export const GPU_CACHES: readonly CacheSpec[] = [ROOT_PKGS_CACHE, APT_CACHE, APT_LISTS_CACHE];

/** micromamba reaches conda-forge over HTTPS: the CUDA images keep ca-certificates, a base given some other way may not. */
const CA_CERTIFICATES: Step = {
  title: "CA certificates for micromamba's downloads (installed only when the base image lacks them)",
  user: "root",
  commands: ["if [ ! -e /etc/ssl/certs/ca-certificates.crt ]; then apt-get update -q && apt-get install -y -q --no-install-recommends ca-certificates; fi"],
  caches: aptCaches(),
};

/** Python X.Y from conda-forge into /opt/python (root's, read-only to the user), as python3 on PATH. */
export function gpuPythonStep(version: string): Step {
  const bin = `${GPU_PYTHON}/bin`;
  return {
    title: `Python ${version} from conda-forge in ${GPU_PYTHON} (micromamba), linked as python3 in /usr/local/bin`,
    user: "root",
    commands: [
      `MAMBA_ROOT_PREFIX=/tmp/r2d-cache/micromamba ${shellCommand([MICROMAMBA, "create", "--yes", "--prefix", GPU_PYTHON, "--channel", "conda-forge", "--override-channels", `python=${version}`])}`,
      ...["python3", `python${version}`, "python"].map((name) => shellCommand(["ln", "-sf", `${bin}/${name}`, `/usr/local/bin/${name}`])),
    ],
    caches: [ROOT_PKGS_CACHE.mount(0)],
  };
}

export interface GpuVariant {
  contribution: Contribution;
  gpu: PlanGpu;
  messages: PlanMessage[];
}

type Route = "micromamba" | "python" | "distribution";

/** Which CUDA base fits the base the pack chose, or null when r2d has none. */
function routeOf(c: Contribution): Route | null {
  if (c.baseImage === CONDA_BASE_IMAGE) return "micromamba";
  if (c.python && /^3\.\d+$/.test(c.python) && c.baseImage === pythonBaseImage(c.python)) return "python";
  if (c.baseImage === JULIA_BASE_IMAGE) return "distribution";
  return null;
}

function refuse(pack: Buildpack, c: Contribution): never {
  const what = pack.gpu ? `${c.baseImage} (the base the ${pack.name} buildpack chose)` : `the ${pack.name} buildpack's image`;
  throw new UnsupportedError(`r2d has no CUDA variant of ${what}`, {
    location: { file: "--gpu" },
    hint: `give a CUDA-enabled base yourself with --base-image (it wins over --gpu), or drop --gpu${pack.name === "r" ? "; R from environment.yml (r-base) builds on r2d's CUDA base" : ""}`,
  });
}

/**
 * The pack's contribution on a CUDA base. With --base-image the user's base wins: the contribution
 * is kept and only the NVIDIA variables are added. A repository's own Dockerfile chooses its base.
 */
export function gpuVariant(pack: Buildpack, c: Contribution, baseImage: string | undefined): GpuVariant {
  if (pack.kind === "own-dockerfile") {
    return { contribution: c, gpu: { cuda: null, copies: [] }, messages: [{ level: "info", text: "--gpu: the repository's Dockerfile chooses its own base image; r2d only runs the image with --gpus all" }] };
  }
  if (baseImage) {
    const text = `--gpu with --base-image: ${baseImage} is used as given; it must carry CUDA (and micromamba for a conda environment)`;
    return { contribution: { ...c, env: { ...c.env, ...GPU_ENV } }, gpu: { cuda: null, copies: [] }, messages: [{ level: "info", text }] };
  }
  const route = pack.gpu ? routeOf(c) : null;
  if (!route) refuse(pack, c);
  const line = CUDA_VERSION.split(".").slice(0, 2).join(".");
  const env = { ...c.env, ...GPU_ENV, ...(route === "micromamba" ? { CONDA_OVERRIDE_CUDA: line } : {}) };
  const systemSteps = [
    ...(route === "distribution" ? [] : [CA_CERTIFICATES]),
    ...(route === "python" ? [gpuPythonStep(c.python!)] : []),
    ...(c.systemSteps ?? []),
  ];
  const how = { micromamba: "micromamba copied in", python: `Python ${c.python ?? ""} from conda-forge in ${GPU_PYTHON}`, distribution: "as is" }[route];
  return {
    contribution: { ...c, baseImage: CUDA_BASE_IMAGE, env, systemSteps },
    gpu: { cuda: CUDA_VERSION, copies: route === "distribution" ? [] : [MICROMAMBA_COPY] },
    messages: [{ level: "info", text: `--gpu: CUDA ${CUDA_VERSION} with cuDNN (${CUDA_BASE_IMAGE}) instead of ${c.baseImage}, ${how}; runs get --gpus all` }],
  };
}
