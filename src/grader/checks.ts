/**
 * Checks shared by the grader profiles. Each is a pure function of what was observed
 * (the container's outcome, the image's user and platform) and returns one GradeCheck.
 */
import type { ContainerChange, ContainerOutcome } from "../engine/index.js";
import type { FileDifference } from "./compare.js";
import type { GradeCheck, GradeUser } from "./types.js";

export function humanBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${min} min ${s} s` : `${min} min`;
}

export function clip(text: string, n = 200): string {
  const t = text.trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

/** The last non-empty line of a text. */
export function lastLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? "";
}

export function tailLines(text: string, n: number): string {
  const lines = text.replace(/\n+$/, "").split("\n");
  return lines.slice(Math.max(0, lines.length - n)).join("\n");
}

/** Messages that mean the program tried to reach the network (DNS, connect, HTTP client retries). */
const NETWORK_ERRORS: RegExp[] = [
  /Temporary failure in name resolution/i,
  /Name or service not known/i,
  /nodename nor servname provided/i,
  /No address associated with hostname/i,
  /getaddrinfo\b.*\b(?:ENOTFOUND|EAI_AGAIN)/i,
  /\bEAI_AGAIN\b/,
  /socket\.gaierror/,
  /Could not resolve host/i,
  /could not resolve proxy/i,
  /unable to resolve host/i,
  /Temporary failure resolving/i,
  /Network is unreachable/i,
  /\bENETUNREACH\b/,
  /No route to host/i,
  /\bEHOSTUNREACH\b/,
  /Failed to establish a new connection/i,
  /NewConnectionError/,
  /Max retries exceeded with url/i,
  /urlopen error/i,
  /Could not fetch URL/i,
  /cannot open URL/i,
  /couldn'?t connect to ['"]?https?:/i,
  /unable to access ['"]?https?:/i,
];

/** The first line of the output that says the program wanted the network, if any. */
export function findNetworkError(text: string): string | null {
  // The last such line: with tracebacks it is the one that says what finally failed.
  const lines = text.split("\n").filter((line) => NETWORK_ERRORS.some((re) => re.test(line)));
  const last = lines[lines.length - 1];
  return last === undefined ? null : clip(last, 200);
}

/** Paths that programs write on their own (caches, bytecode, runtime dirs): not outputs. */
const NOISE: RegExp[] = [/\/__pycache__(\/|$)/, /\.pyc$/, /\/\.cache(\/|$)/, /\/\.config(\/|$)/, /\/\.local\/share(\/|$)/, /\/\.ipython(\/|$)/, /\/\.jupyter(\/|$)/, /\/\.keras(\/|$)/, /\/\.Rhistory$/, /\/\.python_history$/, /\/\.bash_history$/, /\/\.wget-hsts$/, /\/\.lesshst$/, /^\/(proc|sys|dev|run)(\/|$)/, /^\/etc\/(hostname|hosts|resolv\.conf|mtab)$/];

/** Files the container created or changed in its own filesystem (not mounts): leaves only, noise removed. */
export function strayFiles(changes: ContainerChange[], mountPoints: string[] = []): string[] {
  const kept = changes.filter((c) => c.kind !== "D" && !NOISE.some((re) => re.test(c.path)));
  const paths = kept.map((c) => c.path);
  return paths
    .filter((p) => !paths.some((q) => q !== p && q.startsWith(`${p}/`)))
    .filter((p) => !mountPoints.some((m) => p === m || m.startsWith(`${p}/`)));
}

export function platformCheck(actual: string | null, wanted: string): GradeCheck {
  if (actual === wanted) return { name: "platform", passed: true, reason: `the image is ${actual}` };
  return {
    name: "platform",
    passed: false,
    reason: `the image is ${actual ?? "unknown"}, the grader runs ${wanted}`,
    hint: `build for the grader's machines: --platform ${wanted} (needed when building on Apple Silicon or other ARM machines)`,
  };
}

export function userCheck(user: GradeUser | null): GradeCheck {
  if (!user || (user.uid === null && !user.name)) {
    return { name: "user", passed: false, reason: "could not tell which user the image runs as", hint: "end the Dockerfile with USER <name> (a non-root user)" };
  }
  const who = `${user.name ?? "?"} (uid ${user.uid ?? "?"})`;
  if (user.uid === 0 || user.name === "root") {
    return {
      name: "user",
      passed: false,
      reason: `ran as ${who}`,
      hint: "graders refuse containers that run as root: r2d's generated images run as a normal user; in your own Dockerfile add a user and end with USER <name>",
    };
  }
  return { name: "user", passed: true, reason: `ran as ${who}` };
}

