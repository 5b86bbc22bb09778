/**
 * The hostile corpus: one case per folder under test/hostile/cases/ (see README.md there for the
 * case.json format). This file loads cases and makes each one's repository in a fresh temp dir:
 * the plain files of repo/, the special files case.json describes (links out, FIFOs, sockets,
 * sparse files, odd modes and names), and an `outside` folder next to it whose files all carry a
 * random marker that must never show up in anything r2d prints, plans, renders, sends or builds.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { makeSpecial, type Special } from "./special.js";

export const CASES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "cases");

/** What a run must show: exit code and regexes on the message (errors) or the plan's messages. */
export interface Expectation {
  exit: number;
  /** Every regex must match the error message (with its hint) on exit != 0. */
  message?: string[];
  /** Every regex must match one of the plan's messages (`warn` or `info`) on exit 0. */
  messages?: string[];
  /** No plan message may match these. */
  notMessages?: string[];
  /** Every regex must match the generated Dockerfile (exit 0). */
  dockerfile?: string[];
  /** No line of the Dockerfile may match these. */
  notDockerfile?: string[];
  /** A regex the plan's image name must match (exit 0). */
  imageName?: string;
}

export interface ContextExpectation {
  /** Exit code of a (fake-engine) build that sends the context; default 0. */
  exit?: number;
  message?: string[];
  /** Paths (inside the context tar, e.g. "src/link") that must be there / must not. */
  present?: string[];
  absent?: string[];
  /** Every regex must match one warning line r2d printed while selecting the context. */
  warnings?: string[];
  /** At most this many warning lines (a flood of them is itself a problem). */
  maxWarnings?: number;
}

export interface HostileCase {
  name: string;
  dir: string;
  description: string;
  /** What r2d should do but does not yet ("KNOWN GAP: …"): the current behaviour is what is asserted. */
  knownGap?: string;
  /** Flags after `r2d REPO`; placeholders allowed (@OUTSIDE@, @ARG_SECRET@, @ARG_PLAIN@, ...). */
  flags: string[];
  /** Default true: every run also gets --pip-index-url with a password marker. */
  pipIndexUrl: boolean;
  special: Special[];
  /** Extra files of the outside folder (placeholders allowed), besides the standard ones. */
  outside: Record<string, string>;
  expect: Expectation;
  /** For cases that plan: what sending the context does (default: exit 0, no other checks). */
  context: ContextExpectation;
  /** The integration test builds this case with the real engine, on this local base image. */
  build: boolean;
  buildBase: "python" | "r" | "none";
  /** Exit code of that real build (default 0; 1 for a case whose own step fails). */
  buildExit: number;
  /** The build through the stand-in engine also runs the image (`docker run` is recorded, not run). */
  run: boolean;
  /** Flags for the runs that build only (e.g. --grader, which cannot go with --no-build). */
  buildFlags: string[];
  /** Run r2d as uid/gid 65534 (for permission cases; root reads everything). */
  asNobody: boolean;
  /** Each r2d run must finish within this (pathological inputs: no hang). Default 120. */
  maxSeconds: number;
}

export function loadCases(): HostileCase[] {
  return readdirSync(CASES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const dir = path.join(CASES_DIR, name);
      const raw = JSON.parse(readFileSync(path.join(dir, "case.json"), "utf8")) as Partial<HostileCase>;
      if (!raw.description || !raw.expect) throw new Error(`${name}/case.json needs description and expect`);
      return {
        name,
        dir,
        description: raw.description,
        flags: raw.flags ?? [],
        pipIndexUrl: raw.pipIndexUrl ?? true,
        special: raw.special ?? [],
        outside: raw.outside ?? {},
        expect: raw.expect,
        context: raw.context ?? {},
        build: raw.build ?? false,
        buildBase: raw.buildBase ?? "python",
        buildExit: raw.buildExit ?? 0,
        knownGap: raw.knownGap,
        asNobody: raw.asNobody ?? false,
        run: raw.run ?? false,
        buildFlags: raw.buildFlags ?? [],
        maxSeconds: raw.maxSeconds ?? 120,
      };
    });
}

/** Random values that must never appear in output; each run has its own. */
export interface Markers {
  /** In every file of the outside folder. */
  outside: string;
  /** 40 hex digits, in the outside folder's fake git directory (HEAD). */
  outsideHex: string;
  /** R2D_TEST_SECRET in r2d's environment (reachable through /proc/self/environ). */
  env: string;
  /** The password of --pip-index-url. */
  indexPassword: string;
  /** Values for case flags: a credential-like build argument and a plain one. */
  argSecret: string;
  argPlain: string;
}

/**
 * Random markers; or, with a seed, the same ones on every run of the case (real builds reuse cached
 * layers, which must then hold this run's markers if they hold any).
 */
function makeMarkers(seed?: string): Markers {
  let n = 0;
  const bytes = (k: number) => (seed === undefined ? randomBytes(k) : createHash("sha256").update(`${seed}/${n++}`).digest().subarray(0, k));
  const hex = () => bytes(8).toString("hex");
  return {
    // Lower-case letters, digits and dashes: a valid pip, apt and image name, so a file that was
    // followed out would parse and carry the marker into the plan rather than fail on its syntax.
    outside: `r2d-outside-${hex()}`,
    outsideHex: bytes(20).toString("hex"),
    env: `r2d-env-${hex()}`,
    indexPassword: `r2d-index-pw-${hex()}`,
    argSecret: `r2d-arg-secret-${hex()}`,
    argPlain: `r2d-arg-plain-${hex()}`,
  };
}

