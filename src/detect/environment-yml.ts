import type * as Yaml from "yaml";
import { ConfigError, quoteForMessage } from "../errors.js";
import { isForeignSubdir, isVersionConstraint, parseMatchSpec } from "./conda-spec.js";
import { parseRequirementsTxt } from "./requirements-txt.js";
import { describeVersions, nearestVersion, PYTHON_VERSIONS } from "./versions.js";
import { lazyYaml, parseYamlFile, type YamlFile } from "./yaml.js";

export interface EnvironmentYml {
  /** `X.Y` from a `python=X.Y[.Z]` / `python==X.Y` dependency, else null (the default applies). */
  python: string | null;
  /** Any `r-*` dependency (or `r-base`). */
  hasR: boolean;
  /** The R version an `r-base=X.Y[.Z]` / `r-base==X.Y[.Z]` dependency pins (the first), else null. */
  rBase: string | null;
  /** A `pip:` entry refers to the repository (`-e .`, `./pkg`): install after copying the code. */
  pipHasLocalReferences: boolean;
  /** `channels:` as written (empty when none). */
  channels: string[];
  /** Entries that parse but will likely not install (another platform's subdir), for the plan's messages. */
  warnings: { line: number; text: string }[];
}

const HINT = "check the indentation and quoting near that line (conda's environment file format: name, channels, dependencies)";
const SPEC_HINT = "write one conda package per entry: name, name=1.2, name>=1.2,<2 or channel::name; pip packages go in a `- pip:` list";

