import { use } from "../detect/found.js";
import { parsePipfile, parsePipfileLock } from "../detect/pipfile.js";
import { shellCommand } from "../shell.js";
import { configFile, RUNTIME_TXT } from "./files.js";
import { PIP_CONF } from "./secrets.js";
import { APT_CACHE, APT_LISTS_CACHE, cd, DEFAULT_PYTHON, dirOf, ensurePython, pip, PIP_CACHE, PIP_ENV, pipCache, pythonBaseImage, venv, venvCommands, VENV } from "./shared.js";
import type { Buildpack } from "./types.js";

export const PIPENV = "/srv/pipenv";

const PIPFILE = configFile({ key: "pipfile", names: ["Pipfile"], where: "config", parse: parsePipfile });
const PIPFILE_LOCK = configFile({ key: "pipfileLock", names: ["Pipfile.lock"], where: "config", parse: parsePipfileLock });
/** runtime.txt is read only to step aside for a non-Python runtime (repo2docker's rule). */
const FILES = [PIPFILE, PIPFILE_LOCK, RUNTIME_TXT] as const;

/** Pipfile / Pipfile.lock, installed by pipenv (kept in its own environment) into the user's venv. */
export const pipfile: Buildpack<"pipfile", typeof FILES> = {
  name: "pipfile",
  kind: "generated",
  gpu: true,
  files: FILES,
  ignores: {
    requirements: "the Pipfile is used, and it replaces requirements.txt",
    runtime: "the pipfile buildpack takes the Python version from the Pipfile",
  },
  caches: [PIP_CACHE, APT_CACHE, APT_LISTS_CACHE],
  envDirs: [VENV, PIPENV],
  builderStage: true,
  secrets: [PIP_CONF],
  detect(facts) {
    const runtime = facts.files.runtime?.data;
    if (runtime && runtime.name !== "python") return false;
    return Boolean(facts.files.pipfile || facts.files.pipfileLock);
  },
  contribute(ctx) {
    const { facts, repoDir } = ctx;
    const lock = facts.files.pipfileLock;
    const file = facts.files.pipfile;
    const lockData = lock ? use(lock) : null;
    const fileData = file ? use(file) : null;
    // repo2docker: the lock's python_version, then the Pipfile's; runtime.txt is not read here.
    const version = lockData?.python ?? fileData?.python ?? DEFAULT_PYTHON;
    const env = venv(ctx);
    const dir = dirOf(repoDir, (lock ?? file)!.path);
    const local = Boolean(lockData?.hasLocalReferences || fileData?.hasLocalReferences);
    const install = {
      title: lock ? `packages pinned in ${lock.path}` : `packages from ${file!.path} (no lock file: resolved now)`,
      user: "user" as const,
      commands: [
        ...(dir === repoDir ? [] : [cd(dir)]),
        `PIPENV_VERBOSITY=-1 PIPENV_NOSPIN=1 ${PIP_ENV} ${shellCommand([`${PIPENV}/bin/pipenv`, "install", "--dev", lock ? "--ignore-pipfile" : "--skip-lock"])}`,
      ],
      caches: [pipCache(ctx.user.uid)],
      secrets: [PIP_CONF.id],
    };
    const files = [file?.path, lock?.path].filter((f): f is string => Boolean(f));
    return {
      baseImage: pythonBaseImage(version, (lock ?? file)!.path),
      python: version,
      env: env.env,
      path: env.path,
      systemSteps: [ensurePython],
      environmentSteps: [
        ...env.steps,
        {
          title: `pipenv, in its own environment (${PIPENV}, the base image's pip linked in) so it stays out of yours`,
          user: "user",
          commands: [...venvCommands(PIPENV), pip(["pipenv"], `${PIPENV}/bin/pip`)],
          caches: [pipCache(ctx.user.uid)],
          secrets: [PIP_CONF.id],
        },
      ],
      dependencyFiles: local ? [] : files,
      preAssembleSteps: local ? [] : [install],
      assembleSteps: local ? [install] : [],
      used: [
        ...(file ? [{ key: "pipfile" as const, use: lock ? "read for the Python version" : "pipenv install --skip-lock" }] : []),
        ...(lock ? [{ key: "pipfileLock" as const, use: "pipenv install --ignore-pipfile" }] : []),
      ],
      messages: [{ level: "info", text: `Python ${version} (from ${lockData?.python ? lock!.path : fileData?.python ? file!.path : "the default"})` }],
    };
  },
};
