/**
 * How the corpus runs r2d on a case: the compiled CLI as a child process, with a marker in its
 * environment and an index password in its flags, three ways — `--no-build --json` (the plan or
 * the error event), `--no-build --debug` (the summary and the Dockerfile, as a person sees them),
 * and a build through a stand-in docker client that keeps the context tar it is sent (the real
 * pipeline: selection, layout and send-time checks, up to the engine). And what the outputs must
 * never hold: a marker, or a raw control character a terminal would act on.
 */
import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Readable } from "node:stream";
import { execa } from "execa";
import tar from "tar-stream";
import { CLI } from "../integration/helpers.js";
import { withPassword, type HostileCase, type Made, type Markers } from "./case.js";

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The case's flags (placeholders filled) plus the index URL carrying a password marker. */
export function caseFlags(c: HostileCase, made: Made): string[] {
  const flags = c.flags.map(made.fill);
  if (c.pipIndexUrl) flags.push("--pip-index-url", withPassword(made.indexes.pip, made.markers.indexPassword));
  return flags;
}

/** r2d's environment: ours without R2D_* settings, plus the secret marker and a private TMPDIR. */
function cliEnv(made: Made): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("R2D_")) env[k] = v;
  return { ...env, R2D_TEST_SECRET: made.markers.env, TMPDIR: made.runTmp };
}

export async function runCli(c: HostileCase, made: Made, args: string[]): Promise<CliRun> {
  const argv = [CLI, ...args];
  const [cmd, all] = c.asNobody ? ["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, ...argv]] : [process.execPath, argv];
  const r = await execa(cmd, all, { reject: false, env: cliEnv(made), extendEnv: false, stdin: "ignore", cwd: made.tmp, timeout: c.maxSeconds * 1000, stripFinalNewline: false });
  if (r.timedOut) throw new Error(`r2d ${args.slice(1).join(" ")} did not finish within ${c.maxSeconds} s (a pathological input must not hang r2d)`);
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export interface TarEntry {
  name: string;
  type: string;
  linkname: string | null;
  body: Buffer;
}

export interface FakeBuild extends CliRun {
  /** The context tar the client was sent (empty when the build never started). */
  tar: Buffer;
  entries: TarEntry[];
  /** Every call's arguments, as the client recorded them (NUL-separated). */
  calls: Buffer;
}

const FAKE_DOCKER = fileURLToPath(new URL("fake-docker.sh", import.meta.url));

/** `r2d REPO FLAGS --no-run` with a docker client that saves the context it is sent. */
export async function runFakeBuild(c: HostileCase, made: Made): Promise<FakeBuild> {
  // Writable by all: the stand-in client runs as r2d's user, uid 65534 for asNobody cases.
  const dir = path.join(made.tmp, "engine");
  await mkdir(dir);
  await chmod(dir, 0o777);
  const contextFile = path.join(dir, "context.tar");
  const record = path.join(dir, "calls");
  const docker = path.join(dir, "docker");
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  await writeFile(docker, `#!/bin/sh\nexport FAKE_RECORD=${q(record)} FAKE_CONTEXT=${q(contextFile)}\nexec /bin/sh ${q(FAKE_DOCKER)} "$@"\n`, { mode: 0o755 });
  const flags = [...caseFlags(c, made), ...c.buildFlags.map(made.fill)];
  const image = flags.includes("--image-name") ? [] : ["--image-name", "r2d-hostile/case:1"];
  const r = await runCli(c, made, [made.repo, ...flags, ...image, ...(c.run ? [] : ["--no-run"]), "--docker", docker, "--build-network", "host", "--progress", "plain"]);
  const tarBytes = await readFile(contextFile).catch(() => Buffer.alloc(0));
  return { ...r, tar: tarBytes, entries: tarBytes.length ? await readTar(tarBytes) : [], calls: await readFile(record).catch(() => Buffer.alloc(0)) };
}

async function readTar(bytes: Buffer): Promise<TarEntry[]> {
  const ex = tar.extract();
  const out: TarEntry[] = [];
  ex.on("entry", (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (d: unknown) => chunks.push(d as Buffer));
    stream.on("end", () => {
      out.push({ name: header.name, type: header.type ?? "file", linkname: header.linkname ?? null, body: Buffer.concat(chunks) });
      next();
    });
    stream.resume();
  });
  const done = new Promise<void>((resolve, reject) => {
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  Readable.from([bytes]).pipe(ex);
  await done;
  return out;
}

/** Every marker this run knows; `engineArgs` drops the build-argument values, which the engine is given. */
export function markerValues(m: Markers, opts: { engineArgs?: boolean } = {}): [string, string][] {
  const all: [string, string][] = [
    ["outside file", m.outside],
    ["outside git HEAD", m.outsideHex],
    ["environment (R2D_TEST_SECRET)", m.env],
    ["index password (--pip-index-url, --cran-mirror)", m.indexPassword],
    ["credential-like --build-arg value", m.argSecret],
    ["plain --build-arg value", m.argPlain],
  ];
  return opts.engineArgs ? all.slice(0, 4) : all;
}

/** The names of the markers found in `text`. */
export function leaks(text: string | Buffer, markers: [string, string][]): string[] {
  const hay = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return markers.filter(([, v]) => hay.includes(v)).map(([what]) => what);
}

// C0 controls but tab and newline (a CR is allowed only before LF: CRLF files), DEL, C1 controls
// (0x9b is CSI on many terminals), and the bidirectional overrides and isolates ("Trojan source").
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/u;

/** The first raw control character in `text`, shown with some context, or null. */
export function rawControl(text: string): string | null {
  const m = RAW_CONTROL.exec(text);
  if (!m) return null;
  return JSON.stringify(text.slice(Math.max(0, m.index - 40), m.index + 20));
}

/** r2d's TMPDIR must hold nothing after a run (its run folder removed on every exit path). */
export async function leftovers(made: Made): Promise<string[]> {
  return readdir(made.runTmp);
}
