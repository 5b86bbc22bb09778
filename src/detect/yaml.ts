import { createRequire } from "node:module";
import type * as Yaml from "yaml";
import { ConfigError, clipForMessage } from "../errors.js";

// `yaml` takes ~50 ms to load; it is loaded on first use, not on every r2d start (most repositories
// have no environment.yml). Its CommonJS build, required synchronously, keeps the parsers synchronous.
const requireCjs = createRequire(import.meta.url);
let yaml: typeof Yaml | undefined;

export function lazyYaml(): typeof Yaml {
  yaml ??= requireCjs("yaml") as typeof Yaml;
  return yaml;
}

/** Aliases may expand to at most this many nodes: more is an alias bomb ("billion laughs"). */
export const YAML_MAX_ALIAS_COUNT = 100;

/** A parsed YAML file with what messages need: the line of any node. */
export interface YamlFile {
  doc: Yaml.Document.Parsed;
  /** 1-based line where a node starts (for an empty `- ` entry, the line of its dash). */
  lineOf(node: unknown): number | undefined;
  /** The node an alias (`*name`) points at; other nodes as they are. */
  deref(node: unknown): unknown;
}

/**
 * Parses one YAML document. Syntax errors, several documents, alias bombs and nesting deep enough
 * to exhaust the stack all become a ConfigError with the file and line (never a stack trace).
 */
export function parseYamlFile(text: string, file: string, hint: string): YamlFile {
  const Y = lazyYaml();
  const lines = new Y.LineCounter();
  // prettyErrors off: its excerpt of the source is both content we do not echo and, on deeply
  // nested input, a regular expression big enough to crash the process.
  const doc = Y.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lines.linePos(Math.max(0, Math.min(offset, text.length))).line;
  const first = doc.errors[0];
  if (first) {
    const line = lineAt(first.pos[0]);
    if (/call stack/i.test(first.message)) throw tooDeep(file, line, first);
    const what = first.code === "MULTIPLE_DOCS" ? "holds more than one YAML document (a second `---`)" : `is not valid YAML: ${clipForMessage(first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""), 160)}`;
    throw new ConfigError(what, { location: { file, line }, hint, cause: first });
  }
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range) return undefined;
    // An empty entry's range is empty and starts after its dash (possibly at the next line).
    return lineAt(range[0] === range[1] && range[0] > 0 ? range[0] - 1 : range[0]);
  };
  try {
    doc.toJS({ maxAliasCount: YAML_MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof RangeError) throw tooDeep(file, undefined, err);
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      let at: number | undefined;
      Y.visit(doc, {
        Alias(_, node) {
          at = lineOf(node);
          return Y.visit.BREAK;
        },
      });
      throw new ConfigError(`its YAML aliases (*name) expand to more than ${YAML_MAX_ALIAS_COUNT} nodes, which r2d refuses (an "alias bomb")`, {
        location: { file, line: at },
        hint: "write the values out instead of nesting aliases of aliases",
        cause: err,
      });
    }
    throw err;
  }
  const deref = (node: unknown): unknown => (Y.isAlias(node) ? node.resolve(doc) : node);
  return { doc, lineOf, deref };
}

function tooDeep(file: string, line: number | undefined, cause: unknown): ConfigError {
  return new ConfigError("is nested too deeply for r2d to read", {
    location: { file, line },
    hint: "config files need a few levels of nesting at most: check for runaway brackets",
    cause,
  });
}
