import path from "node:path";
import { ConfigError, quoteForMessage } from "../errors.js";
import type { RepoRoot } from "../source/repo-root.js";
import { findCredentials } from "./credentials.js";
import { parseRequirementsTxt, type RequirementsTxt } from "./requirements-txt.js";
import type { RepoFacts } from "./types.js";

/**
 * Follows `-r` / `-c` lines (recursively; a cycle is fine, pip tolerates it too) and checks that
 * every target is a file inside the build directory, as pip resolves it: relative to the
 * including file. The included files' index options are added to `data.indexOptions`.
 */
export async function checkRequirementIncludes(root: RepoRoot, file: string, data: RequirementsTxt, credentials: RepoFacts["credentials"]): Promise<void> {
  const start = await root.resolve(file);
  const seen = new Set<string>([start.real]);
  const queue = [...data.includes];
  while (queue.length) {
    const inc = queue.shift()!;
    // pip fetches `-r https://…` itself; only paths are files of the repository.
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(inc.target)) continue;
    const location = { file: inc.file, line: inc.line };
    const name = `${inc.option} ${quoteForMessage(inc.target)}`;
    if (inc.target === "") {
      throw new ConfigError(`${inc.option} needs a file name`, { location, hint: `write ${inc.option} other-requirements.txt, or remove the line` });
    }
    const dir = path.posix.dirname(inc.file);
    const target = path.isAbsolute(inc.target) || dir === "." ? inc.target : `${dir}/${inc.target}`;
    const resolved = await root.resolve(target, { location, name });
    if (!resolved.stats && !resolved.dangling) {
      throw new ConfigError(`${name}: no such file in the repository`, {
        location,
        hint: `the path is relative to the folder of ${path.posix.basename(inc.file)}: fix it, add the file, or remove the line`,
      });
    }
    if (resolved.stats && seen.has(resolved.real)) continue;
    const { text } = await root.readConfigFile(target, { location, name });
    seen.add(resolved.real);
    const rel = path.relative(root.path, resolved.real).split(path.sep).join("/");
    for (const hit of findCredentials(text)) credentials.push({ path: rel, ...hit });
    const nested = parseRequirementsTxt(text, rel);
    data.indexOptions.push(...nested.indexOptions);
    queue.push(...nested.includes);
  }
}
