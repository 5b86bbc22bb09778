/**
 * Where a grader's test data comes from: an input folder (and maybe expected outputs) for
 * Synapse and crowdAI, test cases for Modzy. Explicit options win; otherwise the first
 * repository convention that exists, in the documented order (docs/graders.md).
 */
import { constants } from "node:fs";
import { open, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";

/** Input folders r2d looks for, in order, each with the expected-output folders that pair with it. */
export const INPUT_CONVENTIONS: { input: string; expected: string[] }[] = [
  { input: "sample_data", expected: ["sample_output", "expected_output"] },
  { input: "sample-data", expected: ["sample-output", "expected-output"] },
  { input: "test_data", expected: ["test_output", "expected_output"] },
  { input: "tests/input", expected: ["tests/expected", "tests/output"] },
  { input: "test/input", expected: ["test/expected", "test/output"] },
  { input: "tests/data/input", expected: ["tests/data/expected", "tests/data/output"] },
  { input: "input", expected: ["expected_output", "expected"] },
];

/** Modzy test cases: `<dir>/<case>/` (model.yaml names which files are inputs and outputs) or `<dir>/<case>/{input,output}/`. */
export const MODZY_EXAMPLE_DIRS = ["tests/data/examples", "tests/data/example", "test/data/examples", "test/data/example", "tests/data", "test/data"];
export const MODZY_ERROR_DIRS = ["tests/data/validation-error", "tests/data/validation-errors", "test/data/validation-error", "test/data/validation-errors"];
/** In a validation-error case: the text the 422 response's message must contain. */
export const MESSAGE_FILE = "message.txt";

export async function isDir(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

/**
 * A folder found by convention in the repository: a directory whose real path is inside it. A link
 * leading out (`sample_data -> /etc`) does not count: it would be mounted into the container under
 * test, or its files shown as expected outputs.
 */
export async function isRepoDir(repoRoot: string, p: string): Promise<boolean> {
  try {
    const [root, real] = await Promise.all([realpath(repoRoot), realpath(p)]);
    const rel = path.relative(root, real);
    return rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel) && (await stat(real)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `dir/name` read only if it is a regular file whose real path is inside `dir` (what a container
 * wrote to its output folder, a file of the repository): a link leading out is never followed.
 * Null otherwise.
 */
export async function readInside(dir: string, name: string): Promise<Buffer | null> {
  try {
    const [root, real] = await Promise.all([realpath(dir), realpath(path.join(dir, name))]);
    const rel = path.relative(root, real);
    if (rel === "" || rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
    // The real path holds no link; O_NOFOLLOW refuses one put there since, O_NONBLOCK a FIFO.
    const fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      return (await fh.stat()).isFile() ? await fh.readFile() : null;
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
}

/** Regular files under dir, as sorted posix paths relative to it (hidden files skipped). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile()) out.push(r);
    }
  }
  if (await isDir(dir)) await walk("");
  return out.sort();
}

export interface DataFolders {
  input?: string;
  expected?: string;
  /** One line: where they came from, for the report. */
  source: string;
}

function explicitDir(dir: string, flag: string): Promise<string> {
  const abs = path.resolve(dir);
  return isDir(abs).then((ok) => {
    if (!ok) throw new ConfigError(`${dir} is not a directory`, { location: { file: flag }, hint: "name an existing folder of test inputs" });
    return abs;
  });
}

/** The input and expected-output folders for Synapse and crowdAI. */
export async function findDataFolders(repoRoot: string, opts: { inputDir?: string; expectedDir?: string }): Promise<DataFolders> {
  const expected = opts.expectedDir ? await explicitDir(opts.expectedDir, "--grader-expected") : undefined;
  if (opts.inputDir) {
    const input = await explicitDir(opts.inputDir, "--grader-input");
    return { input, expected, source: `input ${opts.inputDir} (--grader-input)${expected ? `, expected ${opts.expectedDir}` : ""}` };
  }
  for (const c of INPUT_CONVENTIONS) {
    const input = path.join(repoRoot, c.input);
    if (!(await isRepoDir(repoRoot, input))) continue;
    let exp = expected;
    let expName = opts.expectedDir;
    if (!exp) {
      for (const e of c.expected) {
        if (await isRepoDir(repoRoot, path.join(repoRoot, e))) {
          exp = path.join(repoRoot, e);
          expName = `${e}/`;
          break;
        }
      }
    }
    return { input, expected: exp, source: `input ${c.input}/ (repository convention)${exp ? `, expected ${expName}` : ""}` };
  }
  return { expected, source: "no input folder found" };
}

export interface ModzyCase {
  name: string;
  /** Host files to put in the job's input directory: [source path, name inside the input dir]. */
  inputs: [string, string][];
  /** Expected output folder or files (name → host path). */
  expected: Map<string, string>;
  /** validation-error cases: the text the 422 message must contain ("" when no message.txt). */
  errorMessage?: string;
}

async function caseFrom(repoRoot: string, dir: string, name: string, modelInputs: string[], modelOutputs: string[]): Promise<ModzyCase | null> {
  const expected = new Map<string, string>();
  if (await isRepoDir(repoRoot, path.join(dir, "input"))) {
    const inputs = (await listFiles(path.join(dir, "input"))).map((f): [string, string] => [path.join(dir, "input", f), f]);
    for (const sub of ["output", "expected"]) {
      if (!(await isRepoDir(repoRoot, path.join(dir, sub)))) continue;
      for (const f of await listFiles(path.join(dir, sub))) expected.set(f, path.join(dir, sub, f));
      if (expected.size) break;
    }
    return inputs.length ? { name, inputs, expected } : null;
  }
  const files = await listFiles(dir);
  if (files.length === 0) return null;
  const inputs: [string, string][] = [];
  for (const f of files) {
    if (f === MESSAGE_FILE) continue;
    if (modelOutputs.includes(f)) expected.set(f, path.join(dir, f));
    else if (modelInputs.length === 0 || modelInputs.includes(f)) inputs.push([path.join(dir, f), f]);
  }
  return inputs.length ? { name, inputs, expected } : null;
}

async function subdirs(repoRoot: string, dir: string): Promise<string[]> {
  if (!(await isRepoDir(repoRoot, dir))) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
}

/** Modzy's example and validation-error cases (docs/graders.md has the layout). */
export async function findModzyCases(
  repoRoot: string,
  model: { inputs: string[]; outputs: string[] },
  opts: { inputDir?: string; expectedDir?: string },
): Promise<{ examples: ModzyCase[]; errors: ModzyCase[]; source: string }> {
  const errors: ModzyCase[] = [];
  for (const d of MODZY_ERROR_DIRS) {
    const root = path.join(repoRoot, d);
    for (const name of await subdirs(repoRoot, root)) {
      const c = await caseFrom(repoRoot, path.join(root, name), name, model.inputs, []);
      if (!c) continue;
      const msg = (await readInside(path.join(root, name), MESSAGE_FILE))?.toString("utf8") ?? "";
      errors.push({ ...c, errorMessage: msg.trim() });
    }
    if (errors.length) break;
  }
  if (opts.inputDir) {
    const input = await explicitDir(opts.inputDir, "--grader-input");
    const expected = new Map<string, string>();
    if (opts.expectedDir) {
      const exp = await explicitDir(opts.expectedDir, "--grader-expected");
      for (const f of await listFiles(exp)) expected.set(f, path.join(exp, f));
    }
    const inputs = (await listFiles(input)).map((f): [string, string] => [path.join(input, f), f]);
    return { examples: [{ name: "input", inputs, expected }], errors, source: `input ${opts.inputDir} (--grader-input)` };
  }
  for (const d of MODZY_EXAMPLE_DIRS) {
    const root = path.join(repoRoot, d);
    const examples: ModzyCase[] = [];
    for (const name of await subdirs(repoRoot, root)) {
      if (/^validation-errors?$|^examples?$/.test(name)) continue;
      const c = await caseFrom(repoRoot, path.join(root, name), name, model.inputs, model.outputs);
      if (c) examples.push(c);
    }
    if (examples.length) return { examples, errors, source: `${examples.length} case(s) in ${d}/${errors.length ? `, ${errors.length} validation-error case(s)` : ""}` };
  }
  return { examples: [], errors, source: "no test cases found" };
}
