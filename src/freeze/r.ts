/**
 * R libraries (the user library /srv/rlibs of the r and renv packs): the installed packages read
 * with `Rscript -e 'installed.packages(...)'` in a throw-away container of the image (no network),
 * written as renv.lock, which the renv pack installs at exactly those versions. Packages that
 * come with R (a priority set), the repository's own package and packages installed from GitHub
 * and the like (a RemoteType) are not pinned.
 */
import { R_LIBS, defaultCran } from "../buildpacks/r.js";
import { parseRenvLock, R_PACKAGE_NAME, R_PACKAGE_VERSION, type RenvLock } from "../detect/renv-lock.js";
import { runContainer } from "../engine/index.js";
import { ConfigError, UnsupportedError } from "../errors.js";
import type { FreezeInput, Freezer } from "./types.js";

/** One tab-separated line per package, after a line with R's version and the image's CRAN option. */
const FIELDS = ["Package", "Version", "Repository", "Priority", "RemoteType", "Depends", "Imports", "LinkingTo"] as const;
const READ_LIBRARY = [
  `ip <- installed.packages(lib.loc = ${JSON.stringify(R_LIBS)}, fields = c("Repository", "RemoteType"))`,
  `clean <- function(x) ifelse(is.na(x), "", gsub("[\\t\\r\\n]+", " ", x))`,
  `repos <- getOption("repos")`,
  `cat("R", paste(R.version$major, R.version$minor, sep = "."), clean(if ("CRAN" %in% names(repos)) unname(repos["CRAN"]) else NA), sep = "\\t"); cat("\\n")`,
  `for (i in seq_len(nrow(ip))) cat(paste(clean(ip[i, c(${FIELDS.map((f) => JSON.stringify(f)).join(", ")})]), collapse = "\\t"), "\\n", sep = "")`,
].join("\n");

/** Repository names R packages carry when they came from CRAN or a mirror of it (Posit's builds say RSPM). */
const CRAN_NAMES = new Set(["", "CRAN", "RSPM"]);
const FALLBACK_CRAN = "https://cloud.r-project.org";

export type Row = Record<(typeof FIELDS)[number], string>;

export const rFreezer: Freezer = {
  packs: ["r", "renv"],
  reads: "R libraries (the r and renv packs)",
  async freeze(input) {
    const conda = input.built.facts.files.environment;
    if (input.built.plan.buildpack === "r" && conda) {
      // The renv pack installs into rocker's R: a lock would drop the conda environment at the next build.
      throw new UnsupportedError("r2d freeze does not read R in a conda environment: renv.lock is installed with rocker's R, without environment.yml", { location: { file: conda.path }, hint: "pin R packages in environment.yml (r-* conda packages) instead" });
    }
    const { rVersion, imageCran, rows } = await readLibrary(input);
    const { kept, skipped } = pinnable(rows, input.built.facts.files.description?.data?.package);
    const previous = previousLock(await input.read("renv.lock"));
    const text = renvLockText(kept, rVersion, cranUrl(input, imageCran), previous);
    parseRenvLock(text, "renv.lock"); // What the renv pack will read: refused here rather than at the next build.
    return { files: [{ name: "renv.lock", text, pins: renvPins }], packages: kept.map((p) => ({ name: p.Package, version: p.Version })).sort((a, b) => a.name.localeCompare(b.name)), skipped };
  },
};

/** name → version of what a renv.lock pins (none when it is absent or unreadable). */
export function renvPins(text: string | null): Map<string, string> {
  return new Map(previousLock(text)?.packages.map((p) => [p.name, p.version]) ?? []);
}

/** The packages a lock pins, and why the others are not pinned. */
export function pinnable(rows: readonly Row[], own: string | undefined): { kept: Row[]; skipped: string[] } {
  const skipped: string[] = [];
  const kept = rows.filter((p) => {
    const why = !R_PACKAGE_NAME.test(p.Package) || !R_PACKAGE_VERSION.test(p.Version) ? "not an R package name and version r2d accepts"
      : p.Package === own ? "the repository's own package (DESCRIPTION)"
      : p.Priority ? `comes with R (priority ${p.Priority})`
      : p.RemoteType ? `installed from ${p.RemoteType}, not from a repository`
      : CRAN_NAMES.has(p.Repository) ? null : `from the repository ${p.Repository}, whose URL r2d does not know`;
    if (why) skipped.push(`${p.Package} ${p.Version}: ${why}`);
    return !why;
  });
  return { kept, skipped };
}

