/**
 * The V8 flags r2d sets for itself, in one place: the context's patterns set them when loaded, and
 * the CLI's loader (cli/bin.ts) sets them before it compiles the bundle, because V8 refuses a code
 * cache made under other flags (cli/compile-cache.ts) and the cache is written at exit, after the
 * patterns have set theirs.
 */
import v8 from "node:v8";

/**
 * Patterns come from the repository and become backtracking regular expressions: `a*a*a*a*a*b`
 * against a long name would take hours (Docker's Go regexps are linear). V8 then switches a match
 * that backtracks too much to its linear-time engine.
 */
export const R2D_V8_FLAGS: readonly string[] = ["--enable-experimental-regexp-engine-on-excessive-backtracks"];

export function setR2dV8Flags(): void {
  for (const flag of R2D_V8_FLAGS) v8.setFlagsFromString(flag);
}
