/**
 * A BuildKit vertex (`[7/10] RUN PIP_CONFIG_FILE=… pip install …`) → what the step does, in words
 * ("install requirements.txt with pip"), whether it is r2d's own plumbing (hidden), and its place in
 * build order. The words come from the `# title` r2d writes above each step of its Dockerfile; a
 * repository's own Dockerfile is shown as its instructions.
 */
import { GENERATED_DIR, REPO_PREFIX } from "../../plan/layout.js";
import { dockerfileSteps, type DockerfileStep } from "./dockerfile-steps.js";

export interface StepLabel {
  words: string;
  /** r2d's or BuildKit's plumbing: shown only with --debug. */
  internal: boolean;
  /** Build order: the step's place in the Dockerfile; steps outside it (the export) come last. */
  order: number;
}

/** Titles of r2d's steps → what the step does. Unknown titles are shown as they are. */
const PHRASES: [RegExp, string][] = [
  [/^pip packages from (\S+)$/, "install $1 with pip"],
  [/^R packages from (\S+).*$/, "install the R packages of $1"],
  [/^system packages from (\S+)$/, "install $1 with apt"],
  [/^(\S*postBuild), as \S+$/, "run $1"],
  [/^Scripts made executable(?: \([^)]*\))?: (.+)$/, "make $1 executable"],
  [/^Python virtual environment in (\S+),.*$/, "create the Python environment $1"],
  [/^conda environment from (\S+).*$/, "install $1 with micromamba"],
  [/^packages pinned in (\S+)$/, "install $1 with pipenv"],
  [/^packages from (\S+) \(no lock file.*$/, "install $1 with pipenv"],
  [/^pipenv, in its own environment.*$/, "install pipenv"],
  [/^the repository as (.+?)(?: \([^)]*\))?$/, "install the repository as $1"],
  [/^(\S+) \(run as an R script\)$/, "run $1"],
  [/^--appendix$/, "the --appendix instructions"],
  [/^build-essential if a package pip installs is not a wheel\b.*$/, "build-essential if a package is not a wheel"],
];

/** BuildKit's own vertices that are worth a line: they can take a while. */
const VISIBLE_PLUMBING: [RegExp, string][] = [
  [/^exporting to (?:image|docker image format|oci image format|client)/, "export the image"],
  [/^importing cache manifest from/, "import the build cache"],
  [/^exporting cache/, "export the build cache"],
];

function phrase(title: string): string {
  for (const [re, words] of PHRASES) if (re.test(title)) return title.replace(re, words);
  return title;
}

/** The first words of a title: `Python 3 with venv (installed …)` → `Python 3 with venv`. */
function shortTitle(title: string): string {
  return phrase(title).split(" (")[0]!.split(",")[0]!.trim();
}

/** COPY's sources as written, from the JSON form r2d writes or the plain form. */
function rawSources(args: string): string[] {
  const words = args.replace(/--\S+\s*/g, "").trim();
  let items: string[];
  try {
    items = words.startsWith("[") ? (JSON.parse(words) as string[]) : words.split(/\s+/);
  } catch {
    items = words.split(/\s+/);
  }
  return items.slice(0, -1);
}

/** COPY's sources as paths in the repository. */
function copySources(args: string): string[] {
  return rawSources(args).map((s) => (s.startsWith(REPO_PREFIX) ? s.slice(REPO_PREFIX.length) : s).replace(/\/$/, "") || ".");
}

