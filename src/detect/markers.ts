/**
 * PEP 508 environment markers, as lock files write them: parsed when the file is read (a syntax
 * error names the file and line), evaluated when the target (Python X.Y, platform) is known. What
 * r2d cannot know at plan time (platform_release, a patch-level python_full_version that the X.Y
 * does not settle) is refused rather than guessed.
 */
import { ConfigError, clipForMessage } from "../errors.js";

export type Marker =
  | { op: "and" | "or"; left: Marker; right: Marker }
  | { op: "cmp"; cmp: string; left: MarkerValue; right: MarkerValue };
type MarkerValue = { variable: string } | { literal: string };

/** What a lock is installed for: the image's Python X.Y and its platform (linux/amd64 by default). */
export interface MarkerTarget {
  python: string;
  platform?: string;
  /** Names a `dependency_groups` marker (PEP 751) treats as selected. */
  groups?: readonly string[];
}

const VARIABLES = new Set([
  "python_version", "python_full_version", "sys_platform", "platform_machine", "implementation_name",
  "platform_python_implementation", "os_name", "platform_system", "extra", "extras", "dependency_groups",
  "platform_release", "platform_version", "implementation_version",
]);
const OPERATORS = ["===", "==", "!=", "<=", ">=", "~=", "<", ">", "not in", "in"];
const MAX_MARKER = 2000;

/** Parses a marker expression; `where` names the file (and line) for errors. */
export function parseMarker(text: string, where: { file: string; line?: number }, what: string): Marker {
  const fail = (why: string) =>
    new ConfigError(`${what}: marker ${JSON.stringify(clipForMessage(text, 120))} ${why}`, { location: where, hint: "write a PEP 508 marker, e.g. python_version >= '3.9' and sys_platform == 'linux'" });
  if (text.length > MAX_MARKER) throw fail(`is longer than ${MAX_MARKER} characters`);
  const tokens = tokenize(text, fail);
  let at = 0;
  const peek = () => tokens[at];
  const value = (): MarkerValue => {
    const t = tokens[at++];
    if (t === undefined) throw fail("ends too early");
    if (t.startsWith("'") || t.startsWith('"')) return { literal: t.slice(1, -1) };
    if (VARIABLES.has(t)) return { variable: t };
    throw fail(`has ${JSON.stringify(clipForMessage(t, 40))} where a variable or a quoted string belongs`);
  };
  const atom = (depth: number): Marker => {
    if (depth > 32) throw fail("is nested too deeply");
    if (peek() === "(") {
      at++;
      const inner = or(depth + 1);
      if (tokens[at++] !== ")") throw fail("has an unclosed parenthesis");
      return inner;
    }
    const left = value();
    const cmp = tokens[at++];
    if (!cmp || !OPERATORS.includes(cmp)) throw fail(`has ${JSON.stringify(clipForMessage(cmp ?? "nothing", 40))} where a comparison belongs`);
    return { op: "cmp", cmp, left, right: value() };
  };
  const and = (depth: number): Marker => {
    let left = atom(depth);
    while (peek() === "and") { at++; left = { op: "and", left, right: atom(depth) }; }
    return left;
  };
  const or = (depth: number): Marker => {
    let left = and(depth);
    while (peek() === "or") { at++; left = { op: "or", left, right: and(depth) }; }
    return left;
  };
  const marker = or(0);
  if (at !== tokens.length) throw fail(`has ${JSON.stringify(clipForMessage(tokens[at]!, 40))} left over`);
  return marker;
}

function tokenize(text: string, fail: (why: string) => ConfigError): string[] {
  const re = /\s*(?:(not\s+in\b)|('[^']*'|"[^"]*")|(===|==|!=|<=|>=|~=|<|>|\(|\))|([A-Za-z_][A-Za-z0-9_.]*))/y;
  const tokens: string[] = [];
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    tokens.push(m[1] ? "not in" : (m[2] ?? m[3] ?? m[4])!);
  }
  if (text.slice(re.lastIndex).trim() !== "") throw fail(`cannot be read at ${JSON.stringify(clipForMessage(text.slice(re.lastIndex).trim(), 30))}`);
  return tokens;
}

/** The machine name Python reports (platform_machine) for a Docker platform. */
const MACHINES: Record<string, string> = { "linux/amd64": "x86_64", "linux/arm64": "aarch64", "linux/arm64/v8": "aarch64", "linux/ppc64le": "ppc64le", "linux/s390x": "s390x", "linux/arm/v7": "armv7l" };

