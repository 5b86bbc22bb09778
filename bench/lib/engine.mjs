// The Docker engine the benchmark builds with.
//
// By default the benchmark starts its own dockerd (Debian's 20.10, the one the integration tests
// use) with a data root under the work directory, and loads the test base image into it from the
// shared engine. Emptying the build cache between cold builds (`docker builder prune -af`) then
// touches nothing but the benchmark's own cache: on the shared engine it would also wipe the cache
// of every other build running on the machine. `--shared-engine` uses the shared engine instead.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { log, must, run } from "./util.mjs";

export const DOCKER = "/usr/bin/docker"; // never /usr/local/bin/docker: a 28.x client without buildx
const DOCKERD = "/usr/sbin/dockerd";

export class Engine {
  constructor({ host, own, dir }) {
    this.host = host; // DOCKER_HOST value
    this.own = own;
    this.dir = dir;
  }

  get env() {
    return { DOCKER_HOST: this.host, DOCKER_BUILDKIT: "1" };
  }

  docker(args, opts = {}) {
    return run(DOCKER, args, { ...opts, env: { ...this.env, ...(opts.env ?? {}) } });
  }

  mustDocker(args, opts = {}) {
    return must(DOCKER, args, { ...opts, env: { ...this.env, ...(opts.env ?? {}) } });
  }

  async answers() {
    const r = await this.docker(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 10_000 });
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  async imageId(ref) {
    const r = await this.docker(["image", "inspect", "-f", "{{.Id}}", ref]);
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  async imageSize(ref) {
    const r = await this.mustDocker(["image", "inspect", "-f", "{{.Size}}", ref]);
    return Number(r.stdout.trim());
  }

  /** Layers newest first: { size, createdBy }. */
  async history(ref) {
    const r = await this.mustDocker(["history", "--no-trunc", "--human=false", "--format", "{{.Size}}\t{{.CreatedBy}}", ref]);
    return r.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [size, ...rest] = l.split("\t");
        return { size: Number(size), createdBy: rest.join("\t") };
      });
  }

  /** Empty the build cache (layers and cache mounts) and remove the benchmark's images. */
  async coldReset(imagePrefix) {
    const r = await this.docker(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "--filter", `reference=${imagePrefix}*`]);
    const refs = r.stdout.split("\n").filter((x) => x && !x.endsWith(":<none>"));
    if (refs.length) await this.docker(["image", "rm", "-f", ...refs]);
    await this.docker(["image", "prune", "-f"]);
    await this.mustDocker(["builder", "prune", "-af"]);
  }
}

/** The shared engine (DOCKER_HOST from the environment, else the default socket). */
export function sharedEngine() {
  return new Engine({ host: process.env.DOCKER_HOST || "unix:///var/run/docker.sock", own: false });
}

/** Start (or reuse, when a previous --keep run left it) a private dockerd under `dir`. */
export async function startPrivateEngine(dir) {
  mkdirSync(dir, { recursive: true });
  const sock = path.join(dir, "docker.sock");
  const engine = new Engine({ host: `unix://${sock}`, own: true, dir });
  if (await engine.answers()) {
    log(`reusing the benchmark's dockerd (${sock})`);
    return engine;
  }
  log(`starting a private dockerd (data root ${dir}/data, log ${dir}/dockerd.log)`);
  const child = spawn(
    "setsid",
    [
      "-f",
      "sh",
      "-c",
      'exec "$@" >>"$LOG" 2>&1 </dev/null',
      "sh",
      DOCKERD,
      "--bridge=none",
      "--iptables=false",
      "--ip6tables=false",
      `--data-root=${dir}/data`,
      `--exec-root=${dir}/exec`,
      `--pidfile=${dir}/dockerd.pid`,
      `--host=unix://${sock}`,
    ],
    { env: { ...process.env, LOG: path.join(dir, "dockerd.log") }, stdio: "ignore", detached: true },
  );
  child.unref();
  for (let i = 0; i < 120; i++) {
    if (await engine.answers()) return engine;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the private dockerd did not answer within 60 s (see ${dir}/dockerd.log)`);
}

/** Stop the private dockerd started by startPrivateEngine (by its pid file only). */
export async function stopPrivateEngine(engine) {
  if (!engine.own) return;
  const pidFile = path.join(engine.dir, "dockerd.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  if (!pid) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 60; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`dockerd ${pid} did not stop within 30 s`);
}

/** Make sure `ref` exists in `engine` with the same id as in `from` (docker save | docker load). */
export async function ensureImage(engine, from, ref) {
  const want = await from.imageId(ref);
  if (!want) throw new Error(`${ref} is not in the shared engine: run \`bash test/infra/setup.sh\` first`);
  if ((await engine.imageId(ref)) === want) return want;
  log(`loading ${ref} into the benchmark's engine`);
  await must("sh", ["-c", `"${DOCKER}" save "$REF" | DOCKER_HOST="$TO" "${DOCKER}" load`], {
    env: { DOCKER_HOST: from.host, TO: engine.host, REF: ref },
  });
  const got = await engine.imageId(ref);
  if (got !== want) throw new Error(`loading ${ref} gave ${got}, expected ${want}`);
  return got;
}
