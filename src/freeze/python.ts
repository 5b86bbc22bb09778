/**
 * Python virtual environments (/srv/venv): `pip inspect` in a throw-away container of the image,
 * each package pinned with the hashes its index publishes, written as pylock.toml (the pylock pack).
 * The conda freezer pins the packages pip put into a conda environment the same way.
 */
import { parsePylockToml } from "../detect/pylock-toml.js";
import { runContainer } from "../engine/index.js";
import { ConfigError, UnsupportedError } from "../errors.js";
import { pylockText, type FrozenPackage } from "./pylock-writer.js";
import { DEFAULT_INDEX, indexFiles } from "./simple-index.js";
import type { FreezeInput, FreezeOptions, Freezer } from "./types.js";

/** What pip freeze leaves out too: the environment's own tools. */
export const TOOLS = new Set(["pip", "setuptools", "wheel", "distribute"]);

export interface Installed {
  name: string;
  version: string;
  direct: boolean;
  /** Who installed it (`pip`, `conda`, or null when the package does not say). */
  installer: string | null;
}

export const pythonFreezer: Freezer = {
  packs: ["python", "pylock", "uv", "poetry"],
  reads: "Python virtual environments (requirements.txt, setup.py, pyproject.toml and the Python lock files)",
  async freeze(input) {
    const { python, installed } = await installedPackages(input);
    const { frozen, skipped } = await pinFromIndex(installed.filter((p) => !TOOLS.has(p.name.toLowerCase())), input.options);
    return {
      files: [{ name: "pylock.toml", text: pylockText(frozen, python), pins: pylockPins }],
      packages: frozen.map(({ name, version }) => ({ name, version })),
      skipped,
    };
  },
};

function pylockPins(text: string | null): Map<string, string> {
  try {
    return new Map(text ? parsePylockToml(text).packages.map((p) => [p.name, p.version]) : []);
  } catch {
    return new Map();
  }
}

/** Each package's files and sha256 hashes from the index; packages installed from a path or URL are skipped. */
export async function pinFromIndex(installed: readonly Installed[], options: FreezeOptions): Promise<{ frozen: FrozenPackage[]; skipped: string[] }> {
  const index = options.pipIndexUrl ?? DEFAULT_INDEX;
  const frozen: FrozenPackage[] = [];
  const skipped: string[] = [];
  for (const p of installed) {
    if (p.direct) {
      skipped.push(`${p.name} ${p.version}: installed from a path or URL, not from the index`);
      continue;
    }
    const files = await indexFiles(index, p.name, p.version, options.signal);
    if (!files.length) throw new ConfigError(`the index has no files of ${p.name} ${p.version} with sha256 hashes`, { location: { file: "--pip-index-url" }, hint: "freeze with the index the image was built from (--pip-index-url)" });
    frozen.push({ name: p.name, version: p.version, files });
  }
  return { frozen, skipped };
}

/** `pip inspect` in a throw-away container of the image (no network): name, version, installed from a URL or path, by whom. */
export async function installedPackages({ engine, built, options }: Pick<FreezeInput, "engine" | "built" | "options">): Promise<{ python: string; installed: Installed[] }> {
  const image = built.imageName;
  const result = await runContainer(engine, {
    image, command: ["-m", "pip", "inspect", "--local"], env: ["PIP_DISABLE_PIP_VERSION_CHECK=1"], publish: [], volumes: [],
    network: "none", platform: options.platform, remove: true, interactive: false, tty: false, extra: ["--entrypoint", "python"],
  }, { signal: options.signal });
  if (result.exitCode !== 0) throw new UnsupportedError(`pip inspect failed in the image (exit ${result.exitCode}): ${result.stderr.trim().split("\n").at(-1) ?? ""}`, { location: { file: image }, hint: "r2d freeze needs pip 22.2 or newer in the image's environment" });
  const data = JSON.parse(result.stdout) as { environment?: { python_version?: string }; installed?: { metadata?: { name?: string; version?: string }; direct_url?: unknown; installer?: unknown }[] };
  const python = data.environment?.python_version ?? "";
  if (!/^\d+\.\d+$/.test(python)) throw new UnsupportedError("pip inspect did not report the image's Python version", { location: { file: image }, hint: "r2d freeze needs pip 22.2 or newer in the image's environment" });
  return {
    python,
    installed: (data.installed ?? []).map((d) => ({ name: String(d.metadata?.name), version: String(d.metadata?.version), direct: d.direct_url !== undefined, installer: typeof d.installer === "string" ? d.installer.trim() : null })),
  };
}
