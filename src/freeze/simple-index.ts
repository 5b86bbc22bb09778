/**
 * Hashes of a pinned package from its index's simple API (PEP 503 pages carry `#sha256=` on every
 * file link): what `r2d freeze` pins, so the next build accepts only those files. The page is read by
 * r2d itself (no process), with the index's credentials sent as a header and never written out.
 */
import { ConfigError } from "../errors.js";

export interface IndexFile {
  /** The file's name (a wheel or an sdist). */
  name: string;
  /** Its URL, credentials removed. */
  url: string;
  sha256: string;
}

export const DEFAULT_INDEX = "https://pypi.org/simple";

const normalize = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "-");

/** The version part of a distribution's file name (wheel: second field; sdist: after the last dash). */
export function fileVersion(file: string): string | null {
  if (file.endsWith(".whl")) return file.split("-")[1] ?? null;
  const m = /^(.+)-([^-]+)\.(tar\.gz|zip|tar\.bz2)$/.exec(file);
  return m ? m[2]! : null;
}

/** The links of a PEP 503 page: file name, absolute URL, sha256 (links without one are skipped). */
export function parseSimplePage(html: string, pageUrl: string): IndexFile[] {
  const files: IndexFile[] = [];
  for (const m of html.matchAll(/<a\s[^>]*?href\s*=\s*"([^"]*)"[^>]*>([^<]*)<\/a>/gi)) {
    const href = m[1]!.replace(/&amp;/g, "&");
    const hash = /#sha256=([0-9a-fA-F]{64})$/.exec(href);
    if (!hash) continue;
    const url = new URL(href, pageUrl);
    url.username = "";
    url.password = "";
    url.hash = "";
    files.push({ name: m[2]!.trim(), url: url.href, sha256: hash[1]!.toLowerCase() });
  }
  return files;
}

/** The files of `name==version` on the index, each with its sha256. */
export async function indexFiles(index: string, name: string, version: string, signal?: AbortSignal): Promise<IndexFile[]> {
  const page = new URL(`${index.replace(/\/+$/, "")}/${normalize(name)}/`);
  const headers: Record<string, string> = { Accept: "text/html" };
  if (page.username || page.password) {
    headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(page.username)}:${decodeURIComponent(page.password)}`).toString("base64")}`;
    page.username = "";
    page.password = "";
  }
  const shown = page.href;
  let html: string;
  try {
    const response = await fetch(page, { headers, signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(60_000)]) : AbortSignal.timeout(60_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    html = await response.text();
  } catch (err) {
    throw new ConfigError(`cannot read the index page of ${name} (${shown}): ${err instanceof Error ? err.message : String(err)}`, { location: { file: "--pip-index-url" }, hint: "r2d freeze reads the hashes from the index the image was built from: give the same --pip-index-url" });
  }
  const wanted = version.toLowerCase();
  return parseSimplePage(html, shown).filter((f) => fileVersion(f.name)?.toLowerCase().replace(/_/g, "-") === wanted.replace(/_/g, "-"));
}
