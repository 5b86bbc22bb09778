import type { ConfigError } from "../errors.js";

/**
 * A config file that exists. Parse errors are kept, not thrown: a malformed file that the chosen
 * buildpack ignores (a Pipfile beside environment.yml) must not stop the build.
 */
export interface Found<T> {
  /** Path relative to the build root, posix separators. */
  path: string;
  data?: T;
  error?: ConfigError;
}

/** The parsed content of a config file the plan depends on; rethrows its parse error. */
export function use<T>(found: Found<T>): T {
  if (found.error) throw found.error;
  return found.data as T;
}
