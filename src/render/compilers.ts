/**
 * The builder's compiler decision made during the build (issue 13): pip's dry run of the install
 * that follows, as the image user with the same index secret and download cache, and build-essential
 * only when some package to install is not a wheel (an sdist, a local folder, a VCS or URL
 * requirement), or when the dry run cannot tell (pip < 22.2 has no --report: compilers, to be safe).
 */
import { aptCaches, PIP_ENV, pipCache } from "../buildpacks/shared.js";
import { PIP_CONF } from "../buildpacks/secrets.js";
import type { BuildPlan, Compilers, Step } from "../plan/types.js";
import { shellCommand, shellQuote } from "../shell.js";

/**
 * Reads pip's JSON report on stdin; exits 0 only when every package to install is a wheel, printing
 * what it found either way. One line: a newline would end the Dockerfile instruction.
 */
export const WHEELS_ONLY_CHECK =
  'import json, sys; items = json.load(sys.stdin)["install"]; info = [i["download_info"] for i in items]; odd = [i["metadata"]["name"] for i, d in zip(items, info) if "dir_info" in d or "vcs_info" in d or not d["url"].split("#")[0].split("?")[0].endswith(".whl")]; print("r2d: not wheels, so build-essential: " + ", ".join(odd) if odd else "r2d: %d packages, all wheels: no C compiler needed" % len(items)); sys.exit(1 if odd else 0)';

/** The root step between the dependency files' copy and the install; null unless pip decides. */
export function compilerCheckStep(plan: BuildPlan, compilers: Compilers): Step | null {
  if (compilers.when !== "if-not-wheels") return null;
  const { uid, gid } = plan.user;
  const dryRun = `setpriv --reuid=${uid} --regid=${gid} --clear-groups env HOME=${shellQuote(plan.home)} ${PIP_ENV} ${shellCommand([compilers.python, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--dry-run", "--ignore-installed", "--report", "-", ...compilers.pipArgs])}`;
  // The report goes through a pipe, never a file: nothing of it lands in a layer.
  const check = `${shellCommand([compilers.python, "-I", "-c", WHEELS_ONLY_CHECK])}`;
  const compile = "{ echo 'r2d: installing build-essential'; apt-get update -q && apt-get install -y -q --no-install-recommends build-essential; }";
  return {
    title: `build-essential if a package pip installs is not a wheel (pip's dry run of ${compilers.pipArgs.join(" ")}; where the base image has no C compiler)`,
    user: "root",
    mountsForUser: true,
    caches: [...aptCaches(), pipCache(uid)],
    secrets: [PIP_CONF.id],
    commands: ["rm -f /etc/apt/apt.conf.d/docker-clean", `if command -v cc >/dev/null; then echo 'r2d: the base image has a C compiler'; elif ${dryRun} | ${check}; then :; else ${compile}; fi`],
  };
}
