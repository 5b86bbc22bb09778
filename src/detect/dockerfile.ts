/** What r2d reads from a repository's own Dockerfile. */
export interface RepoDockerfile {
  /** Image names in `FROM` lines (stage names and ARG references kept as written). */
  from: string[];
  /** repo2docker removed the `andrewosh/binder-base` images in 2020. */
  legacyBinderBase: boolean;
  /** The file itself: the Dockerfile buildpack builds it unchanged. */
  text: string;
}

export function parseRepoDockerfile(text: string): RepoDockerfile {
  const from: string[] = [];
  // Join continuation lines first so a split FROM is still seen.
  for (const line of text.replace(/\\\r?\n/g, " ").split(/\r?\n/)) {
    const m = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)/i.exec(line);
    if (m) from.push(m[1]!);
  }
  return { from, legacyBinderBase: from.some((f) => f.startsWith("andrewosh/binder-base")), text };
}
