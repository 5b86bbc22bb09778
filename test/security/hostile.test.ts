/**
 * Hostile values through every place that reaches the Dockerfile: each is refused with a ConfigError
 * while planning (no engine is involved), or the Dockerfile keeps the benign one's instructions and
 * the value stays literal text inside its own word (shell tokens for RUN, Docker's word rules for the
 * rest, JSON arrays for COPY/CMD/ENTRYPOINT), and every RUN passes `bash -n`.
 */
import { describe, expect, it } from "vitest";
import { engineOf } from "../../src/engine/adapters/index.js";
import { buildCommand } from "../../src/engine/build-command.js";
import type { BuildRequest, Engine } from "../../src/engine/types.js";
import { ConfigError, planRepo } from "../../src/index.js";
import { tmpRepo } from "../helpers/repo.js";
import { injectionProblems } from "./compare.js";
import { PIPELINE, RENDER, type Place } from "./places.js";

export const HOSTILE: string[] = [
  "a b", "it's", 'say "hi"', "$(touch /tmp/pwned)", "`touch /tmp/pwned`", "$HOME", "${HOME}", "a;reboot", "a && reboot", "a||reboot",
  "a|tee x", "a&", "(sub)", "a>out", "a<in", "<<EOF", "1<<EOF", "line1\nRUN reboot", "cr\rlf", "-rf", "--purge", "-odpkg::pre-invoke::=id",
  "back\\slash", "trail\\", "ünïcødé", "日本語", "emoji😀", "tab\there", "*", "?", "[a]", "~root", "{a,b}", "#comment", "!x", "a=b",
  "", " ", "'", '"', "$", "\\", "nbsp\u00a0x", "ls\u2028x", "nul\u0000x", "esc\u001b[31m", "x".repeat(5000), "a'b\"c$(d)`e`\\f;g|h&i",
];

const benigns = new Map<Place, Promise<string>>();
function benignOf(place: Place): Promise<string> {
  if (!benigns.has(place)) benigns.set(place, place.render(place.benign));
  return benigns.get(place)!;
}

/** Renders `value` at `place`: "refused" (ConfigError), or the problems found ([] when inert). */
async function check(place: Place, value: string): Promise<"refused" | string[]> {
  let hostile: string;
  try {
    hostile = await place.render(value);
  } catch (err) {
    expect(err, `${place.name} ${JSON.stringify(value.slice(0, 40))}: only a ConfigError may stop planning`).toBeInstanceOf(ConfigError);
    if (place.refusedAt) expect((err as ConfigError).location?.file).toBe(place.refusedAt);
    return "refused";
  }
  const benign = await benignOf(place);
  // A value that never reaches the Dockerfile must not change it at all.
  if (place.inert) return hostile === benign ? [] : [`the Dockerfile changed: ${hostile}`];
  return injectionProblems(benign, hostile, place.benign, value);
}

async function sweep(place: Place): Promise<{ tried: string[]; refused: string[]; rendered: string[] }> {
  const tried = HOSTILE.filter(place.applies ?? (() => true));
  const refused: string[] = [];
  const rendered: string[] = [];
  for (const value of tried) {
    const outcome = await check(place, value);
    if (outcome === "refused") refused.push(value);
    else {
      expect(outcome, `${place.name} with ${JSON.stringify(value.slice(0, 60))}`).toEqual([]);
      rendered.push(value);
    }
  }
  return { tried, refused, rendered };
}