/** Words for a step of r2d's own Dockerfile. */
function generatedWords(step: DockerfileStep, previous: DockerfileStep | undefined): { words: string; internal: boolean } {
  const [first = "", ...rest] = step.comment;
  if (step.keyword === "FROM" && /^r2d-base\b|^runtime\b/.test(step.args)) return { words: `stage ${step.args}`, internal: true };
  if (step.keyword === "FROM") return { words: `base image ${step.args.replace(/\s+as\s+\S+$/i, "")}`, internal: false };
  // The runtime image receives the environments built in the builder stage.
  if (step.keyword === "COPY" && /^--from=builder\b/.test(step.args)) return { words: `copy the built environment ${rawSources(step.args).join(", ")}`, internal: false };
  if (step.keyword === "WORKDIR") return { words: `WORKDIR ${step.args}`, internal: true };
  if (step.keyword === "COPY" && rawSources(step.args).every((s) => s.startsWith(`${GENERATED_DIR}/`))) {
    return { words: `copy r2d's ${rawSources(step.args).join(", ")}`, internal: true };
  }
  if (first.startsWith("The repository")) return { words: "copy the repository", internal: false };
  const dependencies = first.startsWith("Dependency files") || (!first && step.keyword === "COPY" && previous?.keyword === "COPY");
  if (step.keyword === "COPY" && dependencies) return { words: `copy ${copySources(step.args).join(", ")}`, internal: false };
  if (first.startsWith("As root")) return { words: `system set-up: ${rest.map((t) => shortTitle(t.replace(/^- /, ""))).join(", ")}`, internal: false };
  if (first) return { words: phrase(first), internal: false };
  return { words: instructionWords(step), internal: false };
}

/** A repository's own instruction, without RUN's `--mount=…` options. */
function instructionWords(step: Pick<DockerfileStep, "keyword" | "args">): string {
  return `${step.keyword} ${step.args.replace(/--(?:mount|network|security)=\S+\s*/g, "")}`.trim();
}

interface Position {
  stage?: string;
  index: number;
  total: number;
  rest: string;
}

/** `[linux/amd64 builder  3/12] RUN …` → stage builder, 3 of 12, `RUN …`. */
export function vertexPosition(name: string): Position | undefined {
  const m = /^\[([^\]]*?)\s*(\d+)\/(\d+)\]\s*(.*)$/.exec(name);
  if (!m) return undefined;
  const words = (m[1] ?? "").trim().split(/\s+/).filter(Boolean);
  const stage = words.find((w) => !w.includes("/"));
  return { stage, index: Number(m[2]), total: Number(m[3]), rest: m[4] ?? "" };
}

// BuildKit names a FROM by the full reference (docker.io/library/…): compare it as the Dockerfile wrote it.
const normalise = (s: string) =>
  s
    .replace(/--(?:mount|network|security|chown|chmod|link|from)=\S+\s*/g, "")
    .replace(/^FROM\s+docker\.io\/(?:library\/)?/i, "FROM ")
    .replace(/^(FROM\s+\S+)\s+AS\s+\S+$/i, "$1")
    .replace(/[\s"[\],]+/g, " ")
    .trim();

/** Labels vertices by the Dockerfile they were built from (none known: every instruction as written). */
export function stepLabeler(dockerfile?: string, steps: DockerfileStep[] = dockerfile ? dockerfileSteps(dockerfile) : []): (vertexName: string) => StepLabel {
  const generated = /^#\s*Generated by r2d\b/.test(dockerfile ?? "");
  const stageNames = new Set(steps.map((s) => s.stage));
  const find = (pos: Position): number => {
    const inStage = (s: DockerfileStep) => (pos.stage ? s.stage === pos.stage : stageNames.size === 1);
    const byIndex = steps.findIndex((s) => inStage(s) && s.index === pos.index && s.total === pos.total);
    if (byIndex >= 0) return byIndex;
    // Numbered differently than expected (ONBUILD, a newer frontend): match the instruction's text.
    const text = normalise(pos.rest);
    // A FROM vertex may be shared with another build that named its stage otherwise: its image decides.
    const anyStage = /^FROM\s/i.test(pos.rest);
    return steps.findIndex((s) => (anyStage || inStage(s)) && text.startsWith(normalise(`${s.keyword} ${s.args}`).slice(0, 60)));
  };
  let unknown = 0;
  return (name) => {
    const pos = vertexPosition(name);
    if (!pos) {
      const visible = VISIBLE_PLUMBING.find(([re]) => re.test(name));
      return { words: visible?.[1] ?? name, internal: !visible, order: 1_000_000 + unknown++ };
    }
    const at = find(pos);
    const step = steps[at];
    if (!step) {
      const [keyword = "", ...args] = pos.rest.split(" ");
      return { words: instructionWords({ keyword, args: args.join(" ") }), internal: false, order: 100_000 + unknown++ };
    }
    const words = generated ? generatedWords(step, steps[at - 1]) : { words: instructionWords(step), internal: false };
    return { ...words, order: at };
  };
}
