import path from "node:path";
import { ConfigError } from "./errors.js";

/** Docker's reference grammar, simplified: [host[:port]/]path[:tag][@digest], lower-case path. */
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REFERENCE = new RegExp(
  `^(?:[a-zA-Z0-9.-]+(?::\\d+)?/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);

export function checkImageName(name: string, flag = "--image-name"): string {
  if (!REFERENCE.test(name)) {
    throw new ConfigError(`"${name}" is not a valid image name`, {
      location: { file: flag },
      hint: "use lower-case letters, digits, . _ - and /, with an optional :tag, e.g. registry.example.org/team/model:v1",
    });
  }
  return name;
}

/** repo2docker-like default: r2d-<repo>[-<subdir>]:<short commit or "latest">. */
export function defaultImageName(repo: string, subdir: string | undefined, revision: string | null): string {
  const slug = (s: string) => s.toLowerCase().replace(/\.git$/, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  const base = slug(path.basename(repo.replace(/\/+$/, ""))) || "repo";
  const sub = subdir ? `-${slug(subdir)}` : "";
  return `r2d-${base}${sub}:${revision ? revision.slice(0, 7) : "latest"}`;
}
