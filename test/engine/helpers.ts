/** Fake executables and temp dirs for the engine tests. */
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ContextSource } from "../../src/engine/types.js";

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
export const fixture = (name: string): string => path.join(FIXTURES, name);

const made: string[] = [];

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "r2d-engine-test-"));
  made.push(dir);
  return dir;
}

export async function cleanupTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

export async function writeExecutable(file: string, text: string): Promise<string> {
  await writeFile(file, text);
  await chmod(file, 0o755);
  return file;
}

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A wrapper script `dir/name` running fixtures/fake-docker.mjs with these variables. */
export async function fakeNodeBin(dir: string, name: string, vars: Record<string, string>): Promise<string> {
  const exports = Object.entries(vars).map(([k, v]) => `export ${k}=${sq(v)}`);
  const script = ["#!/bin/sh", ...exports, `exec ${sq(process.execPath)} ${sq(fixture("fake-docker.mjs"))} "$@"`, ""].join("\n");
  return writeExecutable(path.join(dir, name), script);
}

export interface Recorded {
  role: string;
  argv: string[];
  env: Record<string, string>;
  stdinBytes?: number;
}

export async function readRecord(file: string): Promise<Recorded[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Recorded);
}

/**
 * A tiny /bin/sh docker client for probe tests: answers `version --format ...`, `buildx version`
 * and `network inspect ... bridge` only (shell builtins only, so PATH may be empty).
 */
export async function fakeShDocker(
  file: string,
  opts: { version: string; buildx?: string; daemonDown?: boolean; notDocker?: boolean; bridge?: boolean },
): Promise<string> {
  const server = opts.daemonDown ? "null" : `{"Version":"${opts.version}"}`;
  const versionBranch = opts.notDocker
    ? `  echo "usage: something else" >&2; exit 2`
    : [
        `  printf '%s\\n' '{"Client":{"Version":"${opts.version}"},"Server":${server}}'`,
        opts.daemonDown
          ? `  echo "Cannot connect to the Docker daemon at \${DOCKER_HOST:-unix:///var/run/docker.sock}. Is the docker daemon running?" >&2; exit 1`
          : "  exit 0",
      ].join("\n");
  const buildxBranch = opts.buildx
    ? `  echo "github.com/docker/buildx v${opts.buildx} 0123abc"; exit 0`
    : `  echo "docker: unknown command: docker buildx" >&2; exit 1`;
  const bridgeBranch = opts.bridge ? `  echo bridge; exit 0` : `  echo "Error: No such network: bridge" >&2; exit 1`;
  const script = [
    "#!/bin/sh",
    `if [ "$1" = "version" ]; then`,
    versionBranch,
    "fi",
    `if [ "$1" = "buildx" ] && [ "$2" = "version" ]; then`,
    buildxBranch,
    "fi",
    `if [ "$1" = "network" ] && [ "$2" = "inspect" ]; then`,
    bridgeBranch,
    "fi",
    "exit 1",
    "",
  ].join("\n");
  return writeExecutable(file, script);
}

export async function fakeShBuildctl(file: string, opts: { version: string; down?: boolean }): Promise<string> {
  const script = [
    "#!/bin/sh",
    `if [ "$1" = "--version" ]; then echo "buildctl github.com/moby/buildkit v${opts.version} 0123abc"; exit 0; fi`,
    `if [ "$1" = "--addr" ]; then shift; shift; fi`,
    `if [ "$1" = "debug" ] && [ "$2" = "workers" ]; then`,
    opts.down ? `  echo "error: listing workers: Unavailable: connection error" >&2; exit 1` : `  echo "ID PLATFORMS"; exit 0`,
    "fi",
    "exit 1",
    "",
  ].join("\n");
  return writeExecutable(file, script);
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function caught<E extends Error = Error>(p: Promise<unknown>): Promise<E> {
  return p.then(
    () => {
      throw new Error("expected the promise to reject");
    },
    (e: unknown) => e as E,
  );
}

/** A build context given as a tar only (for engines that read a tar on stdin). */
export function tarContext(tar: () => NodeJS.ReadableStream): ContextSource {
  return {
    tar,
    materialize: () => Promise.reject(new Error("this test's engine reads the context as a tar")),
    entries: () => {
      throw new Error("this test's engine reads the context as a tar");
    },
  };
}
