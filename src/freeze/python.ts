/**
 * Python virtual environments (/srv/venv): `pip inspect` in a throw-away container of the image,
 * each package pinned with the hashes its index publishes, written as pylock.toml (the pylock pack).
 */
import { parsePylockToml } from "../detect/pylock-toml.js";
import { runContainer } from "../engine/index.js";
import { ConfigError, UnsupportedError } from "../errors.js";
import { pylockText, type FrozenPackage } from "./pylock-writer.js";
import { DEFAULT_INDEX, indexFiles } from "./simple-index.js";
import type { FreezeInput, Freezer } from "./types.js";

/** What pip freeze leaves out too: the venv's own tools. */
const TOOLS = new Set(["pip", "setuptools", "wheel", "distribute"]);

interface Installed {
  name: string;
  version: string;
  direct: boolean;
}

export const pythonFreezer: Freezer = {
  packs: ["python", "pylock", "uv", "poetry"],
  file: "pylock.toml",
  reads: "Python virtual environments (requirements.txt, setup.py, pyproject.toml and the lock files)",
  async freeze(input) {
    const { options } = input;
    const { python, installed } = await installedPackages(input);
    const index = options.pipIndexUrl ?? DEFAULT_INDEX;
    const frozen: FrozenPackage[] = [];
    const skipped: string[] = [];
    for (const p of installed) {
      if (TOOLS.has(p.name.toLowerCase())) continue;
      if (p.direct) { skipped.push(`${p.name} ${p.version}: installed from a path or URL, not from the index`); continue; }
      const files = await indexFiles(index, p.name, p.version, options.signal);
      if (!files.length) throw new ConfigError(`the index has no files of ${p.name} ${p.version} with sha256 hashes`, { location: { file: "--pip-index-url" }, hint: "freeze with the index the image was built from (--pip-index-url)" });
      frozen.push({ name: p.name, version: p.version, files });
    }
    return { text: pylockText(frozen, python), packages: frozen.map(({ name, version }) => ({ name, version })), skipped };
  },
  pins(text) {
    try {
      return new Map(text ? parsePylockToml(text).packages.map((p) => [p.name, p.version]) : []);
    } catch {
      return new Map();
    }
  },
};

/** `pip inspect` in a throw-away container of the image (no network): name, version, installed from a URL or path. */
async function installedPackages({ engine, built, options }: FreezeInput): Promise<{ python: string; installed: Installed[] }> {
  const image = built.imageName;
  const result = await runContainer(engine, {
    image, command: ["-m", "pip", "inspect", "--local"], env: ["PIP_DISABLE_PIP_VERSION_CHECK=1"], publish: [], volumes: [],
    network: "none", platform: options.platform, remove: true, interactive: false, tty: false, extra: ["--entrypoint", "python"],
  }, { signal: options.signal });
  if (result.exitCode !== 0) throw new UnsupportedError(`pip inspect failed in the image (exit ${result.exitCode}): ${result.stderr.trim().split("\n").at(-1) ?? ""}`, { location: { file: image }, hint: "r2d freeze needs pip 22.2 or newer in the image's environment" });
  const data = JSON.parse(result.stdout) as { environment?: { python_version?: string }; installed?: { metadata?: { name?: string; version?: string }; direct_url?: unknown }[] };
  const python = data.environment?.python_version ?? "";
  if (!/^\d+\.\d+$/.test(python)) throw new UnsupportedError("pip inspect did not report the image's Python version", { location: { file: image }, hint: "r2d freeze needs pip 22.2 or newer in the image's environment" });
  return { python, installed: (data.installed ?? []).map((d) => ({ name: String(d.metadata?.name), version: String(d.metadata?.version), direct: d.direct_url !== undefined })) };
}
