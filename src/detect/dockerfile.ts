/** What r2d reads from a repository's own Dockerfile. */
export interface RepoDockerfile {
  /** Image names in `FROM` lines (stage names and ARG references kept as written). */
  from: string[];
  /** repo2docker removed the `andrewosh/binder-base` images in 2020. */
  legacyBinderBase: boolean;
  /** The last `USER` of the final stage and its line, or null when that stage sets none. */
  finalUser: { user: string; line: number } | null;
  /** The file itself: the Dockerfile buildpack builds it unchanged. */
  text: string;
}

export function parseRepoDockerfile(text: string): RepoDockerfile {
  const from: string[] = [];
  let finalUser: RepoDockerfile["finalUser"] = null;
  for (const { line, number } of instructions(text)) {
    const f = /^FROM\s+(?:--platform=\S+\s+)?(\S+)/i.exec(line);
    if (f) {
      from.push(f[1]!);
      finalUser = null; // a new stage starts as its base image's user
      continue;
    }
    const u = /^USER\s+(\S+)/i.exec(line);
    if (u) finalUser = { user: u[1]!, line: number };
  }
  return { from, legacyBinderBase: from.some((f) => f.startsWith("andrewosh/binder-base")), finalUser, text };
}

/** `USER root`, `USER 0`, `USER 0:0`, `USER root:root`: the container runs as root. */
export function isRootUser(user: string): boolean {
  return /^(root|0)(:.*)?$/.test(user);
}

/**
 * The Dockerfile's instructions with their first line: continuation lines joined (with the
 * `# escape=` directive's character), comment lines inside a continuation skipped.
 */
function instructions(text: string): { line: string; number: number }[] {
  const lines = text.split(/\r?\n/);
  let escape = "\\";
  // Parser directives (`# escape=``) come first, before any blank line, comment or instruction.
  for (const l of lines) {
    const d = /^#\s*([a-z]+)\s*=\s*(\S*)\s*$/i.exec(l);
    if (!d) break;
    if (d[1]!.toLowerCase() === "escape" && (d[2] === "`" || d[2] === "\\")) escape = d[2];
  }
  const out: { line: string; number: number }[] = [];
  let pending: string | null = null;
  let start = 0;
  lines.forEach((raw, i) => {
    if (pending !== null && /^\s*#/.test(raw)) return;
    if (pending === null) {
      if (/^\s*(#|$)/.test(raw)) return;
      start = i + 1;
      pending = "";
    }
    const trimmed = raw.trimEnd();
    if (trimmed.endsWith(escape)) {
      pending += `${trimmed.slice(0, -1)} `;
      return;
    }
    out.push({ line: (pending + raw).trim(), number: start });
    pending = null;
  });
  if (pending !== null && (pending as string).trim() !== "") out.push({ line: (pending as string).trim(), number: start });
  return out;
}
