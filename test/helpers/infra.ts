/**
 * The integration tests' view of the test infrastructure made by test/infra/setup.sh: a running
 * Docker engine, local base images, a pip index and a CRAN-like repository on 127.0.0.1.
 *
 * `loadInfra()` reads `.r2d-infra/env` and checks that every piece answers. It throws (never
 * skips) when something is missing, so a machine without the engine fails the integration suite
 * loudly instead of passing it empty.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface Infra {
  /** The BuildKit-capable docker client (Debian's 20.10 one), for direct `docker` calls in tests. */
  docker: string;
  infraDir: string;
  baseDebian: string;
  basePython: string;
  baseR: string;
  /** PEP 503 index, e.g. http://127.0.0.1:38123/simple */
  pipIndex: string;
  /** CRAN-like repository root, e.g. http://127.0.0.1:38124 */
  cran: string;
  pyPkg: string;
  pyPkgVersion: string;
  pyPkgModule: string;
  pyDep: string;
  pyDepVersion: string;
  pyDepOldVersion: string;
  pyDepModule: string;
  rPkg: string;
  rPkgVersion: string;
  rPkgOldVersion: string;
  rPkgWithDep: string;
  rPkgWithDepVersion: string;
  /** Versions inside the base images. */
  pythonVersion: string;
  rVersion: string;
  /** Every KEY=VALUE of the env file. */
  raw: Record<string, string>;
}

const SETUP_HINT = "run `bash test/infra/setup.sh` (it starts dockerd, makes the base images and starts the index servers)";

export function infraEnvFile(): string {
  return path.join(process.env.R2D_INFRA_DIR ?? path.join(REPO_ROOT, ".r2d-infra"), "env");
}

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

async function answers(url: string, expect: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return res.ok && (await res.text()).includes(expect);
  } catch {
    return false;
  }
}

async function check(raw: Record<string, string>): Promise<Infra> {
  const get = (key: string): string => {
    const v = raw[key];
    if (!v) throw new Error(`${infraEnvFile()} has no ${key}: ${SETUP_HINT}`);
    return v;
  };
  const infra: Infra = {
    docker: get("R2D_TEST_DOCKER"),
    infraDir: get("R2D_TEST_INFRA_DIR"),
    baseDebian: get("R2D_TEST_BASE_DEBIAN"),
    basePython: get("R2D_TEST_BASE_PYTHON"),
    baseR: get("R2D_TEST_BASE_R"),
    pipIndex: get("R2D_TEST_PIP_INDEX"),
    cran: get("R2D_TEST_CRAN"),
    pyPkg: get("R2D_TEST_PY_PKG"),
    pyPkgVersion: get("R2D_TEST_PY_PKG_VERSION"),
    pyPkgModule: get("R2D_TEST_PY_PKG_MODULE"),
    pyDep: get("R2D_TEST_PY_DEP"),
    pyDepVersion: get("R2D_TEST_PY_DEP_VERSION"),
    pyDepOldVersion: get("R2D_TEST_PY_DEP_OLD_VERSION"),
    pyDepModule: get("R2D_TEST_PY_DEP_MODULE"),
    rPkg: get("R2D_TEST_R_PKG"),
    rPkgVersion: get("R2D_TEST_R_PKG_VERSION"),
    rPkgOldVersion: get("R2D_TEST_R_PKG_OLD_VERSION"),
    rPkgWithDep: get("R2D_TEST_R_PKG_WITH_DEP"),
    rPkgWithDepVersion: get("R2D_TEST_R_PKG_WITH_DEP_VERSION"),
    pythonVersion: get("R2D_TEST_PYTHON_VERSION"),
    rVersion: get("R2D_TEST_R_VERSION"),
    raw,
  };

  const info = await execa(infra.docker, ["info", "--format", "{{.ServerVersion}}"], { reject: false, timeout: 20_000 });
  if (info.exitCode !== 0) {
    throw new Error(`the Docker engine does not answer (${infra.docker} info: ${String(info.stderr || info.shortMessage).trim()}): ${SETUP_HINT}`);
  }
  for (const [name, idKey] of [
    [infra.baseDebian, "R2D_TEST_BASE_DEBIAN_ID"],
    [infra.basePython, "R2D_TEST_BASE_PYTHON_ID"],
    [infra.baseR, "R2D_TEST_BASE_R_ID"],
  ] as const) {
    const r = await execa(infra.docker, ["image", "inspect", "-f", "{{.Id}}", name], { reject: false });
    if (r.exitCode !== 0) throw new Error(`the base image ${name} is missing: ${SETUP_HINT}`);
    if (raw[idKey] && String(r.stdout).trim() !== raw[idKey]) {
      throw new Error(`the base image ${name} changed since ${infraEnvFile()} was written: ${SETUP_HINT}`);
    }
  }
  if (!(await answers(`${infra.pipIndex}/${infra.pyPkg}/`, infra.pyPkgModule))) {
    throw new Error(`the pip index ${infra.pipIndex} does not serve ${infra.pyPkg} (the server stops after a few hours): ${SETUP_HINT}`);
  }
  if (!(await answers(`${infra.cran}/src/contrib/PACKAGES`, `Package: ${infra.rPkg}`))) {
    throw new Error(`the CRAN-like repository ${infra.cran} does not serve ${infra.rPkg}: ${SETUP_HINT}`);
  }
  return infra;
}

let loaded: Promise<Infra> | undefined;

/** Reads and checks the test infrastructure once per test file; throws with a fix when it is not there. */
export function loadInfra(): Promise<Infra> {
  loaded ??= (async () => {
    let text: string;
    try {
      text = readFileSync(infraEnvFile(), "utf8");
    } catch {
      throw new Error(`no test infrastructure: ${infraEnvFile()} is missing: ${SETUP_HINT}`);
    }
    return check(parseEnv(text));
  })();
  return loaded;
}
