/**
 * Small path and error helpers shared by the context modules.
 */

import path from "node:path";

export function toPosix(p: string): string {
  return path.sep === "/" ? p : p.split(path.sep).join("/");
}

export function isInside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r === "" || (!r.startsWith(`..${path.sep}`) && r !== ".." && !path.isAbsolute(r));
}

/** A user-supplied relative path, normalised to posix, or undefined if it leaves the root. */
export function cleanRel(p: string): string | undefined {
  const n = path.posix.normalize(toPosix(p).replace(/^\/+/, ""));
  if (n === "." || n === "") return "";
  const stripped = n.replace(/\/+$/, "");
  if (stripped === ".." || stripped.startsWith("../")) return undefined;
  return stripped;
}

export function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
