/**
 * Host folders of `-v HOST:DEST` that do not exist yet: Docker would create them as root, and the
 * image's non-root user could not write its results there (a PermissionError at the first write).
 * r2d creates them first, owned by the image user: chown'ed to its uid and gid when r2d runs as
 * root, and otherwise its own (a warning says so when the image user is someone else). What the
 * container writes there then belongs to the image user's uid:gid, the caller's by default.
 */
import { chown, mkdir } from "node:fs/promises";
import path from "node:path";

export interface MountSource {
  /** The host path, absolute. */
  host: string;
  readOnly: boolean;
}

/** The bind-mount sources of `-v` specs (named volumes, with no `/` in front, are Docker's business). */
export function bindSources(volumes: readonly string[]): MountSource[] {
  const out: MountSource[] = [];
  for (const spec of volumes) {
    const parts = spec.split(":");
    if (parts.length < 2 || !path.isAbsolute(parts[0]!)) continue;
    out.push({ host: parts[0]!, readOnly: (parts[2] ?? "").split(",").includes("ro") });
  }
  return out;
}

/**
 * Creates the missing writable sources, owned by `uid` where r2d can give them away; returns a
 * warning for each one the image user may not be able to write.
 */
export async function createMountSources(volumes: readonly string[], owner: number | { uid: number; gid: number }, me: number | undefined = process.getuid?.()): Promise<string[]> {
  const { uid, gid } = typeof owner === "number" ? { uid: owner, gid: owner } : owner;
  const warnings: string[] = [];
  for (const { host, readOnly } of bindSources(volumes)) {
    if (readOnly) continue;
    const first = await mkdir(host, { recursive: true, mode: 0o755 });
    if (first === undefined) continue; // it existed: its owner chose its permissions
    if (me === 0) {
      // Every folder mkdir made, from the first one down to the mount point.
      for (let dir = host; ; dir = path.dirname(dir)) {
        await chown(dir, uid, gid);
        if (dir === first || dir === path.dirname(dir)) break;
      }
    } else if (me !== undefined && me !== uid) {
      warnings.push(`created ${host} for -v; it is yours (uid ${me}), so the image user (uid ${uid}) cannot write to it: chmod a+w it, or build with --user-id ${me}`);
    }
  }
  return warnings;
}
