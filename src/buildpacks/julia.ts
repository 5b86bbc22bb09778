import { parseJuliaProject } from "../detect/julia-project.js";
import { UnsupportedError } from "../errors.js";
import { configFile } from "./files.js";
import type { Buildpack } from "./types.js";

const JULIA_PROJECT = configFile({ key: "juliaProject", names: ["Project.toml", "JuliaProject.toml"], where: "config", parse: parseJuliaProject });
const JULIA_REQUIRE = configFile({ key: "juliaRequire", names: ["REQUIRE"], where: "config", parse: null });
const FILES = [JULIA_PROJECT, JULIA_REQUIRE] as const;

/** Detected like repo2docker does, so the right pack is named, but refused with a plain message. */
export const julia: Buildpack<"julia", typeof FILES> = {
  name: "julia",
  kind: "refused",
  files: FILES,
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
