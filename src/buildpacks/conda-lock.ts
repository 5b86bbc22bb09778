import { use } from "../detect/found.js";
import { condaLockSelection, explicitList, parseCondaLock, pipPins, type CondaLockPackage } from "../detect/conda-lock.js";
import { requirementList } from "../detect/lock-common.js";
import { defaultPlatform } from "../detect/markers.js";
import { ConfigError } from "../errors.js";
import { HELPER_DIR } from "../plan/layout.js";
import { CONDA_BASE_IMAGE, CONDA_DIR, CONDA_ENV, CONDA_PKGS_CACHE, CONDA_SUBDIRS, condaEnvVars, condaSystem, micromambaCreate } from "./conda.js";
import { configFile } from "./files.js";
import { PIP_CONF } from "./secrets.js";
import { PIP_CACHE, pipStep } from "./shared.js";
import type { Step } from "../plan/types.js";
import type { Buildpack, DevExtras, PackContext } from "./types.js";

const CONDA_LOCK = configFile({ key: "condaLock", names: ["conda-lock.yml"], where: "config", parse: parseCondaLock });
const FILES = [CONDA_LOCK] as const;
/** The generated lists' names in the context and in the image's helper folder. */
export const CONDA_LOCK_EXPLICIT = "conda-lock-explicit.txt";
export const CONDA_LOCK_PIP = "conda-lock-pip-requirements.txt";
const DEV_EXPLICIT = "conda-lock-dev-explicit.txt";
const DEV_PIP = "conda-lock-dev-pip-requirements.txt";

/** The `dev` category (not the other extras) for the dev image: its conda packages installed without a solve, then its pip ones. */
function condaLockDev(ctx: PackContext, found: { path: string }, other: readonly CondaLockPackage[], subdir: string): DevExtras | undefined {
  const dev = other.filter((p) => p.category === "dev");
  if (!dev.length) return undefined;
  const conda = dev.filter((p) => p.manager === "conda");
  const pip = dev.filter((p) => p.manager === "pip");
  const steps: Step[] = [];
  const files: DevExtras["files"] = [];
  if (conda.length) {
    steps.push(micromambaCreate(ctx, `${conda.length} dev conda packages of ${found.path} (dev image, no solve)`, ["--prefix", CONDA_ENV, "--file", `${HELPER_DIR}/${DEV_EXPLICIT}`], "install"));
    files.push({ name: DEV_EXPLICIT, content: explicitList(conda, subdir, `${found.path} (dev)`) });
  }
  if (pip.length) {
    steps.push(pipStep(ctx, `${pip.length} dev pip packages pinned in ${found.path} (hashes checked; dev image)`, ["--no-deps", "--require-hashes", "-r", `${HELPER_DIR}/${DEV_PIP}`], `${CONDA_ENV}/bin/pip`));
    files.push({ name: DEV_PIP, content: requirementList(pipPins(pip), `${found.path} (dev)`) });
  }
  return { steps, files, used: [{ key: "condaLock", use: `its ${dev.length} ${subdir} packages of the dev category` }] };
}

/**
 * conda-lock.yml: its target platform's main packages, the conda ones as an explicit list micromamba
 * creates the environment from (no solve), then the pip ones with pip --no-deps --require-hashes.
 */
export const condaLock: Buildpack<"conda-lock", typeof FILES> = {
  name: "conda-lock",
  kind: "generated",
  gpu: true,
  files: FILES,
  ignores: { environment: "conda-lock.yml is used: it pins every package, environment.yml does not", requirements: "conda-lock.yml is used" },
  caches: [CONDA_PKGS_CACHE, PIP_CACHE],
  secrets: [PIP_CONF],
  envDirs: [CONDA_DIR],
  detect: (facts) => Boolean(facts.files.condaLock),
  contribute(ctx) {
    const found = ctx.facts.files.condaLock!;
    const lock = use(found);
    const platform = ctx.platform ?? defaultPlatform();
    const subdir = CONDA_SUBDIRS[platform];
    if (!subdir) throw new ConfigError(`is a conda lock, and r2d builds conda images for linux/amd64 and linux/arm64, not ${platform}`, { location: { file: found.path }, hint: "build with --platform linux/amd64 or linux/arm64" });
    const { conda, pip, other } = condaLockSelection(lock, subdir, found.path);
    const python = /^(\d+\.\d+)/.exec(conda.find((p) => p.name === "python")?.version ?? "")?.[1] ?? null;
    if (pip.length && !conda.some((p) => p.name === "pip")) {
      throw new ConfigError(`lists pip packages (${pip[0]!.name}, …) for ${subdir} but no conda package pip to install them with`, { location: { file: found.path, line: pip[0]!.line }, hint: "add pip to the environment's dependencies and lock again" });
    }
    const system = condaSystem(`the conda lock (${found.path})`);
    const create = micromambaCreate(ctx, `conda environment from ${found.path} (${conda.length} ${subdir} packages, no solve)`, ["--prefix", CONDA_ENV, "--file", `${HELPER_DIR}/${CONDA_LOCK_EXPLICIT}`]);
    const install = pipStep(ctx, `${pip.length} pip packages pinned in ${found.path} (hashes checked)`, ["--no-deps", "--require-hashes", "-r", `${HELPER_DIR}/${CONDA_LOCK_PIP}`], `${CONDA_ENV}/bin/pip`);
    return {
      baseImage: CONDA_BASE_IMAGE,
      python,
      env: condaEnvVars(),
      path: [`${CONDA_ENV}/bin`],
      systemSteps: system.steps,
      helperFiles: system.helperFiles,
      pinnedFiles: [
        { name: CONDA_LOCK_EXPLICIT, content: explicitList(conda, subdir, found.path) },
        ...(pip.length ? [{ name: CONDA_LOCK_PIP, content: requirementList(pipPins(pip), found.path) }] : []),
      ],
      preAssembleSteps: [create, ...(pip.length ? [install] : [])],
      used: [{ key: "condaLock", use: `micromamba create --file of its ${conda.length} conda packages${pip.length ? `, pip install --no-deps --require-hashes of its ${pip.length} pip packages` : ""} for ${subdir}${python ? ` (Python ${python})` : ""}` }],
      messages: other.some((p) => p.category !== "dev") ? [{ level: "info", text: `${found.path}: ${other.filter((p) => p.category !== "dev").length} ${subdir} packages of other categories than main and dev are not installed` }] : [],
      dev: condaLockDev(ctx, found, other, subdir),
    };
  },
};
