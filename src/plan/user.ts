import os from "node:os";
import { ConfigError, quoteForMessage } from "../errors.js";
import type { PlanUser } from "./types.js";

/**
 * Debian's useradd rule (NAME_REGEX) without its trailing `$` (Samba machine accounts): the name is
 * written into shell commands and the Dockerfile, so it keeps to characters that mean nothing there.
 */
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const FALLBACK = { uid: 1000, name: "jovyan" };

export interface UserOptions {
  userId?: number | string;
  /** The primary group's gid (default: the caller's gid; with --user-id, that number). */
  groupId?: number | string;
  userName?: string;
  /** Who runs r2d; injectable so plans are reproducible in tests (gid: the uid when left out). */
  invoking?: { uid: number; name: string; gid?: number };
}

function invokingUser(): { uid: number; name: string; gid?: number } {
  const uid = typeof process.getuid === "function" ? process.getuid() : FALLBACK.uid;
  const gid = typeof process.getgid === "function" ? process.getgid() : undefined;
  let name = FALLBACK.name;
  try {
    name = os.userInfo().username;
  } catch {
    // No passwd entry (a container with an arbitrary uid): keep the fallback name.
  }
  return { uid, name, ...(gid !== undefined ? { gid } : {}) };
}

/** A uid or gid given as a flag: a number, not 0 (root), within Linux's range. */
function idFlag(value: number | string, flag: string, what: string): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) throw new ConfigError(`${flag} must be a number, got "${value}"`, { location: { file: flag }, hint: `for example ${flag} 1000` });
  const id = Number(text);
  if (id === 0) {
    throw new ConfigError(`${flag} 0 would ${what}, which r2d does not allow`, {
      location: { file: flag },
      hint: flag === "--user-id" ? "use a normal uid such as 1000 (graders such as crowdAI use 1001)" : "use a normal gid such as 1000 (yours: id -g)",
    });
  }
  if (id > 2 ** 31 - 2) throw new ConfigError(`${flag} ${id} is too large`, { location: { file: flag }, hint: "ids go up to 2147483646" });
  return id;
}

/**
 * The primary group: --group-id; else the uid's number when --user-id chose the uid (the image
 * user of a grader or a given uid keeps its own group); else the caller's gid (files written to
 * bind mounts then belong to the caller's group); root callers get the uid fallback's 1000.
 */
function resolveGid(opts: UserOptions, invoking: { uid: number; gid?: number }, uid: number): number {
  if (opts.groupId !== undefined && opts.groupId !== "") return idFlag(opts.groupId, "--group-id", "make root's group the image user's group");
  if (opts.userId !== undefined && opts.userId !== "") return uid;
  if (invoking.uid === 0) return FALLBACK.uid;
  return invoking.gid === undefined || invoking.gid === 0 ? uid : invoking.gid;
}

/**
 * repo2docker's defaults: the invoking user's uid and name, so files written to mounted volumes
 * belong to them. A root caller (CI, graders) gets 1000/jovyan instead, with a notice, because an
 * image must never run as root.
 */
export function resolveUser(opts: UserOptions): { user: PlanUser; notice: string | null } {
  let uid: number;
  let source: string;
  let notice: string | null = null;
  const invoking = opts.invoking ?? invokingUser();

  if (opts.userId !== undefined && opts.userId !== "") {
    uid = idFlag(opts.userId, "--user-id", "run the image as root");
    source = "--user-id";
  } else if (invoking.uid === 0) {
    uid = FALLBACK.uid;
    source = "root fallback";
    notice = `r2d runs as root, so the image user is uid ${FALLBACK.uid}; pass --user-id/--user-name to choose`;
  } else {
    uid = invoking.uid;
    source = "invoking user";
  }

  let name: string;
  if (opts.userName !== undefined && opts.userName !== "") {
    name = opts.userName;
    if (!USER_NAME.test(name)) {
      throw new ConfigError(`--user-name ${quoteForMessage(name)} is not a valid Linux user name`, {
        location: { file: "--user-name" },
        hint: "use lower-case letters, digits, _ and -, starting with a letter or _ (at most 32 characters), e.g. jovyan",
      });
    }
    if (name === "root") throw new ConfigError("--user-name root is not allowed: the image must not run as root", { location: { file: "--user-name" }, hint: "use a normal user name such as jovyan" });
  } else if (invoking.uid === 0 || !USER_NAME.test(invoking.name) || invoking.name === "root") {
    name = FALLBACK.name;
  } else {
    name = invoking.name;
  }
  return { user: { name, uid, gid: resolveGid(opts, invoking, uid), source }, notice };
}
