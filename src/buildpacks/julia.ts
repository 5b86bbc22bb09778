import { use, type Found } from "../detect/found.js";
import { describeRanges, inRanges, toTriple, type VersionRange } from "../detect/julia-compat.js";
import { parseJuliaManifest, parseJuliaProject, type JuliaProject } from "../detect/julia-project.js";
import { ConfigError, quoteForMessage, UnsupportedError } from "../errors.js";
import type { PlanMessage, Step } from "../plan/types.js";
import { shellCommand, shellQuote } from "../shell.js";
import { CONDA_DIR, CONDA_PKGS_CACHE } from "./conda.js";
import { configFile, ENVIRONMENT_YML, PYTHON_FILES } from "./files.js";
import { pythonAlongside } from "./julia-python.js";
import { JULIA_RELEASES, type JuliaRelease } from "./julia-releases.js";
import { PIP_CONF } from "./secrets.js";
import { APT_CACHE, APT_LISTS_CACHE, aptCaches, dirOf, PIP_CACHE, VENV } from "./shared.js";
import type { Buildpack, CacheSpec, Contribution, PackContext } from "./types.js";

// JuliaProject.toml wins over Project.toml, and JuliaManifest.toml over Manifest.toml: Julia's own order.
const JULIA_PROJECT = configFile({ key: "juliaProject", names: ["JuliaProject.toml", "Project.toml"], where: "config", parse: parseJuliaProject });
const JULIA_REQUIRE = configFile({ key: "juliaRequire", names: ["REQUIRE"], where: "config", parse: null });
const JULIA_MANIFEST = configFile({ key: "juliaManifest", names: ["JuliaManifest.toml", "Manifest.toml"], where: "config", parse: parseJuliaManifest });
const FILES = [JULIA_PROJECT, JULIA_REQUIRE, JULIA_MANIFEST] as const;

/** Julia itself (root-owned), and the depot where Pkg puts registries, packages and compiled caches (the user's). */
export const JULIA_DIR = "/opt/julia";
export const JULIA_DEPOT = "/srv/julia";
/** repo2docker's spec when Project.toml has no `[compat] julia`: `1.6`, that is 1.6 or newer, below 2. */
export const DEFAULT_JULIA_COMPAT = "1.6";
const DEFAULT_RANGES: VersionRange[] = [{ lower: [1, 6, 0], upper: [2, 0, 0] }];
/** No Python files: the smallest Debian image (Julia's tarball brings its own libraries). */
export const JULIA_BASE_IMAGE = "debian:bookworm-slim";
const RELEASES_URL = "https://julialang-s3.julialang.org/bin/linux";

/**
 * Julia's release tarballs, kept between builds: the root step re-runs whenever apt.txt changes, and
 * the tarball is 150–300 MB. (Pkg's packages and artifacts are the environment itself: they must be
 * in the image, so they are never a cache mount.)
 */
export const JULIA_DOWNLOADS: CacheSpec = {
  name: "julia-downloads",
  target: "/var/cache/r2d-julia",
  perUser: false,
  mount: () => ({ id: "r2d-julia-downloads", target: "/var/cache/r2d-julia", sharing: "locked" }),
};

/** The newest release in the ranges (JULIA_RELEASES is oldest first). */
export function newestJulia(ranges: readonly VersionRange[], releases: readonly JuliaRelease[] = JULIA_RELEASES): JuliaRelease | null {
  return [...releases].reverse().find((r) => inRanges(toTriple(r.version), ranges)) ?? null;
}

/** The Julia repo2docker would pick: the newest release `[compat] julia` allows (default `1.6`). */
export function chooseJulia(project: Found<JuliaProject>): { release: JuliaRelease; message: string } {
  const data = use(project);
  const ranges = data.compat ?? DEFAULT_RANGES;
  const release = newestJulia(ranges);
  const allowed = describeRanges(ranges);
  if (!release) {
    const [oldest, newest] = [JULIA_RELEASES[0]!.version, JULIA_RELEASES.at(-1)!.version];
    throw new ConfigError(`[compat] julia = ${quoteForMessage(data.julia ?? "", 60)} allows ${allowed}, and no Julia release r2d knows (${oldest} to ${newest}) is in it`, {
      location: { file: project.path, line: data.compatLine ?? undefined },
      hint: `allow a released Julia, e.g. julia = "1.10"; if a newer Julia is out, r2d's release list needs updating (see docs/config-files.md, Julia)`,
    });
  }
  const why = data.julia === null ? `${project.path} has no [compat] julia: repo2docker's default "${DEFAULT_JULIA_COMPAT}"` : `[compat] julia = ${quoteForMessage(data.julia, 60)} in ${project.path}`;
  return { release, message: `Julia ${release.version}: the newest release in ${allowed} (${why})` };
}