function previousLock(text: string | null): RenvLock | null {
  try {
    return text ? parseRenvLock(text) : null;
  } catch {
    return null;
  }
}

/** The URL of the repository named CRAN: --cran-mirror (without credentials), else runtime.txt's snapshot, else the image's, else CRAN's cloud mirror. */
function cranUrl({ options, built }: FreezeInput, imageCran: string): string {
  if (options.cranMirror) {
    const url = new URL(options.cranMirror);
    url.username = "";
    url.password = "";
    return url.href.replace(/\/+$/, "");
  }
  const runtime = built.facts.files.runtime?.data;
  const snapshot = runtime?.name === "r" ? defaultCran(runtime.date) : "";
  return snapshot || (/^https?:\/\//.test(imageCran) ? imageCran.replace(/\/+$/, "") : FALLBACK_CRAN);
}

/** renv.lock: R's version, the repositories (a previous lock's are kept, with each package's), the packages by name. */
export function renvLockText(rows: readonly Row[], rVersion: string, cran: string, previous: RenvLock | null): string {
  const repositories = [...(previous?.repositories ?? [])];
  const before = new Map(previous?.packages.map((p) => [p.name, p.repository]));
  const names = new Set(rows.map((p) => p.Package));
  const packages: Record<string, unknown> = {};
  for (const p of [...rows].sort((a, b) => a.Package.localeCompare(b.Package))) {
    const repository = before.get(p.Package) ?? "CRAN";
    if (!repositories.some((r) => r.name === repository)) repositories.push({ name: repository, url: cran });
    const requirements = [...new Set([p.Depends, p.Imports, p.LinkingTo].flatMap(dependencyNames))].filter((n) => names.has(n) && n !== p.Package).sort();
    packages[p.Package] = { Package: p.Package, Version: p.Version, Source: "Repository", Repository: repository, ...(requirements.length ? { Requirements: requirements } : {}) };
  }
  const lock = { R: { Version: rVersion, Repositories: repositories.map((r) => ({ Name: r.name, URL: r.url })) }, Packages: packages };
  return `${JSON.stringify(lock, null, 2)}\n`;
}

/** `pkgA (>= 1.0), pkgB` → its package names. */
function dependencyNames(field: string): string[] {
  return field.split(",").map((d) => d.replace(/\(.*$/, "").trim()).filter((d) => d && d !== "R");
}

/** The library as R reports it, in a container of the image without network. */
async function readLibrary({ engine, built, options }: FreezeInput): Promise<{ rVersion: string; imageCran: string; rows: Row[] }> {
  const image = built.imageName;
  const result = await runContainer(engine, {
    image, command: ["-e", READ_LIBRARY], env: [], publish: [], volumes: [],
    network: "none", platform: options.platform, remove: true, interactive: false, tty: false, extra: ["--entrypoint", "Rscript"],
  }, { signal: options.signal });
  const hint = "r2d freeze runs Rscript in the image: it needs R on the PATH";
  if (result.exitCode !== 0) throw new UnsupportedError(`Rscript failed in the image (exit ${result.exitCode}): ${result.stderr.trim().split("\n").at(-1) ?? ""}`, { location: { file: image }, hint });
  const [head = "", ...lines] = result.stdout.split("\n");
  const [tag, rVersion = "", imageCran = ""] = head.split("\t");
  if (tag !== "R" || !/^\d+\.\d+\.\d+$/.test(rVersion)) throw new UnsupportedError("Rscript did not report the image's R version", { location: { file: image }, hint });
  const rows = lines.filter((l) => l.trim()).map((line) => Object.fromEntries(FIELDS.map((f, i) => [f, line.split("\t")[i]?.trim() ?? ""])) as Row);
  if (rows.some((p) => !p.Package)) throw new ConfigError("Rscript reported a package without a name", { location: { file: image }, hint });
  return { rVersion, imageCran, rows };
}
