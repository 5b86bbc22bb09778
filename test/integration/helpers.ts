/**
 * Shared pieces of the integration tests: repositories written into temp dirs, unique image
 * names removed afterwards, `docker run` of a built image, and the compiled CLI.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { execa, type Result } from "execa";
import type { BuildRepoOptions, R2dEvent } from "../../src/index.js";
import { REPO_ROOT, type Infra } from "../helpers/infra.js";
import { TempFiles, type Tree } from "../helpers/repo.js";

/**
 * What one test file creates: temp dirs and images, all removed by `dispose()` (in afterAll).
 * Image names are unique per run: `r2d-itg/<case>:<random>`.
 */
export class Scope {
  private readonly files = new TempFiles();
  private readonly images = new Set<string>();

  constructor(private readonly infra: () => Infra) {}

  /** A temp directory (removed afterwards). */
  tmp(prefix = "r2d-itg-"): Promise<string> {
    return this.files.dir(prefix);
  }

  /** A repository written into a fresh temp dir; returns its path. */
  repo(tree: Tree): Promise<string> {
    return this.files.repo(tree, "r2d-itg-repo-");
  }

  /** A unique image name, removed in dispose(). */
  image(name: string): string {
    const tag = `r2d-itg/${name}:${randomBytes(4).toString("hex")}`;
    this.images.add(tag);
    return tag;
  }

  async dispose(): Promise<void> {
    if (this.images.size) {
      await execa(this.infra().docker, ["image", "rm", "--force", ...this.images], { reject: false });
    }
    await this.files.cleanup().catch(() => {});
  }
}

/** buildRepo options every test uses: local base image, host network for the build, the local indexes. */
export function buildOptions(infra: Infra, extra: BuildRepoOptions = {}): BuildRepoOptions {
  return {
    baseImage: infra.basePython,
    buildNetwork: "host",
    pipIndexUrl: infra.pipIndex,
    cranMirror: infra.cran,
    run: false,
    ...extra,
  };
}

/** Collects buildRepo events; `warnings` are the warn-level messages. */
export function eventLog(): { onEvent: (e: R2dEvent) => void; events: R2dEvent[]; warnings: () => string[] } {
  const events: R2dEvent[] = [];
  return {
    events,
    onEvent: (e) => {
      if (e.type !== "progress") events.push(e);
    },
    warnings: () => events.flatMap((e) => (e.type === "message" && e.level === "warn" ? [e.text] : [])),
  };
}

export function docker(infra: Infra, args: string[], opts: { input?: string } = {}): Promise<Result<{ reject: false }>> {
  return execa(infra.docker, args, { reject: false, ...opts });
}

const RUN_TIMEOUT_MS = 120_000;

/** `docker run --rm --network none [opts] IMAGE CMD...` (the image's entrypoint stays in place), stopped after 2 minutes. */
export async function runImage(
  infra: Infra,
  image: string,
  command: string[],
  opts: { user?: string; volumes?: string[]; env?: string[] } = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const name = `r2d-itg-run-${randomBytes(6).toString("hex")}`;
  const args = ["run", "--rm", "--name", name, "--network", "none"];
  if (opts.user) args.push("--user", opts.user);
  for (const v of opts.volumes ?? []) args.push("-v", v);
  for (const e of opts.env ?? []) args.push("-e", e);
  const r = await execa(infra.docker, [...args, image, ...command], { reject: false, timeout: RUN_TIMEOUT_MS });
  if (r.timedOut) {
    await docker(infra, ["rm", "--force", name]);
    throw new Error(`\`${command.join(" ")}\` in ${image} did not finish within ${RUN_TIMEOUT_MS / 1000} s`);
  }
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** `bash -c SCRIPT` in the image; throws with the output when it fails. */
export async function sh(infra: Infra, image: string, scriptText: string, opts: Parameters<typeof runImage>[3] = {}): Promise<string> {
  const r = await runImage(infra, image, ["bash", "-c", scriptText], opts);
  if (r.exitCode !== 0) throw new Error(`\`${scriptText}\` in ${image} exited ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout.trim();
}

/** The image id a name points at, or null when there is no such image. */
export async function imageId(infra: Infra, name: string): Promise<string | null> {
  const r = await docker(infra, ["image", "inspect", "-f", "{{.Id}}", name]);
  return r.exitCode === 0 ? String(r.stdout).trim() : null;
}

/** `docker image inspect` as JSON. */
export async function inspect(infra: Infra, name: string): Promise<{ Id: string; Config: { Labels: Record<string, string> | null; Cmd: string[] | null; User: string; Env: string[] } }> {
  const r = await docker(infra, ["image", "inspect", name]);
  if (r.exitCode !== 0) throw new Error(`docker image inspect ${name}: ${r.stderr}`);
  return (JSON.parse(String(r.stdout)) as never[])[0]!;
}

/** The build step whose name contains `text` (e.g. "pip install"). */
export function step<T extends { name: string }>(steps: T[] | undefined, text: string): T {
  const found = (steps ?? []).find((s) => s.name.includes(text));
  if (!found) throw new Error(`no build step contains "${text}": ${(steps ?? []).map((s) => s.name).join(" | ")}`);
  return found;
}

export const CLI = path.join(REPO_ROOT, "dist", "cli", "main.js");

/** Compiles src/ to dist/ (the CLI the tests run), so they never run a stale build. */
export async function compileCli(): Promise<void> {
  await execa("npx", ["tsc", "-p", "."], { cwd: REPO_ROOT });
}

/** Runs the compiled CLI (`node dist/cli/main.js ARGS`), never rejecting. */
export async function cli(args: string[], opts: { env?: Record<string, string> } = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa(process.execPath, [CLI, ...args], { reject: false, cwd: REPO_ROOT, env: opts.env, stdin: "ignore" });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