/** Parses `environment.yml` and checks what micromamba will read; an empty file is allowed (repo2docker allows it). */
export function parseEnvironmentYml(text: string, file = "environment.yml"): EnvironmentYml {
  const y = parseYamlFile(text, file, HINT);
  const Y = lazyYaml();
  const result: EnvironmentYml = { python: null, hasR: false, rBase: null, pipHasLocalReferences: false, channels: [], warnings: [] };
  const top = y.deref(y.doc.contents);
  if (isEmpty(Y, top)) return result;
  if (!Y.isMap(top)) {
    throw new ConfigError("must be a mapping with `dependencies:` (and optionally `channels:`)", {
      location: { file, line: y.lineOf(top) ?? 1 },
      hint: "start the file with\ndependencies:\n  - python=3.11",
    });
  }
  const channels = valueOf(Y, y, top, "channels");
  if (!isEmpty(Y, channels)) {
    for (const [node, line] of listItems(Y, y, channels, file, "channels", "list the channels one per line:\nchannels:\n  - conda-forge")) {
      if (!Y.isScalar(node) || typeof node.value !== "string" || !/^[^\s'"`$;]+$/.test(node.value)) {
        throw new ConfigError(`channels entry ${describeNode(Y, node)} is not a channel name`, { location: { file, line }, hint: "write channel names such as conda-forge, one per line" });
      }
      result.channels.push(node.value);
    }
  }
  const deps = valueOf(Y, y, top, "dependencies");
  if (isEmpty(Y, deps)) return result;
  let pipLine: number | undefined;
  for (const [node, line] of listItems(Y, y, deps, file, "dependencies", "list the packages one per line:\ndependencies:\n  - python=3.11\n  - numpy")) {
    if (Y.isScalar(node) && typeof node.value === "string") {
      checkCondaSpec(node.value, file, line, result);
    } else if (Y.isMap(node) && node.items.length === 1 && keyOf(Y, node.items[0]!) === "pip") {
      if (pipLine !== undefined) {
        throw new ConfigError(`a second \`pip:\` list (the first is at line ${pipLine})`, { location: { file, line }, hint: "merge the two `pip:` lists into one" });
      }
      pipLine = line;
      const pip: string[] = [];
      for (const [entry, entryLine] of listItems(Y, y, node.items[0]!.value, file, "pip", "write\n  - pip:\n    - requests")) {
        if (!Y.isScalar(entry) || typeof entry.value !== "string") {
          throw new ConfigError(`pip entry ${describeNode(Y, entry)} is not a pip requirement`, { location: { file, line: entryLine }, hint: 'write each pip requirement as a string such as requests==2.32 (quote versions: "1.10")' });
        }
        pip.push(entry.value);
      }
      if (parseRequirementsTxt(pip.join("\n")).hasLocalReferences) result.pipHasLocalReferences = true;
    } else {
      throw new ConfigError(`dependencies entry ${describeNode(Y, node)} is not a conda package spec`, {
        location: { file, line },
        hint: Y.isMap(node) ? "the only mapping allowed in dependencies is one `- pip:` list" : SPEC_HINT,
      });
    }
  }
  return result;
}

function checkCondaSpec(spec: string, file: string, line: number | undefined, result: EnvironmentYml): void {
  const parsed = parseMatchSpec(spec);
  if (!parsed) {
    const pipLike = /^(-|\.|\/|git\+|https?:)/.test(spec.trim());
    throw new ConfigError(`dependencies entry ${quoteForMessage(spec)} is not a conda package spec`, {
      location: { file, line },
      hint: pipLike ? "this looks like a pip requirement: put it in the `- pip:` list" : SPEC_HINT,
    });
  }
  if (isForeignSubdir(parsed.subdir)) {
    result.warnings.push({
      line: line ?? 1,
      text: `${quoteForMessage(spec)} asks for the ${parsed.subdir} subdir, but the image is Linux: micromamba will not find it there (drop "/${parsed.subdir}")`,
    });
  }
  const name = parsed.name.toLowerCase();
  if (name === "python") checkPython(spec, parsed.constraint, file, line, result);
  if (/^r-[a-z0-9]/.test(name) || name === "r-base") result.hasR = true;
  // repo2docker's rule for the R version: the first `r-base=X.Y` / `r-base==X.Y.Z` pins it; `>=` does not.
  const rPin = /^==?\s*(\d+\.\d+(?:\.\d+)?)(?:\.\*)?(?:[=\s]\S+)?$/.exec(parsed.constraint);
  if (name === "r-base" && rPin) result.rBase ??= rPin[1]!;
}

function checkPython(spec: string, constraint: string, file: string, line: number | undefined, result: EnvironmentYml): void {
  if (constraint !== "" && !isVersionConstraint(constraint)) {
    throw new ConfigError(`${quoteForMessage(spec)}: ${quoteForMessage(constraint)} is not a Python version`, {
      location: { file, line },
      hint: `pin a version such as python=3.11 (r2d can provide ${describeVersions(PYTHON_VERSIONS)})`,
    });
  }
  // repo2docker's rule: the first `python=X.Y` / `python==X.Y` pins the version; `>=` does not.
  const pin = /^python\s*==?\s*(\d+\.\d+)/.exec(spec.trim());
  if (!pin) return;
  if (!PYTHON_VERSIONS.includes(pin[1]!)) {
    const nearest = nearestVersion(pin[1]!, PYTHON_VERSIONS);
    throw new ConfigError(`${quoteForMessage(spec)}: Python ${pin[1]} is not a version r2d can provide`, {
      location: { file, line },
      hint: `use python=${nearest} (the nearest); r2d can provide ${describeVersions(PYTHON_VERSIONS)}`,
    });
  }
  result.python ??= pin[1]!;
}

function isEmpty(Y: typeof Yaml, node: unknown): boolean {
  return node === null || node === undefined || (Y.isScalar(node) && (node.value === null || node.value === undefined));
}

function keyOf(Y: typeof Yaml, pair: Yaml.Pair): unknown {
  return Y.isScalar(pair.key) ? pair.key.value : pair.key;
}

function valueOf(Y: typeof Yaml, y: YamlFile, map: Yaml.YAMLMap, key: string): unknown {
  const pair = map.items.find((p) => keyOf(Y, p) === key);
  return pair ? y.deref(pair.value) : undefined;
}

/** The entries of a YAML list with their lines; anything else than a list is an error naming `what`. */
function listItems(Y: typeof Yaml, y: YamlFile, node: unknown, file: string, what: string, hint: string): [unknown, number | undefined][] {
  const list = y.deref(node);
  if (!Y.isSeq(list)) {
    throw new ConfigError(`\`${what}\` must be a list, not ${describeNode(Y, list)}`, { location: { file, line: y.lineOf(list) }, hint });
  }
  return list.items.map((item) => [y.deref(item), y.lineOf(item)]);
}

/** What a YAML node is, for messages: the value itself when short text, else its kind. */
function describeNode(Y: typeof Yaml, node: unknown): string {
  if (isEmpty(Y, node)) return "an empty value";
  if (Y.isMap(node)) return "a mapping";
  if (Y.isSeq(node)) return "a list";
  if (Y.isScalar(node)) {
    if (typeof node.value === "number") return `the number ${quoteForMessage(String(node.source ?? node.value), 40)}`;
    if (typeof node.value === "boolean") return `the boolean ${node.value}`;
    if (typeof node.value === "string") return quoteForMessage(node.value);
  }
  return "an unexpected value";
}
