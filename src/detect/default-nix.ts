import { clipForMessage } from "../errors.js";

/**
 * What r2d reads from default.nix: whether it refers to files beside it. A Nix path literal
 * (`./shell.sh`, `../pkgs`, `nix/sources.nix`, `/abs`, `~/x`) makes nix-shell read the repository, so
 * the environment can only be built once the code is copied. Without one, default.nix alone is
 * enough, and the environment is built before the copy (code edits keep the Nix layer cached).
 */
export interface DefaultNix {
  /** Path literals outside strings and comments (up to three, for messages); empty when there are none. */
  localPaths: string[];
  /** It imports `<nixpkgs>`: the image's channel, not a nixpkgs pinned in the file, decides the packages. */
  usesChannel: boolean;
}

export function parseDefaultNix(text: string): DefaultNix {
  const withSearchPaths = codeOnly(text);
  const usesChannel = /<nixpkgs[/>]/.test(withSearchPaths);
  const code = withSearchPaths.replace(/<[A-Za-z0-9._+/-]+>/g, " "); // <nixpkgs> search paths read NIX_PATH, not the repository
  const paths = new Set<string>();
  for (const token of code.match(/[A-Za-z0-9._+~/:-]+/g) ?? []) {
    // A slash makes a path literal; a colon makes a URI (`https://…`); slashes alone are operators (`//`, `/`).
    if (token.includes("/") && !token.includes(":") && /[^/]/.test(token)) paths.add(clipForMessage(token, 60));
    if (paths.size === 3) break;
  }
  return { localPaths: [...paths], usesChannel };
}

type Mode = "code" | "string" | "indented";

/**
 * The text with comments and string contents blanked out, keeping `${…}` interpolations (code, where a
 * path may hide: `''source ${./env.sh}''`). Over-approximating is safe: a false path only means
 * nix-shell runs after the copy, as repo2docker always does.
 */
function codeOnly(text: string): string {
  const modes: Mode[] = ["code"];
  const braces: number[] = [0];
  let out = "";
  let i = 0;
  const enter = (mode: Mode, width: number) => {
    modes.push(mode);
    if (mode === "code") braces.push(0);
    out += " ";
    i += width;
  };
  const leave = (width: number) => {
    if (modes.pop() === "code") braces.pop();
    out += " ";
    i += width;
  };
  while (i < text.length) {
    const mode = modes.at(-1)!;
    const c = text[i]!;
    const next = text[i + 1];
    if (mode === "code") {
      if (c === "#" || (c === "/" && next === "*")) {
        i = c === "#" ? skipTo(text, "\n", i) : skipTo(text, "*/", i + 2) + 1;
        out += " ";
      } else if (c === '"') enter("string", 1);
      else if (c === "'" && next === "'") enter("indented", 2);
      else if (c === "}" && braces.at(-1) === 0 && modes.length > 1) leave(1);
      else {
        if (c === "{") braces[braces.length - 1]! += 1;
        if (c === "}") braces[braces.length - 1]! -= 1;
        out += c;
        i += 1;
      }
      continue;
    }
    if (c === "$" && next === "{") enter("code", 2);
    else if (mode === "string" && c === "\\") i += 2;
    else if (mode === "string" && c === '"') leave(1);
    else if (mode === "indented" && c === "'" && next === "'") {
      const after = text[i + 2];
      if (after === "$" || after === "'") i += 3; // ''$ and ''' are escapes
      else if (after === "\\") i += 4; // ''\n and the like
      else leave(2);
    } else i += 1;
  }
  return out;
}

/** The index of the end of `marker` at or after `from` (the text's end when absent). */
function skipTo(text: string, marker: string, from: number): number {
  const at = text.indexOf(marker, from);
  return at < 0 ? text.length : at + 1;
}
