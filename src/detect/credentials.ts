import { clipForMessage } from "../errors.js";

/** A URL with a password or token in it, found in a config file that will be copied into the image. */
export interface CredentialHit {
  line: number;
  /** The URL with the secret part replaced, for messages. */
  redacted: string;
}

// scheme://userinfo@host — userinfo with a password (`user:pass`), or a lone token-like user. The
// scheme is bounded (real ones are short): unbounded, a line like `a-a-a-…` is scanned from every
// word boundary to its end, quadratic in the line's length (minutes for a 4 MiB file).
const URL_WITH_USERINFO = /\b([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s/@:]+)(?::([^\s/@]*))?@([^\s/'"]+)/gi;
const TOKEN_LIKE = /^(gh[pousr]_|github_pat_|glpat-|xox[abp]-)|^[A-Za-z0-9_-]{24,}$/;

/** Lines holding credentials in URLs (`https://user:token@index/simple`); `ssh://git@host` is not one. */
export function findCredentials(text: string): CredentialHit[] {
  const hits: CredentialHit[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    for (const m of line.matchAll(URL_WITH_USERINFO)) {
      const [, scheme, user, password, host] = m;
      if ((password !== undefined && password !== "") || TOKEN_LIKE.test(user!)) {
        hits.push({ line: i + 1, redacted: clipForMessage(`${scheme}***@${host}`, 80) });
      }
    }
  });
  return hits;
}

/** Names that suggest a value is a credential (`author` is not). */
const SECRET_NAME = /token|secret|passw|pwd|credential|api[-_]?key|access[-_]?key|private[-_]?key|auth(?!or)/i;

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}
