import { UnsupportedError } from "../errors.js";
import type { Buildpack } from "./types.js";

/** Detected like repo2docker does, so the right pack is named, but refused with a plain message. */
export const julia: Buildpack = {
  name: "julia",
  template: null,
  honours: ["juliaProject", "juliaRequire"],
  detect: (facts) => Boolean(facts.files.juliaProject || facts.files.juliaRequire),
  contribute(ctx) {
    const file = ctx.facts.files.juliaProject ?? ctx.facts.files.juliaRequire!;
    if (!ctx.facts.files.juliaProject) {
      throw new UnsupportedError("REQUIRE files are no longer supported (repo2docker dropped them too)", {
        location: { file: file.path },
        hint: "describe the environment in a Project.toml",
      });
    }
    throw new UnsupportedError("Julia projects are detected but r2d does not build them yet", {
      location: { file: file.path },
      hint: "use repo2docker for Julia for now, or add a Dockerfile to the repository (r2d builds it as is)",
    });
  },
};

export const nix: Buildpack = {
  name: "nix",
  template: null,
  honours: ["defaultNix"],
  detect: (facts) => Boolean(facts.files.defaultNix),
  contribute(ctx) {
    throw new UnsupportedError("Nix environments (default.nix) are detected but r2d does not build them yet", {
      location: { file: ctx.facts.files.defaultNix!.path },
      hint: "use repo2docker for Nix for now, or add a Dockerfile to the repository (r2d builds it as is)",
    });
  },
};
