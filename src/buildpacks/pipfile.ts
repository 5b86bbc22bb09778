import { use } from "../detect/index.js";
import { shellCommand } from "../shell.js";
import { cd, DEFAULT_PYTHON, dirOf, ensurePython, pip, PIP_ENV, pipCache, PIP_SECRET, pythonBaseImage, venv } from "./shared.js";
import type { Buildpack } from "./types.js";

export const PIPENV = "/srv/pipenv";

export const pipfile: Buildpack = {
  name: "pipfile",
  template: "base.ejs",
  honours: ["pipfile", "pipfileLock", "apt", "postBuild", "start", "runSh"],
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
      secrets: [PIP_SECRET],
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
          title: `pipenv, in its own environment (${PIPENV}) so it stays out of yours`,
          user: "user",
          commands: [shellCommand(["python3", "-m", "venv", PIPENV]), pip(["pipenv"], `${PIPENV}/bin/pip`)],
          caches: [pipCache(ctx.user.uid)],
          secrets: [PIP_SECRET],
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
