// One verdict per target of the performance issue, with the figure, its range (min–max over the
// runs, or over the paired runs for ratios and differences) and the machine load while it was
// measured, so a reader sees at once which targets hold and how much to trust the figure.
import { fmtBytes, fmtMs, fmtRatio, median, minmax } from "./util.mjs";

const MET = "met";
const MISSED = "**missed**";
const NOT_MEASURED = "not measured";

const verdict = (ok) => (ok ? MET : MISSED);
const range = (xs, fmt) => {
  const [lo, hi] = minmax(xs);
  return Number.isFinite(lo) ? `${fmt(lo)}–${fmt(hi)}` : "n/a";
};

/** 1-minute load of the builds a figure comes from: "median (min–max)". */
function loadOf(runs) {
  const xs = (runs ?? []).map((b) => b.load?.[0]).filter(Number.isFinite);
  if (!xs.length) return "n/a";
  const [lo, hi] = minmax(xs);
  return lo === hi ? `${lo}` : `${median(xs)} (${lo}–${hi})`;
}

function coldRows(c) {
  if (!c) return [["cold build ≤ 1.0× the expert's", "", "", NOT_MEASURED, ""], ["cold build ≥ 4× faster than the course recipe", "", "", NOT_MEASURED, ""]];
  const runs = [...c.cold.r2d.runs, ...c.cold.expert.runs, ...c.cold.course.runs];
  const r2dOverExpert = c.ratios.r2dOverExpert;
  const courseOverR2d = c.ratios.courseOverR2d;
  return [
    ["cold build ≤ 1.0× the expert's", `${fmtRatio(r2dOverExpert.ofMedians)} (r2d ${fmtMs(c.cold.r2d.medianMs)}, expert ${fmtMs(c.cold.expert.medianMs)})`, `paired ${range(r2dOverExpert.paired, fmtRatio)}`, verdict(r2dOverExpert.ofMedians <= 1.0), loadOf(runs)],
    ["cold build ≥ 4× faster than the course recipe", `${fmtRatio(courseOverR2d.ofMedians)} (course ${fmtMs(c.cold.course.medianMs)})`, `paired ${range(courseOverR2d.paired, fmtRatio)}`, verdict(courseOverR2d.ofMedians >= 4), loadOf(runs)],
  ];
}

function rebuildRows(b) {
  if (!b) return [["code-only rebuild ≤ expert + 0.2 s", "", "", NOT_MEASURED, ""], ["code-only rebuild ≥ 15× faster than the course recipe", "", "", NOT_MEASURED, ""]];
  const runs = [...b.r2d.runs, ...b.expert.runs, ...b.course.runs];
  const diff = b.r2dMinusExpertMs;
  const courseOverR2d = b.ratios.courseOverR2d;
  return [
    ["code-only rebuild ≤ expert + 0.2 s (whole r2d process)", `+${fmtMs(diff.ofMedians)} (r2d ${fmtMs(b.r2d.medianMs)}, expert ${fmtMs(b.expert.medianMs)})`, `paired ${range(diff.paired, fmtMs)}`, verdict(diff.ofMedians <= 200), loadOf(runs)],
    ["code-only rebuild ≥ 15× faster than the course recipe", `${fmtRatio(courseOverR2d.ofMedians)} (course ${fmtMs(b.course.medianMs)})`, `paired ${range(courseOverR2d.paired, fmtRatio)}`, verdict(courseOverR2d.ofMedians >= 15), loadOf(runs)],
  ];
}

function sizeRows(s) {
  if (!s) return [["image ≤ 0.92× the expert's", "", "", NOT_MEASURED, ""]];
  const works = s.r2d.runs && s.expert.runs;
  return [["image ≤ 0.92× the expert's (base + dependencies + code)", `${fmtRatio(s.r2dOverExpert)} (r2d ${fmtBytes(s.r2d.total)}, expert ${fmtBytes(s.expert.total)})`, "sizes do not vary between runs", works ? verdict(s.r2dOverExpert <= 0.92) : `${MISSED} (an image does not run)`, ""]];
}

