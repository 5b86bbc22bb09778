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
  userName?: string;
  /** Who runs r2d; injectable so plans are reproducible in tests. */
  invoking?: { uid: number; name: string };
}

function invokingUser(): { uid: number; name: string } {
  const uid = typeof process.getuid === "function" ? process.getuid() : FALLBACK.uid;
  let name = FALLBACK.name;
  try {
    name = os.userInfo().username;
  } catch {
    // No passwd entry (a container with an arbitrary uid): keep the fallback name.
  }
  return { uid, name };
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
    const text = String(opts.userId).trim();
    if (!/^\d+$/.test(text)) {
      throw new ConfigError(`--user-id must be a number, got "${opts.userId}"`, { location: { file: "--user-id" }, hint: "for example --user-id 1000" });
    }
    uid = Number(text);
    if (uid === 0) {
      throw new ConfigError("--user-id 0 would run the image as root, which r2d does not allow", {
        location: { file: "--user-id" },
        hint: "use a normal uid such as 1000 (graders such as crowdAI use 1001)",
      });
    }
    if (uid > 2 ** 31 - 2) throw new ConfigError(`--user-id ${uid} is too large`, { location: { file: "--user-id" }, hint: "uids go up to 2147483646" });
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
  return { user: { name, uid, source }, notice };
}
