/**
 * Does a lock file's wheel fit the image (issue 13)? From the wheel's file name (PEP 427 tags)
 * alone: the Python tag, the ABI tag and the platform tag for glibc Linux on the target machine.
 * Only "yes" matters (no compiler needed), so anything unclear is "no".
 */

/** --platform → the machine in wheel platform tags; no --platform: this machine's. */
const MACHINES: Record<string, string> = { "linux/amd64": "x86_64", "linux/arm64": "aarch64", "linux/arm64/v8": "aarch64", "linux/ppc64le": "ppc64le", "linux/s390x": "s390x" };
const NODE_ARCH: Record<string, string> = { x64: "x86_64", arm64: "aarch64", ppc64: "ppc64le", s390x: "s390x" };

export function wheelMachine(platform: string | undefined): string | null {
  return platform ? (MACHINES[platform] ?? null) : (NODE_ARCH[process.arch] ?? null);
}

function pythonFits(tag: string, abi: string, cp: string, minor: number): boolean {
  if (/^py3\d*$/.test(tag)) return tag === "py3" || tag === `py${cp}`;
  const m = /^cp3(\d+)$/.exec(tag);
  if (!m) return false;
  // abi3 wheels work on every later CPython 3; the others only on their own version.
  return abi === "abi3" ? Number(m[1]) <= minor : tag === `cp${cp}`;
}

/** `name-version(-build)?-python-abi-platform.whl`, each tag possibly compressed (`py2.py3`). */
export function wheelFits(file: string, python: string, machine: string | null): boolean {
  const parts = file.replace(/\.whl$/, "").split("-");
  if (parts.length < 5) return false;
  const [pys, abis, plats] = parts.slice(-3).map((p) => p.split(".")) as [string[], string[], string[]];
  const [major, minorText] = python.split(".");
  const minor = Number(minorText);
  if (major !== "3" || !Number.isInteger(minor)) return false;
  const cp = `3${minor}`;
  const abiOk = (abi: string) => abi === "none" || abi === "abi3" || abi === `cp${cp}` || (minor < 8 && abi === `cp${cp}m`);
  const pyOk = pys.some((py) => abis.some((abi) => abiOk(abi) && pythonFits(py, abi, cp, minor)));
  const platOk = plats.some((p) => p === "any" || (machine !== null && (p === `linux_${machine}` || new RegExp(`^manylinux(?:1|2010|2014|_\\d+_\\d+)_${machine}$`).test(p))));
  return pyOk && platOk;
}