function startupRows(st, plan) {
  if (!st) return [["`r2d REPO --no-build --json` ≤ `node -e 0` + 60 ms", "", "", NOT_MEASURED, ""], ["start-up flat up to 1M files", "", "", NOT_MEASURED, ""], ["peak RSS reported", "", "", NOT_MEASURED, ""]];
  const tiny = st.rows.find((r) => r.key === "r2d-0");
  const node = st.rows.find((r) => r.key === "node");
  const big = st.rows.filter((r) => r.files > 0);
  const biggest = big.at(-1);
  const load = st.load ? `${st.load.start} → ${st.load.end}` : "n/a";
  const upTo = biggest?.files ?? 0;
  // The target is stated up to 1M files: a run with smaller repositories cannot meet it.
  const flatVerdict = upTo >= 1_000_000 ? verdict(st.flat) : `${NOT_MEASURED} to 1M (largest ${upTo.toLocaleString("en")}: ${st.flat ? "flat" : "not flat"})`;
  const planRss = plan?.rows?.at(-1);
  return [
    ["`r2d REPO --no-build --json` ≤ `node -e 0` + 60 ms (small repository)", `+${fmtMs(st.overNodeMs)} (r2d ${fmtMs(tiny.medianMs)}, node ${fmtMs(node.medianMs)}; CPU +${fmtMs(tiny.overNodeCpuMs)}, which load moves less)`, `paired ${tiny.overNodeRangeMs ? range(tiny.overNodeRangeMs, fmtMs) : "n/a"}`, verdict(st.met), load],
    [`start-up flat up to 1M files (${st.flatRule})`, big.map((r) => `${r.files.toLocaleString("en")}: ${fmtMs(r.medianMs)}`).join(", ") || "n/a", big.map((r) => range(r.samplesMs ?? r.rangeMs, fmtMs)).join(", "), flatVerdict, load],
    [
      "peak RSS reported",
      `--no-build: ${Number.isFinite(tiny.maxRssMiB) ? `${tiny.maxRssMiB.toFixed(0)} MiB tiny` : "n/a"}${biggest && Number.isFinite(biggest.maxRssMiB) ? `, ${biggest.maxRssMiB.toFixed(0)} MiB at ${biggest.files.toLocaleString("en")} files` : ""}${planRss ? `; planning + context: ${planRss.maxRssMiB.toFixed(0)} MiB at ${planRss.files.toLocaleString("en")} files` : ""}`,
      "",
      Number.isFinite(tiny.maxRssMiB) ? "reported" : NOT_MEASURED,
      "",
    ],
  ];
}

function stackRows(stacks) {
  const rows = [];
  for (const name of ["r", "conda"]) {
    const x = stacks?.[name];
    const label = `${name === "r" ? "R" : "conda"} repository: cold and rebuild published`;
    if (!x) rows.push([label, "", "", NOT_MEASURED, ""]);
    else if (x.notRun) rows.push([label, `planning only: ${fmtMs(x.planMedianMs)}`, range(x.planRangeMs, fmtMs), `${NOT_MEASURED}: ${x.notRun}`, ""]);
    else {
      const runs = [...x.cold.runs, ...x.rebuild.runs];
      rows.push([label, `cold ${fmtMs(x.cold.medianMs)}, rebuild ${fmtMs(x.rebuild.medianMs)}`, `cold ${range(x.cold.rangeMs, fmtMs)}, rebuild ${range(x.rebuild.rangeMs, fmtMs)}`, "published", loadOf(runs)]);
    }
  }
  return rows;
}

/** The verdict table: every target of the issue, in its order. */
export function verdictsMarkdown(R) {
  const rows = [...coldRows(R.context), ...rebuildRows(R.rebuild), ...sizeRows(R.size), ...startupRows(R.startup, R.plan), ...stackRows(R.stacks)];
  const L = ["### Verdicts, target by target", ""];
  if (R.options.quick) L.push("Quick smoke run (small data, small repositories, one run): the verdicts show the writer works, not where r2d stands.", "");
  L.push(`Machine: ${R.machine.cpus} cores; 1-minute load is given per target (above ${R.machine.cpus} means other work competed for the cores).`, "");
  L.push("| target | measured (medians) | range | verdict | 1-min load |", "|---|---|---|---|---|");
  for (const r of rows) L.push(`| ${r.join(" | ")} |`);
  L.push("");
  return L;
}
