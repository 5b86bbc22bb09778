#!/usr/bin/env node
/**
 * The CLI as installed (`bin`: dist/bin/r2d.js, CommonJS): runs the bundle dist/bin/r2d-cli.cjs,
 * compiled with the V8 code kept from an earlier run (compile-cache.ts), and keeps it when there
 * was none or V8 refused it. scripts/bundle.mjs makes both files.
 */
import { fileURLToPath } from "node:url";
import { setR2dV8Flags } from "../v8-flags.js";
import { COMPILE_CACHE_DEBUG_ENV, compileWithCache, runCommonJs } from "./compile-cache.js";

// The bundle sets these when it loads; V8 would refuse the cache it writes at exit under any others.
setR2dV8Flags();
const bundle = fileURLToPath(new URL("./r2d-cli.cjs", import.meta.url));
const debug = process.env[COMPILE_CACHE_DEBUG_ENV] ? (s: string) => process.stderr.write(`r2d: compile cache: ${s}\n`) : () => true;
const compiled = compileWithCache(bundle);
debug(`${compiled.state}${compiled.file ? ` ${compiled.file}` : ""}`);
// Saved at exit (the CLI ends with process.exit), when the code then covers what this run compiled
// too; registered first, as the bundle may exit before it returns.
if (compiled.state === "none" || compiled.state === "rejected") process.once("exit", () => debug(compiled.save() ? "written" : "not written"));
runCommonJs(compiled.script, bundle);
