import { UnsupportedError } from "../errors.js";
import { configFile } from "./files.js";
import type { Buildpack } from "./types.js";

const DEFAULT_NIX = configFile({ key: "defaultNix", names: ["default.nix"], where: "config", parse: null });
const FILES = [DEFAULT_NIX] as const;

/** Detected like repo2docker does, so the right pack is named, but refused with a plain message. */
export const nix: Buildpack<"nix", typeof FILES> = {
  name: "nix",
  kind: "refused",
  files: FILES,
  detect: (facts) => Boolean(facts.files.defaultNix),
  contribute(ctx) {
    throw new UnsupportedError("Nix environments (default.nix) are detected but r2d does not build them yet", {
      location: { file: ctx.facts.files.defaultNix!.path },
      hint: "use repo2docker for Nix for now, or add a Dockerfile to the repository (r2d builds it as is)",
    });
  },
};
