// What r2d's own process costs: its start-up beside Node's (`r2d REPO --no-build --json` against
// `node -e 0`, interleaved, on repositories with up to 1M files under data directories), and the
// docker processes one rebuild starts (the exec layer logs each under --debug).
import { existsSync } from "node:fs";
import os from "node:os";
import { ensureBigRepo, changeOneLine } from "./fixtures.mjs";
import { fmtMs, log, median, minmax, run } from "./util.mjs";

const GNU_TIME = "/usr/bin/time";

/** One process, timed: wall ms (spawn to exit), and with GNU time its CPU ms and peak RSS. */
async function timed(cmd, args, opts = {}) {
  if (!existsSync(GNU_TIME)) {
    const r = await run(cmd, args, opts);
    return { code: r.code, ms: r.ms, stdout: r.stdout, stderr: r.stderr };
  }
  // GNU time writes its line last on stderr: elapsed is its own (10 ms steps), so wall comes from run().
  const r = await run(GNU_TIME, ["-f", "R2D_TIME %U %S %M", cmd, ...args], opts);
  const m = /R2D_TIME ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  return { code: r.code, ms: r.ms, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined, rssKiB: m ? Number(m[3]) : undefined, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `node -e 0`, then r2d on the tiny repository and on each big one, interleaved (the order rotates
 * every round), `rounds` times. The same Node binary runs both.
 */
export async function measureStartup({ cli, cliUnbundled, repos, rounds, env }) {
  const subjects = [
    { key: "node", label: "node -e 0", cmd: process.execPath, args: ["-e", "0"] },
    ...repos.map((r) => ({ key: `r2d-${r.files}`, label: `r2d --no-build --json (${r.files ? `${r.files.toLocaleString("en")} files` : "tiny"})`, files: r.files, cmd: process.execPath, args: [cli, r.dir, "--no-build", "--json"] })),
  ];
  if (cliUnbundled) subjects.push({ key: "unbundled", label: "the same, unbundled (dist/cli/main.js)", cmd: process.execPath, args: [cliUnbundled, repos[0].dir, "--no-build", "--json"] });
  const samples = Object.fromEntries(subjects.map((s) => [s.key, []]));
  const loadStart = os.loadavg()[0].toFixed(2);
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < subjects.length; k++) {
      const s = subjects[(k + i) % subjects.length];
      const r = await timed(s.cmd, s.args, { env });
      if (r.code !== 0) throw new Error(`${s.label} failed (exit ${r.code}): ${r.stderr.slice(-2000)}`);
      samples[s.key].push(r);
    }
  }
  const node = samples.node;
  const rows = subjects.map((s) => {
    const xs = samples[s.key];
    const paired = xs.map((x, i) => x.ms - node[i].ms);
    return {
      key: s.key,
      label: s.label,
      files: s.files,
      medianMs: median(xs.map((x) => x.ms)),
      rangeMs: minmax(xs.map((x) => x.ms)),
      cpuMs: median(xs.map((x) => x.cpuMs)),
      samplesMs: xs.map((x) => x.ms),
      overNodeMs: s.key === "node" ? 0 : median(paired),
      overNodeRangeMs: s.key === "node" ? undefined : paired,
      overNodeCpuMs: s.key === "node" ? 0 : median(xs.map((x, i) => x.cpuMs - node[i].cpuMs)),
      maxRssMiB: median(xs.map((x) => x.rssKiB)) / 1024,
    };
  });
  const tiny = rows.find((r) => r.key === "r2d-0");
  const big = rows.filter((r) => r.files > 0);
  const flat = big.every((r) => r.medianMs - tiny.medianMs <= Math.max(10, 0.2 * tiny.medianMs));
  log(`  start-up: node ${fmtMs(rows[0].medianMs)}, r2d tiny ${fmtMs(tiny.medianMs)} (+${fmtMs(tiny.overNodeMs)}), ${big.map((r) => `${r.files}: ${fmtMs(r.medianMs)}`).join(", ")}`);
  return { rounds, rows, load: { start: loadStart, end: os.loadavg()[0].toFixed(2) }, overNodeMs: tiny.overNodeMs, flat, flatRule: "r2d(N files) <= r2d(tiny) + max(10 ms, 20%)", target: "r2d tiny - node <= 60 ms", met: tiny.overNodeMs <= 60, timedWith: existsSync(GNU_TIME) ? "GNU time (CPU, peak RSS) around each process" : "wall only (no /usr/bin/time)" };
}

/** The start-up scenario: the planning repositories (tiny + the sizes), r2d's bundle beside Node. */
export async function scenarioStartup(ctx) {
  log("== 6. start-up: r2d --no-build --json beside node -e 0");
  const repos = [{ files: 0, dir: ctx.bigRepoDir(0) }, ...ctx.sizes.map((n) => ({ files: n, dir: ctx.bigRepoDir(n) }))];
  for (const r of repos) ensureBigRepo(r.dir, r.files);
  // Warm the page cache and the file system's metadata for every repository first.
  for (const r of repos) await run(process.execPath, [ctx.cli, r.dir, "--no-build", "--json"], { env: ctx.env });
  return measureStartup({ cli: ctx.cli, cliUnbundled: ctx.cliUnbundled, repos, rounds: ctx.rounds, env: ctx.env });
}

/** The docker processes a command line starts, from r2d's --debug log (`exec:` and `build:` lines). */
export function dockerProcesses(stderr) {
  const lines = stderr.split("\n").filter((l) => /^r2d: (exec|build|run): (\S+=\S*\s+)*\S*docker\s/.test(l));
  return { count: lines.length, commands: lines.map((l) => l.replace(/^r2d: /, "").replace(/\s+--(secret|iidfile|label)\s+\S+/g, "").slice(0, 140)) };
}

/**
 * Docker processes of one code-only rebuild: with the engine probe's kept answer (every run after
 * the first), and with none (a first run, or after the client or daemon changed).
 */
export async function countRebuildProcesses({ cli, repo, args, env, cacheDir, emptyCacheDir }) {
  const out = {};
  for (const [key, dir] of [["firstRun", emptyCacheDir], ["keptProbe", cacheDir]]) {
    changeOneLine(repo, 900 + Object.keys(out).length);
    await run("rm", ["-rf", emptyCacheDir]);
    const r = await run(process.execPath, [cli, repo, ...args, "--debug"], { env: { ...env, XDG_CACHE_HOME: dir } });
    if (r.code !== 0) throw new Error(`r2d --debug rebuild failed: ${r.stderr.slice(-2000)}`);
    out[key] = dockerProcesses(r.stderr);
  }
  log(`  docker processes per rebuild: ${out.keptProbe.count} with the kept probe, ${out.firstRun.count} on a first run`);
  return out;
}
