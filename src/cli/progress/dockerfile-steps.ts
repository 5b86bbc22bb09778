/**
 * The Dockerfile's instructions that BuildKit shows as steps (`[n/m] RUN …`): FROM, RUN, COPY, ADD
 * and WORKDIR, numbered per stage the way BuildKit numbers them, each with the comment written
 * above it. r2d's own Dockerfile puts a `# title` above each step; those titles become the words
 * the display shows.
 */

export interface DockerfileStep {
  /** The stage's name (`AS name`), else `stage-N` (BuildKit's names for stage prefixes). */
  stage: string;
  /** 1-based position in the stage (FROM is 1), as in `[n/m]`. */
  index: number;
  /** Steps in the stage (m of `[n/m]`). */
  total: number;
  keyword: string;
  /** The instruction's arguments, continuation lines joined. */
  args: string;
  /** The comment lines directly above it (without `#`). */
  comment: string[];
}

const STEP_KEYWORDS = new Set(["FROM", "RUN", "COPY", "ADD", "WORKDIR"]);

interface Instruction {
  keyword: string;
  args: string;
  comment: string[];
}

/** `# escape=`` ` (the parser directive) changes the continuation character. */
function escapeChar(lines: string[]): string {
  for (const line of lines) {
    const m = /^#\s*escape\s*=\s*(\S)\s*$/i.exec(line);
    if (m) return m[1]!;
    if (!/^#\s*\w+\s*=/.test(line)) break;
  }
  return "\\";
}

/** Instructions with their comments; continuation lines joined, heredoc bodies skipped. */
function instructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  const escape = escapeChar(lines);
  const out: Instruction[] = [];
  let comment: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") {
      comment = [];
      continue;
    }
    if (line.startsWith("#")) {
      comment.push(line.replace(/^#\s?/, ""));
      continue;
    }
    let joined = line;
    while (joined.endsWith(escape) && i + 1 < lines.length) {
      joined = joined.slice(0, -1);
      i++;
      const next = lines[i]!.trim();
      if (!next.startsWith("#")) joined += ` ${next}`;
    }
    const heredoc = /<<-?["']?(\w+)["']?/.exec(joined);
    if (heredoc) while (i + 1 < lines.length && lines[i + 1]!.trim() !== heredoc[1]) i++;
    if (heredoc) i++;
    const m = /^(\S+)\s*(.*)$/.exec(joined);
    out.push({ keyword: (m?.[1] ?? "").toUpperCase(), args: (m?.[2] ?? "").replace(/\s+/g, " ").trim(), comment });
    comment = [];
  }
  return out;
}

/** Every step of every stage, in Dockerfile order. */
export function dockerfileSteps(text: string): DockerfileStep[] {
  const stages: { name: string; steps: Omit<DockerfileStep, "stage" | "total">[] }[] = [];
  for (const ins of instructions(text)) {
    if (!STEP_KEYWORDS.has(ins.keyword)) continue;
    if (ins.keyword === "FROM") {
      const name = /\s+as\s+(\S+)\s*$/i.exec(ins.args)?.[1] ?? `stage-${stages.length}`;
      stages.push({ name, steps: [] });
    }
    const stage = stages.at(-1);
    if (!stage) continue;
    stage.steps.push({ index: stage.steps.length + 1, keyword: ins.keyword, args: ins.args, comment: ins.comment });
  }
  return stages.flatMap((s) => s.steps.map((step) => ({ ...step, stage: s.name, total: s.steps.length })));
}

/** `--platform=$X image AS name` → `image`. */
const fromImage = (args: string): string => args.split(/\s+/).find((w) => !w.startsWith("--")) ?? "";

/**
 * The steps (positions in `steps`) the builder reports a vertex for when it builds the last stage:
 * those of the stages it needs (FROM another stage, `COPY --from=`, `RUN --mount=…from=`), without
 * a FROM of another stage (no vertex of its own) or of an image an earlier FROM named (one shared vertex).
 */
export function reportedSteps(steps: DockerfileStep[]): Set<number> {
  const stages = [...new Set(steps.map((s) => s.stage))];
  const byName = new Map(stages.map((name) => [name.toLowerCase(), name] as const));
  const stageOf = (ref: string) => (/^\d+$/.test(ref) ? stages[Number(ref)] : byName.get(ref.toLowerCase()));
  const needs = new Map<string, string[]>(stages.map((name) => [name, []]));
  for (const s of steps) {
    const refs = [...s.args.matchAll(/(?:^|[\s,])--from=([^\s,]+)|--mount=\S*?\bfrom=([^\s,]+)/g)].map((m) => m[1] ?? m[2] ?? "");
    if (s.keyword === "FROM") refs.push(fromImage(s.args));
    for (const ref of refs) {
      const stage = stageOf(ref);
      if (stage && stage !== s.stage) needs.get(s.stage)!.push(stage);
    }
  }
  const wanted = new Set<string>();
  const visit = (stage: string | undefined): void => {
    if (!stage || wanted.has(stage)) return;
    wanted.add(stage);
    for (const next of needs.get(stage) ?? []) visit(next);
  };
  visit(stages.at(-1));
  const out = new Set<number>();
  const images = new Set<string>();
  steps.forEach((s, i) => {
    if (!wanted.has(s.stage)) return;
    if (s.keyword === "FROM") {
      const image = fromImage(s.args);
      if (stageOf(image) || images.has(image)) return;
      images.add(image);
    }
    out.add(i);
  });
  return out;
}
