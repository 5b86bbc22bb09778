import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { tempDir, writeTree, type Tree } from "../helpers/repo.js";

/**
 * A repository next to an "outside" folder holding a marker file: every test asserts that the
 * marker (and the process environment, reached through /proc/self/environ) never shows up in a
 * message. Layout: <tmp>/repo (the repository), <tmp>/outside/secret.txt (the marker). In the
 * files given, a symlink target starting with OUTSIDE or REPO starts with that folder instead.
 */
export interface Jail {
  tmp: string;
  repo: string;
  outside: string;
  marker: string;
  /** Every piece of outside content that must never appear in output. */
  secrets(): Promise<string[]>;
  cleanup(): Promise<void>;
}

export async function makeJail(files: Tree = {}): Promise<Jail> {
  const d = await tempDir("r2d-jail-");
  // Readable by others: one test reads as an unprivileged user.
  await chmod(d.path, 0o755);
  const marker = `R2D-OUTSIDE-MARKER-${randomBytes(6).toString("hex")}`;
  const repo = path.join(d.path, "repo");
  const outside = path.join(d.path, "outside");
  await mkdir(repo);
  await mkdir(outside);
  await writeFile(path.join(outside, "secret.txt"), `${marker}\nsecond line ${marker}\n`);
  await writeFile(path.join(outside, "requirements.txt"), `${marker}\n`);
  const placed = (target: string) => target.replace(/^OUTSIDE/, outside).replace(/^REPO/, repo);
  await writeTree(repo, Object.fromEntries(Object.entries(files).map(([rel, e]) => [rel, typeof e === "object" && "symlink" in e ? { symlink: placed(e.symlink) } : e])));
  process.env.R2D_TEST_ENV_MARKER = `${marker}-env`;
  return {
    tmp: d.path,
    repo,
    outside,
    marker,
    async secrets() {
      const environ = await readFile("/proc/self/environ", "utf8").catch(() => "");
      // Long environment values only: short ones (PWD=/, SHLVL=1) occur in any text by chance.
      const values = environ.split("\0").map((kv) => kv.slice(kv.indexOf("=") + 1)).filter((v) => v.length >= 24);
      // The marker in process.env reaches children's /proc/self/environ (the CLI test), not ours.
      return [marker, `${marker}-env`, ...values];
    },
    cleanup: () => d.cleanup(),
  };
}

/** Fails when any outside content appears in `text`. */
export async function expectNoSecrets(jail: Jail, text: string): Promise<void> {
  for (const secret of await jail.secrets()) {
    if (text.includes(secret)) throw new Error(`outside content leaked into output: ${JSON.stringify(secret.slice(0, 40))}`);
  }
}
