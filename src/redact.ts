/**
 * Credentials never leave the process: URLs are shown as `scheme://user:****@host/...`, and a run's
 * own secrets (index passwords, build argument values) are replaced wherever output is written.
 */
import { looksSecret } from "./detect/credentials.js";

export const MASK = "****";

// scheme://user[:password]@ — the user part stops at the first `:`; the password at the last `@` before a `/`.
// The scheme is bounded (real ones are short), so a long `a-a-a-…` line costs linear time, not quadratic.
const USERINFO = /\b([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s/@:'"]*)(?::([^\s/'"]*))?@(?=[^\s@/'"]*(?:[/\s'"]|$))/gi;
/** A user name that is really a token (`https://ghp_xxx@github.com`), unlike `git@` or `alice@`. */
const TOKEN_USER = /^(gh[pousr]_|github_pat_|glpat-|xox[abp]-)|^[A-Za-z0-9_-]{24,}$/;

/** Every URL in `text` with its password (or a token standing as the user) replaced by `****`. */
export function redactUrls(text: string): string {
  return text.replace(USERINFO, (match, scheme: string, user: string, password: string | undefined) => {
    if (password !== undefined && password !== "") return `${scheme}${user}:${MASK}@`;
    if (TOKEN_USER.test(user)) return `${scheme}${MASK}@`;
    return match;
  });
}

/** One URL for display: `https://alice:****@index.example.org/simple`. */
export function redactUrl(url: string): string {
  return redactUrls(url);
}

/** The password of a URL (raw and percent-decoded), or a token standing as its user. */
function urlSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const raw = parsed.password || (TOKEN_USER.test(parsed.username) ? parsed.username : "");
  if (!raw) return [];
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // Not valid percent-encoding: the raw text is what appears.
  }
  return [...new Set([raw, decoded])];
}

export interface RunSecretOptions {
  buildArgs?: Record<string, string>;
  /** Labels whose names look like credentials are hidden too (the image keeps them; output does not). */
  labels?: Record<string, string>;
  pipIndexUrl?: string;
  pipExtraIndexUrls?: string[];
  cranMirror?: string;
  /** Other values known to be secret (the action's masked inputs). */
  extra?: string[];
  /**
   * With --debug, build argument values are shown (they are not secrets in Docker's model), except
   * those whose names look like credentials.
   */
  debug?: boolean;
}

/** Values shorter than this are replaced only where they follow their `NAME=`, not wherever they occur. */
const BARE_MIN = 4;

/**
 * A function that hides this run's secrets in any text: `NAME=value` of hidden build arguments,
 * secret values themselves (when long enough not to be ordinary words), and every URL's password.
 */
export function makeScrubber(opts: RunSecretOptions): (text: string) => string {
  const hidden = Object.entries(opts.buildArgs ?? {}).filter(([name, value]) => value !== "" && (!opts.debug || looksSecret(name)));
  const pairs = hidden.map(([name, value]) => [`${name}=${value}`, `${name}=${MASK}`] as const);
  // Credential-like values go wherever they appear; other build arguments only as `NAME=value`
  // (the command line), so a value such as 3.11 does not vanish from unrelated messages.
  const values = [
    ...hidden.filter(([name]) => looksSecret(name)).map(([, value]) => value),
    ...Object.entries(opts.labels ?? {}).filter(([name]) => looksSecret(name)).map(([, value]) => value),
    ...[opts.pipIndexUrl, ...(opts.pipExtraIndexUrls ?? []), opts.cranMirror].flatMap((u) => (u ? urlSecrets(u) : [])),
    ...(opts.extra ?? []),
  ].filter((v) => v.length >= BARE_MIN);
  // Longest first, so a secret that contains another is replaced whole.
  const bare = [...new Set(values)].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const [from, to] of pairs) out = out.split(from).join(to);
    for (const value of bare) out = out.split(value).join(MASK);
    return redactUrls(out);
  };
}

/** A copy of `value` with every string in it scrubbed (for events written as JSON). */
export function scrubDeep<T>(value: T, scrub: (text: string) => string): T {
  if (typeof value === "string") return scrub(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => scrubDeep(v, scrub)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, scrub)])) as T;
  }
  return value;
}

/** The error with its message, stack and build log scrubbed in place (before it is printed). */
export function scrubError<T>(err: T, scrub: (text: string) => string): T {
  if (err && typeof err === "object") {
    const e = err as { message?: unknown; stack?: unknown; log?: unknown };
    for (const key of ["message", "stack", "log"] as const) {
      if (typeof e[key] === "string") Object.defineProperty(e, key, { value: scrub(e[key]), writable: true, configurable: true });
    }
  }
  return err;
}
