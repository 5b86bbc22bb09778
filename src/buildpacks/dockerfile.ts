import { isRootUser, parseRepoDockerfile } from "../detect/dockerfile.js";
import { use } from "../detect/found.js";
import { clipForMessage, ConfigError } from "../errors.js";
import { configFile, RUN_SH } from "./files.js";
import type { Buildpack } from "./types.js";

const DOCKERFILE = configFile({ key: "dockerfile", names: ["Dockerfile"], where: "config", parse: parseRepoDockerfile, skimmed: true });
const FILES = [DOCKERFILE] as const;

/** The repository brings its own Dockerfile: r2d builds it as is (no apt.txt, postBuild or start). */
export const dockerfile: Buildpack<"dockerfile", typeof FILES> = {
  name: "dockerfile",
  kind: "own-dockerfile",
  files: FILES,
  // Reported, so the user knows it is not the default command: the Dockerfile decides.
  alsoReads: [RUN_SH],
  ignores: () => "a Dockerfile is built as is; r2d's other config files do not apply to it",
  detect: (facts) => Boolean(facts.files.dockerfile),
  contribute(ctx) {
    const found = ctx.facts.files.dockerfile!;
    const data = use(found);
    if (data.legacyBinderBase) {
      throw new ConfigError("the Dockerfile builds FROM andrewosh/binder-base, which was removed in 2020", {
        location: { file: found.path },
        hint: "delete the Dockerfile and use requirements.txt or environment.yml, or start FROM a current image",
      });
    }
    return {
      baseImage: data.from.at(-1) ?? "(none)",
      dockerfilePath: found.path,
      dockerfileText: data.text,
      used: [
        { key: "dockerfile", use: "built as is; NB_USER and NB_UID are passed as build arguments" },
        ...(ctx.facts.files.runSh ? [{ key: "runSh" as const, use: "not the default command: the Dockerfile decides" }] : []),
      ],
      messages: data.finalUser && isRootUser(data.finalUser.user)
        ? [{ level: "warn", text: `${found.path}:${data.finalUser.line} sets USER ${clipForMessage(data.finalUser.user, 40)} in the final stage: the image will run as root. End the Dockerfile with USER \${NB_USER} (or another unprivileged user) unless the service really needs root` }]
        : [],
    };
  },
};
