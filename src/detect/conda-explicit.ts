/**
 * An explicit conda list (`conda list --explicit`, conda-lock's `--kind explicit`): `@EXPLICIT`
 * then one package URL per line, each with its md5 or sha256. micromamba installs it as is, with no
 * solve; r2d checks every line (nothing else may reach the file micromamba reads) and its platform.
 */
import { checkUrl, lockError } from "./lock-common.js";

export interface CondaExplicit {
  /** The `# platform:` line's subdir (linux-64, linux-aarch64), or null. */
  platform: string | null;
  /** X.Y of the `python` package it lists, or null. */
  python: string | null;
  packages: number;
}

const HINT = "write it with `conda list --explicit --md5` or `conda-lock --kind explicit`";

export function parseCondaExplicit(text: string, file = "conda-linux-64.lock"): CondaExplicit {
  let explicit = false;
  let platform: string | null = null;
  let python: string | null = null;
  let packages = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    const where = { file, line: i + 1 };
    if (!line) return;
    const p = /^#\s*platform:\s*(\S+)$/.exec(line);
    if (p) platform = p[1]!;
    if (line.startsWith("#")) return;
    if (line === "@EXPLICIT") { explicit = true; return; }
    if (!explicit) throw lockError("has a package line before @EXPLICIT", where, HINT);
    const m = /^(\S+?)#([0-9a-f]{32}|sha256:[0-9a-f]{64})$/.exec(line);
    if (!m) throw lockError("has a line that is not a package URL with its md5 or sha256 (URL#hash)", where, HINT);
    const url = checkUrl(m[1], `on line ${i + 1}`, where);
    if (!/\.(conda|tar\.bz2)$/.test(url)) throw lockError("has a URL that is not a conda package (.conda or .tar.bz2)", where, HINT);
    const py = /\/python-(\d+\.\d+)\.[^/-]+-[^/]+$/.exec(url);
    if (py) python = py[1]!;
    packages++;
  });
  if (!explicit) throw lockError("has no @EXPLICIT line: it is not an explicit conda list", { file }, HINT);
  return { platform, python, packages };
}