export function memoryCheck(o: ContainerOutcome, limit: { memory?: string; memoryBytes?: number }, where = "--memory"): GradeCheck {
  const peak = o.peakMemoryBytes !== null ? `peak ${humanBytes(o.peakMemoryBytes)}` : "peak not measured (the container exited before it could be sampled)";
  const lim = limit.memory ? `limit ${limit.memory}` : "no limit";
  if (o.oomKilled) {
    return {
      name: "memory",
      passed: false,
      reason: `exceeded its memory limit (${limit.memory ?? "the engine's"}): killed by the out-of-memory killer${o.peakMemoryBytes !== null ? ` at ${humanBytes(o.peakMemoryBytes)}` : ""}`,
      hint: `use less memory (smaller batches, stream the inputs, load smaller model weights) or raise the limit (${where})`,
    };
  }
  return { name: "memory", passed: true, reason: `${peak}, ${lim}` };
}

export function timeoutCheck(o: ContainerOutcome, timeoutMs: number): GradeCheck {
  if (o.timedOut) {
    return {
      name: "timeout",
      passed: false,
      reason: `still running after the ${humanDuration(timeoutMs)} limit: killed`,
      hint: "make the run finish sooner (or raise --timeout if the grader allows longer); a run that waits for input or a server that never exits also ends here",
    };
  }
  return { name: "timeout", passed: true, reason: `finished in ${humanDuration(o.durationMs)} (limit ${humanDuration(timeoutMs)})` };
}

/** The exit status of a run-to-completion container, with the most likely cause on failure. */
export function exitCheck(o: ContainerOutcome, what: string): GradeCheck {
  const name = "exit-code";
  if (o.startError) {
    const gpu = /could not select device driver|nvidia/i.test(o.startError);
    return {
      name,
      passed: false,
      reason: `the container did not start: ${clip(o.startError)}`,
      hint: gpu ? "this engine has no GPU runtime: install the NVIDIA Container Toolkit, or run without GPUs (--gpus none with --gpu, or drop --gpus)" : `check the image's command (${what})`,
    };
  }
  if (o.timedOut) return { name, passed: false, reason: "killed at the time limit (see timeout)", hint: "see the timeout check" };
  if (o.oomKilled) return { name, passed: false, reason: `killed for exceeding its memory limit (exit ${o.exitCode ?? "?"}; see memory)`, hint: "see the memory check" };
  if (o.exitCode === 0) return { name, passed: true, reason: `${what} exited 0 after ${humanDuration(o.durationMs)}` };
  const line = lastLine(o.stderr) || lastLine(o.stdout);
  const reason = `${what} exited with code ${o.exitCode}${line ? `: ${clip(line)}` : ""}`;
  let hint = "the last lines of its output are below; run the image by hand to debug it";
  if (o.exitCode === 126 || o.exitCode === 127) hint = `the command was not found or is not executable (${what})`;
  if (findNetworkError(`${o.stderr}\n${o.stdout}`)) hint = "it tried to reach the network and could not: graders may run without one, so bring what the run needs into the image at build time";
  else if (/Read-only file system/i.test(o.stderr)) hint = "the input folder is mounted read-only: write results only to the output folder (scratch files to /tmp)";
  else if (/Permission denied/i.test(o.stderr)) hint = "a file or folder was not writable by the image's user: write results to the output folder, scratch files to /tmp";
  return { name, passed: false, reason, hint };
}

export function expectedCheck(diffs: FileDifference[], expectedCount: number, where: string, name = "expected-outputs"): GradeCheck {
  if (diffs.length === 0) return { name, passed: true, reason: `${expectedCount} expected file(s) match` };
  const missing = diffs.filter((d) => d.detail === "missing").map((d) => d.file);
  const different = diffs.filter((d) => d.detail !== "missing");
  const parts = [
    ...(missing.length ? [`missing ${missing.join(", ")}`] : []),
    ...different.slice(0, 3).map((d) => `${d.file} ${d.detail}`),
    ...(different.length > 3 ? [`and ${different.length - 3} more different file(s)`] : []),
  ];
  return {
    name,
    passed: false,
    reason: `${diffs.length} of ${expectedCount} expected file(s) do not match: ${parts.join("; ")}`,
    hint: `the expected outputs come from ${where}; update them if the model changed on purpose`,
  };
}

/** How a list of paths reads in a sentence: "a, b and 2 more". */
export function listSome(paths: string[], n = 3): string {
  const head = paths.slice(0, n).join(", ");
  return paths.length > n ? `${head} and ${paths.length - n} more` : head;
}
