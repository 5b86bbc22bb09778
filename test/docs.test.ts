import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCli } from "../src/cli/args.js";
import { cliReference } from "../src/cli/reference.js";

/** The docs cannot rot: the CLI reference is generated, every r2d command in them parses, every link resolves. */
const ROOT = fileURLToPath(new URL("../", import.meta.url));

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? markdownFiles(p) : name.endsWith(".md") ? [p] : [];
  });
}
const DOCS = [path.join(ROOT, "README.md"), ...markdownFiles(path.join(ROOT, "docs"))];

/** `r2d …` command lines inside fenced code blocks (with `$ ` prompts and VAR=value prefixes removed). */
function r2dCommands(text: string): string[] {
  const commands: string[] = [];
  let fenced = false;
  for (const raw of text.split("\n")) {
    if (raw.trim().startsWith("```")) {
      fenced = !fenced;
      continue;
    }
    if (!fenced) continue;
    const line = raw.trim().replace(/^\$\s+/, "").replace(/^(?:[A-Z_][A-Z0-9_]*=\S+\s+)+/, "");
    // A command names a repository (path or URL) or a flag next; anything else is sample output.
    if (/^(npx\s+)?r2d\s+([.\/~$-]|https?:|git@)/.test(line)) commands.push(line.replace(/^npx\s+/, ""));
  }
  return commands;
}

/** Splits a shell line into words, honouring quotes and $(...) well enough for the docs. */
function words(line: string): string[] {
  const expanded = line.replace(/\$\(id -u\)/g, "1000").replace(/\$\(id -un\)/g, "me");
  return (expanded.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^["']|["']$/g, ""));
}

describe("documentation", () => {
  it("docs/cli.md is generated from the flag definitions (npm run docs:cli)", () => {
    expect(readFileSync(path.join(ROOT, "docs/cli.md"), "utf8")).toBe(cliReference());
  });

  const all = DOCS.flatMap((file) => r2dCommands(readFileSync(file, "utf8")).map((cmd) => [path.relative(ROOT, file), cmd] as const));
  it("has r2d commands to check", () => expect(all.length).toBeGreaterThan(15));

  it.each(all)("%s: `%s` uses real flags", (_file, cmd) => {
    const argv = words(cmd).slice(1);
    try {
      parseCli(argv);
    } catch (err) {
      // --help and --version end parsing on purpose.
      expect((err as { code?: string }).code ?? String(err)).toMatch(/^commander\.(helpDisplayed|version)$/);
    }
  });

  it.each(DOCS.map((f) => [path.relative(ROOT, f), f] as const))("%s: relative links resolve", (_name, file) => {
    const text = readFileSync(file, "utf8");
    const links = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    for (const link of links) expect(existsSync(path.resolve(path.dirname(file), link)), `${link} in ${file}`).toBe(true);
  });
});
