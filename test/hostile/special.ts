/**
 * The files a case makes at test time, described in its case.json (`special`): what git cannot
 * hold (links out of the repository, FIFOs, sockets, devices, sparse giants, modes, names that are
 * not UTF-8) and big generated contents.
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, symlink, truncate, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import path from "node:path";

/** A file case.json makes at test time (what git cannot hold, or text with placeholders). */
export interface Special {
  /** Path inside the repository (posix); or `pathHex` for a name that is not UTF-8. */
  path?: string;
  pathHex?: string;
  /** Link text (placeholders allowed: @OUTSIDE@, @REPO@, @TMP@). */
  symlink?: string;
  /** Text content (placeholders allowed), or bytes as hex. */
  content?: string;
  hex?: string;
  /** Big text made at test time: `content`, then each [text, times] in turn ({i} in text: the index). */
  parts?: [string, number][];
  /** Makes `count` such files, {i} in the path replaced by the index. */
  count?: number;
  dir?: boolean;
  fifo?: boolean;
  socket?: boolean;
  /** A sparse file of this many bytes (truncate), holding no data. */
  sparse?: number;
  /** A character or block device node [major, minor] (root only: tar extracted as root makes them). */
  charDevice?: [number, number];
  blockDevice?: [number, number];
  /** chmod after creation (e.g. 0 for an unreadable file). */
  mode?: number;
}

/** Makes one special file under `repo`; a socket keeps its server in `servers` until the case ends. */
export async function makeSpecial(repo: string, s: Special, fill: (t: string) => string, servers: Server[]): Promise<void> {
  const abs: string | Buffer = s.pathHex !== undefined ? Buffer.concat([Buffer.from(`${repo}/`), Buffer.from(s.pathHex, "hex")]) : path.join(repo, ...s.path!.split("/"));
  if (typeof abs === "string") await mkdir(path.dirname(abs), { recursive: true });
  if (s.symlink !== undefined) await symlink(fill(s.symlink), abs);
  else if (s.dir) await mkdir(abs, { recursive: true });
  else if (s.fifo) await run("mkfifo", [abs.toString()]);
  else if (s.charDevice || s.blockDevice) {
    const [major, minor] = (s.charDevice ?? s.blockDevice)!;
    await run("mknod", [abs.toString(), s.charDevice ? "c" : "b", String(major), String(minor)]);
  }
  else if (s.socket) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(abs.toString(), resolve));
    servers.push(server);
  } else if (s.sparse !== undefined) {
    await writeFile(abs, "");
    await truncate(abs, s.sparse);
  } else if (s.hex !== undefined) await writeFile(abs, Buffer.from(s.hex, "hex"));
  else if (s.parts !== undefined) {
    const body = s.parts.map(([text, times]) => (text.includes("{i}") ? Array.from({ length: times }, (_, i) => text.replaceAll("{i}", String(i))).join("") : text.repeat(times)));
    await writeFile(abs, `${s.content ?? ""}${body.join("")}`);
  } else await writeFile(abs, fill(s.content ?? ""));
  if (s.mode !== undefined) await chmod(abs, s.mode);
}

async function run(cmd: string, args: string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => execFile(cmd, args, (err: Error | null) => (err ? reject(err) : resolve())));
}