/** A valid file of each config name, all carrying the marker (links out of the repository point at these). */
function outsideFiles(m: string, hex: string): Record<string, string> {
  return {
    "secret.txt": `${m}\nsecond line ${m}\n`,
    "runtime.txt": "python-3.11\n",
    "apt.txt": `${m}\n`,
    "requirements.txt": `${m}\n`,
    "constraints.txt": `${m}==1.0\n`,
    "environment.yml": `name: ${m}\ndependencies:\n  - ${m}\n`,
    Pipfile: `[packages]\n"${m}" = "*"\n`,
    "Pipfile.lock": JSON.stringify({ _meta: { requires: { python_version: "3.11" } }, default: { [m]: { version: "==1.0" } }, develop: {} }),
    "pyproject.toml": `[project]\nname = "${m}"\n[build-system]\nrequires = []\n`,
    "setup.py": `print("${m}")\n`,
    DESCRIPTION: `Package: outside\nTitle: ${m}\n`,
    "install.R": `install.packages("${m}")\n`,
    "requirements.R": `pkg_list <- c("outside") # ${m}\n`,
    "Project.toml": `name = "${m}"\n`,
    Dockerfile: `FROM ${m}\nRUN echo ${m}\n`,
    postBuild: `#!/bin/bash\necho ${m}\n`,
    start: `#!/bin/bash\necho ${m}\nexec "$@"\n`,
    "run.sh": `#!/bin/bash\necho ${m}\n`,
    ".dockerignore": `${m}\n`,
    "dir/secret.txt": `${m}\n`,
    "dir/requirements.txt": `${m}\n`,
    "gitdir/HEAD": `${hex}\n`,
    "gitdir/objects/.keep": "",
    "gitdir/refs/.keep": "",
  };
}

/** Package indexes the flags may name (@CRAN@, and the --pip-index-url every run gets); each URL gets the password marker. */
export interface Indexes {
  pip: string;
  cran: string;
}

const NOWHERE: Indexes = { pip: "https://127.0.0.1:9/simple", cran: "http://127.0.0.1:9" };

/** `url` with user r2d-user and `password` in it. */
export function withPassword(url: string, password: string): string {
  return url.replace(/^([a-z]+:\/\/)/, `$1r2d-user:${password}@`);
}

export interface Made {
  tmp: string;
  repo: string;
  outside: string;
  /** TMPDIR for r2d: must be empty again after each run. */
  runTmp: string;
  markers: Markers;
  indexes: Indexes;
  /** Replaces the placeholders in a flag or a text. */
  fill(text: string): string;
  cleanup(): Promise<void>;
}

/** Makes the case's repository (and its outside folder) in a fresh temp dir. */
export async function makeCase(c: HostileCase, indexes: Indexes = NOWHERE, markerSeed?: string): Promise<Made> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), "r2d-hostile-"));
  // Others may traverse it: nobody-run cases read the repository as uid 65534.
  await chmod(tmp, 0o755);
  const repo = path.join(tmp, "repo");
  const outside = path.join(tmp, "outside");
  const runTmp = path.join(tmp, "run-tmp");
  const markers = makeMarkers(markerSeed === undefined ? undefined : `${markerSeed}/${c.name}`);
  const fill = (text: string) =>
    text
      .replaceAll("@OUTSIDE@", outside)
      .replaceAll("@REPO@", repo)
      .replaceAll("@TMP@", tmp)
      .replaceAll("@ARG_SECRET@", markers.argSecret)
      .replaceAll("@ARG_PLAIN@", markers.argPlain)
      .replaceAll("@INDEX_PASSWORD@", markers.indexPassword)
      .replaceAll("@CRAN@", withPassword(indexes.cran, markers.indexPassword));
  const servers: Server[] = [];
  await mkdir(runTmp, { mode: 0o1777 });
  await chmod(runTmp, 0o1777);
  for (const [rel, text] of Object.entries({ ...outsideFiles(markers.outside, markers.outsideHex), ...c.outside })) {
    const abs = path.join(outside, ...rel.split("/"));
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, fill(text).replaceAll("@MARKER@", markers.outside).replaceAll("@MARKER_HEX@", markers.outsideHex));
  }
  // A marker right next to the repository too (`../secret.txt`).
  await writeFile(path.join(tmp, "secret.txt"), `${markers.outside}\n`);
  const given = path.join(c.dir, "repo");
  if (existsSync(given)) await cp(given, repo, { recursive: true, verbatimSymlinks: true });
  else await mkdir(repo);
  await chmod(repo, 0o755);
  for (const s of c.special) {
    for (let i = 0; i < (s.count ?? 1); i++) {
      await makeSpecial(repo, s.count === undefined ? s : { ...s, path: s.path!.replaceAll("{i}", String(i)) }, fill, servers);
    }
  }
  return {
    tmp,
    repo,
    outside,
    runTmp,
    markers,
    indexes,
    fill,
    async cleanup() {
      for (const s of servers) await new Promise((r) => s.close(r));
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
