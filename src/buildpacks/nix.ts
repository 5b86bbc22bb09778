import { parseDefaultNix } from "../detect/default-nix.js";
import { use } from "../detect/found.js";
import { helperPath } from "../plan/layout.js";
import type { Step } from "../plan/types.js";
import { shellCommand, shellQuote } from "../shell.js";
import { COMMON_FILES, configFile } from "./files.js";
import { APT_CACHE, APT_LISTS_CACHE, aptCaches } from "./shared.js";
import type { Buildpack, PackContext } from "./types.js";

const DEFAULT_NIX = configFile({ key: "defaultNix", names: ["default.nix"], where: "config", parse: parseDefaultNix });
const FILES = [DEFAULT_NIX] as const;

/** repo2docker's Nix: 2.13.2, single-user; the release tarballs' sha256 as published with them. */
export const NIX_VERSION = "2.13.2";
export const NIX_SHA256 = {
  x86_64: "beaec0f28899c22f33adbe30e4ecfceef87b797278c5210ee693e22e9719dfb4",
  aarch64: "4ae275a46a2441d3459ae389a90ce6e8f7eff12c2a084b2d003ba6f8d0899603",
};
/** The channel `<nixpkgs>` names, as in repo2docker; fetched once, when the Nix layer is built. */
export const NIXPKGS_CHANNEL = "https://nixos.org/channels/nixpkgs-unstable";
const NIX_BASE_IMAGE = "debian:bookworm-slim";
const INSTALL_SCRIPT = "install-nix";
const WRAPPER_SCRIPT = "nix-shell-wrapper";
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const COMMON_KEYS = new Set<string>([...COMMON_FILES.map((f) => f.key), "defaultNix"]);

/** Root's part: the tools the installer needs, /nix owned by the image user, and no build sandbox (containers cannot nest one). */
function nixSystemStep({ uid, gid }: { uid: number; gid: number }): Step {
  return {
    title: "Nix prerequisites, /nix owned by the image user, build sandbox off",
    user: "root",
    commands: [
      `if ! command -v curl >/dev/null || ! command -v xz >/dev/null || [ ! -e ${CA_BUNDLE} ]; then apt-get update -q && apt-get install -y -q --no-install-recommends curl xz-utils ca-certificates; fi`,
      shellCommand(["mkdir", "-p", "-m", "0755", "/nix", "/etc/nix"]),
      shellCommand(["chown", `${uid}:${gid}`, "/nix"]),
      `echo ${shellQuote("sandbox = false")} > /etc/nix/nix.conf`,
    ],
    caches: aptCaches(),
  };
}

/** The user's part, before anything of the repository: Nix itself and the nixpkgs channel. */
function nixInstallStep(ctx: PackContext): Step {
  return {
    title: `Nix ${NIX_VERSION} (single-user, for ${ctx.user.name}) and the nixpkgs channel`,
    user: "user",
    commands: [
      shellCommand(["bash", helperPath(INSTALL_SCRIPT), NIX_VERSION, NIX_SHA256.x86_64, NIX_SHA256.aarch64]),
      shellCommand(["nix-channel", "--add", NIXPKGS_CHANNEL, "nixpkgs"]),
      shellCommand(["nix-channel", "--update"]),
    ],
  };
}

/** default.nix: Nix installed for the image user, its environment built, and every command run inside `nix-shell default.nix`. */
export const nix: Buildpack<"nix", typeof FILES> = {
  name: "nix",
  kind: "generated",
  files: FILES,
  // repo2docker's Nix pack reads default.nix and the common files (apt.txt, postBuild, start) only.
  ignores: (key) => (COMMON_KEYS.has(key) ? null : "the nix buildpack installs only what default.nix lists (as repo2docker's): add it there"),
  caches: [APT_CACHE, APT_LISTS_CACHE],
  envDirs: ["/nix"],
  detect: (facts) => Boolean(facts.files.defaultNix),
  contribute(ctx) {
    const found = ctx.facts.files.defaultNix!;
    const { localPaths, usesChannel } = use(found);
    const preCopy = localPaths.length === 0;
    const build: Step = {
      title: `the Nix environment from ${found.path} (nix-shell)`,
      user: "user",
      commands: [shellCommand(["nix-shell", found.path, "--run", "true"])],
    };
    const home = ctx.home;
    return {
      baseImage: NIX_BASE_IMAGE,
      env: {
        NIX_PATH: `nixpkgs=${home}/.nix-defexpr/channels/nixpkgs`,
        NIX_SSL_CERT_FILE: CA_BUNDLE,
        GIT_SSL_CAINFO: CA_BUNDLE,
      },
      path: [`${home}/.nix-profile/bin`],
      systemSteps: [nixSystemStep(ctx.user)],
      helperFiles: [INSTALL_SCRIPT, WRAPPER_SCRIPT],
      environmentSteps: [nixInstallStep(ctx)],
      dependencyFiles: preCopy ? [found.path] : [],
      preAssembleSteps: preCopy ? [build] : [],
      assembleSteps: preCopy ? [] : [build],
      // The start script (through r2d's entrypoint) and the command run inside nix-shell.
      wrapCommand: ["/bin/bash", helperPath(WRAPPER_SCRIPT), `${ctx.repoDir}/${found.path}`],
      used: [{ key: "defaultNix", use: `nix-shell ${found.path}: built ${preCopy ? "before" : "after"} the code is copied; every command runs inside it` }],
      messages: [
        { level: "info", text: `Nix ${NIX_VERSION}; <nixpkgs> is the nixpkgs-unstable channel as fetched by the first build${usesChannel ? ` (${found.path} imports it: pin nixpkgs with fetchTarball for reproducible images)` : ""}` },
        ...(preCopy ? [] : [{ level: "info" as const, text: `${found.path} refers to files in the repository (${localPaths.join(", ")}), so nix-shell builds it after the code is copied` }]),
      ],
    };
  },
};