/** Downloads the release tarball for the machine's architecture (checked when its sha256 is recorded) into /opt/julia. */
export function juliaInstallStep(release: JuliaRelease, { uid, gid }: { uid: number; gid: number }): Step {
  const { version } = release;
  const line = version.split(".").slice(0, 2).join(".");
  const sums: Record<string, string | undefined> = release.sha256 ?? {};
  // Julia's names for the machine (uname -m) and for its download folder.
  const arches = [["x86_64", "x64"], ["aarch64", "aarch64"]] as const;
  const cases = arches.map(([arch, dir]) => `${arch}) arch=${arch} dir=${dir} sum=${sums[arch] ?? ""} ;;`);
  const refuse = (why: string) => `{ echo ${shellQuote(`r2d: ${why}`)} >&2; exit 1; }`;
  const matches = `echo "$sum  $tarball" | sha256sum --check --status`;
  return {
    title: `Julia ${version} from its release tarball into ${JULIA_DIR}; the depot ${JULIA_DEPOT} for the image user`,
    user: "root",
    commands: [
      "if ! command -v curl >/dev/null || [ ! -e /etc/ssl/certs/ca-certificates.crt ]; then apt-get update -q && apt-get install -y -q --no-install-recommends curl ca-certificates; fi",
      `case "$(uname -m)" in ${cases.join(" ")} *) ${refuse(`Julia ${version} has no Linux release for this machine's architecture`)} ;; esac`,
      `tarball="${JULIA_DOWNLOADS.target}/julia-${version}-linux-$arch.tar.gz"`,
      `if [ ! -s "$tarball" ] || { [ -n "$sum" ] && ! ${matches}; }; then curl -fsSL --retry 3 -o "$tarball.part" "${RELEASES_URL}/$dir/${line}/julia-${version}-linux-$arch.tar.gz" && mv "$tarball.part" "$tarball"; fi`,
      `if [ -n "$sum" ] && ! ${matches}; then rm -f "$tarball"; ${refuse(`the Julia ${version} tarball does not match its recorded sha256`)}; fi`,
      shellCommand(["rm", "-rf", JULIA_DIR]),
      shellCommand(["mkdir", "-p", JULIA_DIR, JULIA_DEPOT]),
      `tar -xzf "$tarball" -C ${JULIA_DIR} --strip-components 1`,
      shellCommand(["chown", `${uid}:${gid}`, JULIA_DEPOT]),
    ],
    caches: [...aptCaches(), JULIA_DOWNLOADS.mount(uid)],
  };
}

/** What the environment depends on beside Project.toml and its manifest: then Pkg works only once the code is there. */
function localReferences(ctx: PackContext): string[] {
  const project = use(ctx.facts.files.juliaProject!);
  const manifest = ctx.facts.files.juliaManifest;
  const fromManifest = manifest ? use(manifest).localPackages.map((p) => `${p} (a path in ${manifest.path})`) : [];
  return [...project.localReferences.map((r) => `${r} in ${ctx.facts.files.juliaProject!.path}`), ...fromManifest];
}

/** `Pkg.instantiate()` before the copy when the project and manifest suffice, then instantiate + precompile with the code in place. */
function pkgSteps(ctx: PackContext, local: string[]): Pick<Contribution, "dependencyFiles" | "preAssembleSteps" | "assembleSteps"> & { used: Contribution["used"] } {
  const project = ctx.facts.files.juliaProject!;
  const manifest = ctx.facts.files.juliaManifest;
  const files = [project.path, ...(manifest ? [manifest.path] : [])];
  const preCopy = local.length === 0;
  const instantiate: Step = {
    title: `Julia packages from ${files.join(" and ")} (Pkg.instantiate; precompiled once the code is in place)`,
    user: "user",
    // Pkg precompiles after instantiate by default, which would need the package's own source: later.
    commands: [`JULIA_PKG_PRECOMPILE_AUTO=0 ${shellCommand(["julia", "-e", "using Pkg; Pkg.instantiate()"])}`],
  };
  const finish: Step = {
    title: "the Julia environment with the code in place (Pkg.instantiate, resolve and precompile, as repo2docker)",
    user: "user",
    commands: [shellCommand(["julia", "-e", "using Pkg; Pkg.instantiate(); Pkg.resolve(); Pkg.precompile()"])],
  };
  const when = preCopy ? "before the code is copied" : "after the code is copied";
  return {
    dependencyFiles: preCopy ? files : [],
    preAssembleSteps: preCopy ? [instantiate] : [],
    assembleSteps: [finish],
    used: [
      { key: "juliaProject", use: `the Julia environment (JULIA_PROJECT): Pkg.instantiate() ${when}, then precompiled` },
      ...(manifest ? [{ key: "juliaManifest" as const, use: `the exact package versions Pkg.instantiate() installs ${when}` }] : []),
    ],
  };
}

