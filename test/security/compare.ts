/**
 * Compares a Dockerfile rendered with a hostile value against the one rendered with a benign value:
 * the same instructions, and in each the hostile value only as literal text where the benign one was.
 */
import { spawnSync } from "node:child_process";
import { DockerfileParser, type Instruction } from "dockerfile-ast";
import { dockerWords, shellTokens, substitute, substituteWords } from "./tokens.js";

const checked = new Map<string, string | null>();

/** `bash -n`: the command parses. Returns bash's complaint, or null. */
export function bashSyntaxError(command: string): string | null {
  if (!checked.has(command)) {
    const r = spawnSync("bash", ["-n", "-c", command], { encoding: "utf8" });
    checked.set(command, r.status === 0 ? null : r.stderr || `exit ${r.status}`);
  }
  return checked.get(command)!;
}

function flags(i: Instruction): string[] {
  return "getFlags" in i ? (i as unknown as { getFlags(): { toString(): string }[] }).getFlags().map((f) => f.toString()) : [];
}

function jsonArgs(text: string): string[] | null {
  if (!text.trimStart().startsWith("[")) return null;
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : null;
  } catch {
    return null;
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What differs beyond the value itself, one line per problem ([] when the value stayed inert). */
export function injectionProblems(benign: string, hostile: string, benignValue: string, hostileValue: string): string[] {
  const problems: string[] = [];
  if (benign.split("\n").length !== hostile.split("\n").length) problems.push("the Dockerfile has a different number of lines");
  const a = DockerfileParser.parse(benign).getInstructions();
  const b = DockerfileParser.parse(hostile).getInstructions();
  const keywords = (list: Instruction[]) => list.map((i) => i.getKeyword()).join(" ");
  if (keywords(a) !== keywords(b)) return [...problems, `instructions differ: ${keywords(a)} / ${keywords(b)}`];
  a.forEach((ia, n) => {
    const ib = b[n]!;
    const where = `instruction ${n + 1} (${ia.getKeyword()})`;
    const fa = flags(ia).map((f) => f.split(benignValue).join(hostileValue));
    if (!same(fa, flags(ib))) problems.push(`${where}: flags differ`);
    const ta = ia.getArgumentsContent() ?? "";
    const tb = ib.getArgumentsContent() ?? "";
    if (ia.getKeyword() === "RUN" && jsonArgs(ta) === null) {
      const syntax = bashSyntaxError(tb);
      if (syntax) problems.push(`${where}: bash -n: ${syntax.trim()}`);
      let tokens;
      try {
        tokens = shellTokens(tb);
      } catch (err) {
        problems.push(`${where}: ${(err as Error).message}`);
        return;
      }
      if (!same(substitute(shellTokens(ta), benignValue, hostileValue), tokens)) problems.push(`${where}: shell tokens differ: ${tb.slice(0, 300)}`);
      return;
    }
    const ja = jsonArgs(ta);
    if (ja !== null) {
      const jb = jsonArgs(tb);
      if (jb === null) return problems.push(`${where}: no longer JSON: ${tb.slice(0, 300)}`);
      // COPY reads quotes, `\` and `$` in each element; CMD and ENTRYPOINT take them as they are.
      const one = (x: string) => dockerWords(x, { split: false });
      const words = (list: string[]) => (ia.getKeyword() === "COPY" ? list.map(one) : list);
      const expected = ia.getKeyword() === "COPY" ? ja.map((x) => substituteWords(one(x), benignValue, hostileValue)) : ja.map((x) => x.split(benignValue).join(hostileValue));
      if (!same(expected, words(jb))) problems.push(`${where}: JSON arguments differ: ${tb.slice(0, 300)}`);
      return;
    }
    let wb;
    try {
      wb = dockerWords(tb);
    } catch (err) {
      return problems.push(`${where}: ${(err as Error).message}`);
    }
    if (!same(substituteWords(dockerWords(ta), benignValue, hostileValue), wb)) problems.push(`${where}: Dockerfile words differ: ${tb.slice(0, 300)}`);
  });
  return problems;
}
