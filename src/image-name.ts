import path from "node:path";
import { ConfigError, quoteForMessage } from "./errors.js";

/**
 * Docker's reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest], with
 * lower-case path components, a name of at most 255 characters and a tag of at most 128.
 */
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const NAME = `(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);
const NAME_MAX = 255;

/** `name` when it is a valid image reference; a ConfigError naming `flag` otherwise. */
export function checkImageName(name: string, flag = "--image-name"): string {
  const m = REFERENCE.exec(name);
  if (!m || m[1]!.length > NAME_MAX) {
    throw new ConfigError(`${quoteForMessage(name)} is not a valid image name`, {
      location: { file: flag },
      hint: "use lower-case letters, digits, . _ - and /, with an optional :tag or @sha256:digest, e.g. registry.example.org/team/model:v1",
    });
  }
  return name;
}

/** repo2docker-like default: r2d-<repo>[-<subdir>]:<short commit or "latest">. */
export function defaultImageName(repo: string, subdir: string | undefined, revision: string | null): string {
  const slug = (s: string) => s.toLowerCase().replace(/\.git$/, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  // A local path is named by its folder, also when given as `.` or `..`.
  const named = /^[a-z][\w+.-]*:\/\/|^[\w.-]+@[\w.-]+:/i.test(repo) ? repo : path.resolve(repo);
  const base = slug(path.basename(named.replace(/\/+$/, ""))) || "repo";
  const sub = subdir && slug(subdir) ? `-${slug(subdir)}` : "";
  // A long --subdir (or folder name) must not make a name the engine refuses after the build.
  const name = `r2d-${base}${sub}`.slice(0, NAME_MAX).replace(/[^a-z0-9]+$/, "");
  return `${name}:${revision ? revision.slice(0, 7) : "latest"}`;
}