function juliaMessages(ctx: PackContext, release: JuliaRelease, local: string[]): PlanMessage[] {
  const messages: PlanMessage[] = [];
  const manifest = ctx.facts.files.juliaManifest;
  const resolvedWith = manifest ? use(manifest).juliaVersion : null;
  const line = (v: string) => v.split(".").slice(0, 2).join(".");
  if (resolvedWith && line(resolvedWith) !== line(release.version)) {
    messages.push({ level: "warn", text: `${manifest!.path} was resolved with Julia ${resolvedWith}, and the image gets Julia ${release.version}; Pkg may re-resolve it. Write julia = "~${line(resolvedWith)}" in [compat] to keep that Julia` });
  }
  if (local.length) messages.push({ level: "info", text: `Pkg.instantiate() runs after the code is copied, because the environment refers to files in the repository: ${local.join(", ")}` });
  if (!release.sha256) messages.push({ level: "warn", text: `no sha256 is recorded for Julia ${release.version}, so its tarball is checked only by HTTPS (as in repo2docker)` });
  return messages;
}

/** Project.toml (or JuliaProject.toml): Julia from the release tarball, a user-owned depot, Pkg steps; Python beside it when the repository has Python files. */
export const julia: Buildpack<"julia", typeof FILES> = {
  name: "julia",
  kind: "generated",
  gpu: true,
  files: FILES,
  // repo2docker's Julia pack is a Python (and conda) pack underneath, so it honours their files.
  alsoReads: [ENVIRONMENT_YML, ...PYTHON_FILES],
  caches: [JULIA_DOWNLOADS, APT_CACHE, APT_LISTS_CACHE, PIP_CACHE, CONDA_PKGS_CACHE],
  secrets: [PIP_CONF],
  envDirs: [JULIA_DIR, JULIA_DEPOT, VENV, CONDA_DIR],
  detect: (facts) => Boolean(facts.files.juliaProject || facts.files.juliaRequire),
  contribute(ctx) {
    const project = ctx.facts.files.juliaProject;
    if (!project) {
      throw new UnsupportedError("Julia REQUIRE no longer supported due to removed infrastructure (repo2docker's message too)", {
        location: { file: ctx.facts.files.juliaRequire!.path },
        hint: "describe the environment in a Project.toml (julia --project=. -e 'using Pkg; Pkg.add(...)' writes one)",
      });
    }
    const { release, message } = chooseJulia(project);
    const local = localReferences(ctx);
    const pkg = pkgSteps(ctx, local);
    const python = pythonAlongside(ctx);
    return {
      baseImage: python.baseImage ?? JULIA_BASE_IMAGE,
      python: python.version,
      env: {
        JULIA_PATH: JULIA_DIR,
        JULIA_VERSION: release.version,
        // The user's depot first; Julia's bundled depots after it, so the stdlibs' compiled caches are found.
        JULIA_DEPOT_PATH: `${JULIA_DEPOT}:${JULIA_DIR}/local/share/julia:${JULIA_DIR}/share/julia`,
        JULIA_PROJECT: dirOf(ctx.repoDir, project.path),
        ...python.env,
      },
      path: [...python.path, `${JULIA_DIR}/bin`],
      systemSteps: [...python.systemSteps, juliaInstallStep(release, ctx.user)],
      helperFiles: python.helperFiles,
      environmentSteps: python.environmentSteps,
      dependencyFiles: [...python.files, ...pkg.dependencyFiles!],
      preAssembleSteps: [...python.pre, ...pkg.preAssembleSteps!],
      assembleSteps: [...python.post, ...pkg.assembleSteps!],
      used: [...pkg.used, ...python.used],
      messages: [{ level: "info", text: message }, ...juliaMessages(ctx, release, local), ...python.messages],
    };
  },
};
