/**
 * The CLI's V8 code cache (Node 20 has no `module.enableCompileCache`). The bin, dist/bin/r2d.js
 * (src/cli/bin.ts), compiles the bundle dist/bin/r2d-cli.cjs with the code V8 made for it on an
 * earlier run, kept in `$XDG_CACHE_HOME/r2d/v8/`: parsing and compiling some 700 kB of JavaScript is
 * a good part of the CLI's start-up beyond Node's own. A cache that cannot be read or written only
 * means no cache: it never fails the CLI.
 */
import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";
import { r2dCacheDir } from "../cache-dir.js";

/** Set (to anything but an empty string) to compile without the cache, and keep none. */
export const NO_COMPILE_CACHE_ENV = "R2D_NO_COMPILE_CACHE";
/** Set to have the bin say on stderr what became of the cache (accepted, rejected, none, written). */
export const COMPILE_CACHE_DEBUG_ENV = "R2D_COMPILE_CACHE_DEBUG";

const CACHE_SUFFIX = ".v8code";
/** Files of other builds (an upgrade, another checkout) older than this go when one is written. */
const STALE_MS = 30 * 24 * 3600 * 1000;

/** What became of the kept code: used, refused by V8 (then replaced), none yet, or the cache is off. */
export type CompileCacheState = "accepted" | "rejected" | "none" | "off";

/**
 * The cache file for this source under this Node and these flags. V8 checks a cache against the
 * source's length only (and its own version and flags), so the name carries a hash of the source.
 */
export function compileCacheFile(source: Buffer, env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): string {
  const runtime = [process.version, process.arch, execArgv.join(" "), env.NODE_OPTIONS ?? ""].join("\0");
  const key = createHash("sha256").update(source).update(runtime).digest("hex").slice(0, 32);
  return path.join(r2dCacheDir(env), "v8", `${key}${CACHE_SUFFIX}`);
}

/**
 * The kept code, read only from a regular file of this user's that no one else may write, never
 * through a symbolic link: V8 runs what it holds.
 */
export function readCompileCache(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    const st = fstatSync(fd);
    const ours = process.getuid === undefined || st.uid === process.getuid();
    if (!st.isFile() || !ours || (st.mode & 0o022) !== 0) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes the code atomically (a new file beside it, then a rename), private to the user: folder
 * 0700, file 0600. Returns false when it could not (a read-only or foreign home, a full disk).
 */
export function writeCompileCache(file: string, data: Buffer): boolean {
  const dir = path.dirname(file);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(temp, data, { flag: "wx", mode: 0o600 });
    renameSync(temp, file);
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // never made
    }
    return false;
  }
  removeStaleCaches(dir, file);
  return true;
}

/** Each build of r2d has a file of its own: old ones go (one still in use is simply written again). */
function removeStaleCaches(dir: string, keep: string): void {
  try {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (!name.endsWith(CACHE_SUFFIX) || file === keep) continue;
      if (Date.now() - statSync(file).mtimeMs > STALE_MS) unlinkSync(file);
    }
  } catch {
    // another r2d may be pruning too
  }
}

export interface CompiledWithCache {
  script: vm.Script;
  state: CompileCacheState;
  /** Where the code is kept, undefined when the cache is off. */
  file?: string;
  /** Makes the code V8 has now (the functions run so far included) and keeps it; false when it could not. */
  save(): boolean;
}

/**
 * Compiles a CommonJS file as Node's loader would wrap it, with the kept code when there is some.
 * Saving is left to the caller: after the run, the code also covers the functions the run compiled.
 */
export function compileWithCache(file: string, env: NodeJS.ProcessEnv = process.env): CompiledWithCache {
  const source = readFileSync(file);
  const cacheFile = env[NO_COMPILE_CACHE_ENV] ? undefined : cacheFileOrNone(source, env);
  const cachedData = cacheFile === undefined ? undefined : readCompileCache(cacheFile);
  const script = new vm.Script(Module.wrap(source.toString("utf8")), {
    filename: file,
    cachedData,
    // A dynamic import in the bundle resolves as in a file Node loaded itself (with an ExperimentalWarning
    // under Node 20: esbuild inlines the sources' dynamic imports, and test/cli/bundle.test.ts checks none is left).
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const state: CompileCacheState = cacheFile === undefined ? "off" : cachedData === undefined ? "none" : script.cachedDataRejected ? "rejected" : "accepted";
  return { script, state, file: cacheFile, save: () => cacheFile !== undefined && saveCode(script, cacheFile) };
}

function saveCode(script: vm.Script, cacheFile: string): boolean {
  try {
    return writeCompileCache(cacheFile, script.createCachedData());
  } catch {
    return false; // at exit: never a reason to fail
  }
}

type CommonJsWrapper = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;

/** Runs a script compileWithCache made with what Node gives a CommonJS module; returns its exports. */
export function runCommonJs(script: vm.Script, file: string): unknown {
  const module: { exports: unknown; filename: string; id: string } = { exports: {}, filename: file, id: file };
  const wrapper = script.runInThisContext() as CommonJsWrapper;
  wrapper.call(module.exports, module.exports as object, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

function cacheFileOrNone(source: Buffer, env: NodeJS.ProcessEnv): string | undefined {
  try {
    return compileCacheFile(source, env);
  } catch {
    return undefined; // no home folder to put it in
  }
}