/** The Docker platform builds target when --platform is not given: the engine's own, taken as this machine's. */
export function defaultPlatform(): string {
  return process.arch === "arm64" ? "linux/arm64" : "linux/amd64";
}

export function platformMachine(platform: string): string | undefined {
  return MACHINES[platform];
}

/** True when the marker holds for the target; throws (naming `what`) when r2d cannot tell. */
export function evaluateMarker(marker: Marker, target: MarkerTarget, what: string, where: { file: string; line?: number }): boolean {
  const cannot = (why: string) => new ConfigError(`${what}: r2d cannot evaluate its marker: ${why}`, { location: where, hint: "r2d installs a lock file only when it can tell which packages the image needs; regenerate the lock for Linux, or remove the marker" });
  const platform = target.platform ?? defaultPlatform();
  const machine = MACHINES[platform];
  const env = (name: string, patch: number): string | readonly string[] => {
    switch (name) {
      case "python_version": return target.python;
      case "python_full_version": return `${target.python}.${patch}`;
      case "sys_platform": return "linux";
      case "os_name": return "posix";
      case "platform_system": return "Linux";
      case "implementation_name": return "cpython";
      case "platform_python_implementation": return "CPython";
      case "platform_machine":
        if (!machine) throw cannot(`platform_machine is unknown for --platform ${platform}`);
        return machine;
      case "extra": return "";
      case "extras": return [];
      case "dependency_groups": return target.groups ?? [];
      default: throw cannot(`${name} is not known before the image runs`);
    }
  };
  const run = (m: Marker, patch: number): boolean => {
    if (m.op !== "cmp") return m.op === "and" ? run(m.left, patch) && run(m.right, patch) : run(m.left, patch) || run(m.right, patch);
    const { left, cmp, right } = m;
    const get = (v: MarkerValue) => ("literal" in v ? v.literal : env(v.variable, patch));
    const versionLike = [left, right].some((v) => "variable" in v && /python(_full)?_version$/.test(v.variable));
    return compare(get(left), cmp, get(right), versionLike, cannot);
  };
  const low = run(marker, 0);
  // python_full_version: the X.Y is known, the patch is not; refuse a marker that depends on it.
  if (run(marker, 99) !== low) throw cannot(`it depends on the patch release of Python ${target.python}`);
  return low;
}

function compare(left: string | readonly string[], cmp: string, right: string | readonly string[], versionLike: boolean, cannot: (why: string) => ConfigError): boolean {
  if (cmp === "in" || cmp === "not in") {
    const found = typeof right === "string" ? right.includes(left as string) : right.includes(left as string);
    return cmp === "in" ? found : !found;
  }
  if (typeof left !== "string" || typeof right !== "string") throw cannot(`${cmp} needs two strings`);
  if (cmp === "===") return left === right;
  if (!versionLike) {
    if (cmp === "==") return left === right;
    if (cmp === "!=") return left !== right;
    throw cannot(`${cmp} compares versions, not ${JSON.stringify(clipForMessage(left, 30))}`);
  }
  const [a, b] = [parseRelease(left), parseRelease(right.replace(/\.\*$/, ""))];
  if (!a || !b) throw cannot(`${JSON.stringify(clipForMessage(/^[\d.]+$/.test(left) ? right : left, 30))} is not a release number`);
  if (right.endsWith(".*") && (cmp === "==" || cmp === "!=")) {
    const prefix = b.every((n, i) => a[i] === n);
    return cmp === "==" ? prefix : !prefix;
  }
  const c = cmpRelease(a, b);
  switch (cmp) {
    case "==": return c === 0;
    case "!=": return c !== 0;
    case "<": return c < 0;
    case "<=": return c <= 0;
    case ">": return c > 0;
    case ">=": return c >= 0;
    default: {
      // ~=X.Y[.Z]: at least that, and the same release up to the last given part.
      const head = b.slice(0, Math.max(1, b.length - 1));
      return c >= 0 && head.every((n, i) => a[i] === n);
    }
  }
}

function parseRelease(v: string): number[] | null {
  return /^\d+(\.\d+)*$/.test(v) ? v.split(".").map(Number) : null;
}

function cmpRelease(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