describe("hostile values through the whole pipeline", () => {
  it.each(PIPELINE.map((p) => [p.name, p] as const))("%s: refused, or inert", async (_name, place) => {
    expect(await benignOf(place)).toMatch(/^FROM /m);
    const { rendered } = await sweep(place);
    // Values the parsers let into the Dockerfile are those that cannot hurt: no quote, `$` or newline.
    if (!place.inert) for (const v of rendered) expect(v, `${place.name} let ${JSON.stringify(v.slice(0, 40))} through`).not.toMatch(/['"$`\n\\]/);
  });

  it.each([["--user-name"], ["--target-repo-dir"], ["--base-image"], ["apt.txt"], ["requirements.R pkg_list"]])("%s refuses every value with a quote, $, `, blank, newline or leading dash", async (name) => {
    const place = PIPELINE.find((p) => p.name === name)!;
    const dangerous = HOSTILE.filter((v) => /['"$`\s;&|<>\\]|^-/.test(v)).filter(place.applies ?? (() => true));
    expect(dangerous.length).toBeGreaterThan(15);
    for (const v of dangerous) {
      const value = name === "--target-repo-dir" ? `/srv/${v}` : v;
      // A path segment may start with a dash: the path itself starts with /.
      if (name === "--target-repo-dir" && /^-[\w-]+$/.test(v)) continue;
      expect(await check(place, value), `${name} ${JSON.stringify(value.slice(0, 40))}`).toBe("refused");
    }
  });
});

describe("hostile values straight into the facts and the plan (quoting alone)", () => {
  it.each(RENDER.map((p) => [p.name, p] as const))("%s: refused, or inert", async (_name, place) => {
    const { tried, refused } = await sweep(place);
    // A newline or control character is never written, whatever the place.
    if (!place.inert) for (const v of tried.filter((x) => /[\n\r\u0000\u001b]/.test(x))) expect(refused, `${place.name} wrote ${JSON.stringify(v)}`).toContain(v);
  });

  it.each([["requirements.txt path"], ["apt package"], ["postBuild path"], ["R package"], ["R snapshot date"], ["environment.yml path"], ["Pipfile path"]])(
    "%s: shell-special values are written, quoted, not refused (the check has teeth)",
    async (name) => {
      const { rendered } = await sweep(RENDER.find((p) => p.name === name)!);
      for (const v of ["a b", "a;reboot", "a && reboot", "a|tee x", "*", "{a,b}", "~root", "-rf", "日本語"]) expect(rendered).toContain(v);
    },
  );

  it("shell words reach RUN even with quotes and $ (R packages and apt names quoted, not refused)", async () => {
    const { rendered } = await sweep(RENDER.find((p) => p.name === "R package")!);
    for (const v of ["it's", 'say "hi"', "$(touch /tmp/pwned)", "`touch /tmp/pwned`", "$HOME", "back\\slash", "a'b\"c$(d)`e`\\f;g|h&i"]) expect(rendered).toContain(v);
  });
});

describe("values that never reach the Dockerfile", () => {
  it("labels and build arguments go to the builder as single argv elements, never through a shell", () => {
    const engine: Engine = engineOf("docker", { client: "/usr/bin/docker", version: "20.10.24", reason: "test" });
    const req = (v: string): BuildRequest => ({
      dockerfile: "r2d/Dockerfile", tags: ["r2d/x:1"], labels: { l: v }, buildArgs: { B: v }, secrets: [], cacheFrom: [], cacheTo: [],
      noCache: false, push: false, load: true, iidFile: "/o/iid", metadataFile: "/o/m.json", progress: "plain",
    });
    for (const v of HOSTILE) {
      const args = buildCommand(engine, req(v)).args;
      expect(args[args.indexOf("--label") + 1]).toBe(`l=${v}`);
      expect(args[args.indexOf("--build-arg") + 1]).toBe(`B=${v}`);
    }
  });

  it("--appendix is raw Dockerfile text by design: pasted as is, after everything r2d generates", async () => {
    const appendix = 'RUN echo "$(whoami)" > /tmp/x';
    const { dockerfile } = await planRepoWith({ appendix });
    expect(dockerfile.trimEnd().endsWith(`# --appendix\n${appendix}`)).toBe(true);
  });
});

async function planRepoWith(options: Parameters<typeof planRepo>[1]) {
  const repo = await tmpRepo({ "requirements.txt": "x\n" }, "r2d-appendix-");
  try {
    return await planRepo(repo.root, { invoking: { uid: 0, name: "root" }, ...options });
  } finally {
    await repo.cleanup();
  }
}
