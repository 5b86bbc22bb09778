/**
 * Directory descriptors for the walk. Each directory is opened beneath its parent's descriptor
 * (final component never followed) and everything in it is looked up through `/proc/self/fd/N/…`
 * on Linux: the kernel resolves that prefix to the opened directory itself, so a folder swapped
 * for a symlink during the walk cannot redirect a lookup out of the repository (what openat()
 * guarantees; Node has no openat). Where that path does not work (no /proc), lookups use the
 * directory's path and only the final component is protected; the send-time checks (verify.ts)
 * still compare every file with the walk.
 *
 * A directory's descriptor stays open until it has been read and all its subdirectories have
 * been opened from it (`refs`), so the walk holds about one descriptor per level in flight.
 */

import fs from "node:fs";
import type { Stats } from "node:fs";

const C = fs.constants;
const OPEN_DIR_FLAGS = C.O_RDONLY | (C.O_DIRECTORY ?? 0) | (C.O_NOFOLLOW ?? 0);

export interface DirHandle {
  fd: number;
  /** Prefix for lookups inside the directory: `/proc/self/fd/N`, or its path. */
  base: string;
  /** Open until 0: the directory's own reading, plus one per subdirectory not yet opened from it. */
  refs: number;
}

export class DirHandles {
  private readonly open = new Set<number>();
  private constructor(readonly viaFd: boolean) {}

  /** Opens the build root (following links in the path the user gave) and finds out whether fd paths work. */
  static openRoot(root: string): { handles: DirHandles; root: DirHandle } {
    const fd = fs.openSync(root, C.O_RDONLY | (C.O_DIRECTORY ?? 0));
    let stat: Stats;
    try {
      stat = fs.fstatSync(fd);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    let viaFd: boolean;
    try {
      const probe = fs.statSync(`/proc/self/fd/${fd}/.`, { throwIfNoEntry: false });
      viaFd = probe !== undefined && probe.dev === stat.dev && probe.ino === stat.ino;
    } catch {
      viaFd = false;
    }
    const handles = new DirHandles(viaFd);
    handles.open.add(fd);
    return { handles, root: handles.handle(fd, root) };
  }

  private handle(fd: number, abs: string): DirHandle {
    return { fd, base: this.viaFd ? `/proc/self/fd/${fd}` : abs, refs: 1 };
  }

  /** Path of an entry inside a directory, for lstat/readlink/realpath. */
  inside(dir: DirHandle, name: string): string {
    return `${dir.base}/${name}`;
  }

  /** Opens the subdirectory `name` of `parent` without following a symlink; throws the errno error. */
  openChild(parent: DirHandle, name: string, abs: string): { dir: DirHandle; stat: Stats } {
    const fd = fs.openSync(this.viaFd ? this.inside(parent, name) : abs, OPEN_DIR_FLAGS);
    this.open.add(fd);
    const dir = this.handle(fd, abs);
    try {
      return { dir, stat: fs.fstatSync(fd) };
    } catch (err) {
      this.release(dir);
      throw err;
    }
  }

  release(dir: DirHandle): void {
    if (--dir.refs > 0 || !this.open.delete(dir.fd)) return;
    fs.closeSync(dir.fd);
  }

  closeAll(): void {
    for (const fd of this.open) fs.closeSync(fd);
    this.open.clear();
  }
}
