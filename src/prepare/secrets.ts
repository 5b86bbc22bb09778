/**
 * The build's secrets: r2d's own (pip.conf and the CRAN mirror, made from the index options) and
 * the caller's (`secrets` / `secret-files` of the action). All reach the build as `--secret` files,
 * mounted only while a RUN step runs: never in a layer, the history, the plan or an output.
 */
import { SECRET_SPECS, type SecretOptions } from "../buildpacks/index.js";
import { ConfigError } from "../errors.js";
import type { BuildPlan } from "../plan/types.js";

/** A caller's build secret: its value, or a file on this machine that holds it. */
export type BuildSecret = { id: string; value: string } | { id: string; file: string };

/** A secret of the build: content written to the run folder for the client's lifetime, or the caller's own file. */
export type SecretFile = { id: string; fileName: string; content: string } | { id: string; src: string };

/** BuildKit reads `--secret id=ID,src=PATH` as CSV: an id is a plain word, a path has no comma or quote. */
const SECRET_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** The options a secret may replace: a caller's r2d-pip-conf instead of pip.conf made from the index URLs. */
const REPLACES: Record<string, { options: (keyof SecretOptions)[]; names: string }> = {
  "r2d-pip-conf": { options: ["pipIndexUrl", "pipExtraIndexUrls"], names: "pip-index-url / pip-extra-index-url" },
  "r2d-cran": { options: ["cranMirror"], names: "cran-mirror" },
};

const given = (value: unknown) => (Array.isArray(value) ? value.length > 0 : Boolean(value));

/** Checks the caller's secrets: ids BuildKit takes, each once, r2d's own ids only without the options that make them. */
export function checkBuildSecrets(secrets: readonly BuildSecret[], options: SecretOptions): void {
  const seen = new Set<string>();
  for (const s of secrets) {
    const where = { location: { file: "file" in s ? "--secret-file" : "--secret" } };
    if (!SECRET_ID.test(s.id)) throw new ConfigError(`secret id "${s.id.slice(0, 60)}" is not a plain word (letters, digits, _ . -)`, { ...where, hint: "write ID=VALUE (or ID=PATH for a file), e.g. hf_token=..." });
    if (seen.has(s.id)) throw new ConfigError(`secret id ${s.id} is given twice`, where);
    seen.add(s.id);
    if ("file" in s && /[,"\n]/.test(s.file)) throw new ConfigError(`the file of secret ${s.id} has a comma, quote or line break in its path, which BuildKit's --secret cannot take`, { ...where, hint: "copy the file to a plain path first" });
    const own = SECRET_SPECS.find((spec) => spec.id === s.id);
    if (s.id.startsWith("r2d-") && !own) throw new ConfigError(`secret id ${s.id}: ids starting with r2d- are r2d's own (${SECRET_SPECS.map((x) => x.id).join(", ")})`, where);
    const replaced = REPLACES[s.id];
    if (replaced && replaced.options.some((o) => given(options[o]))) {
      throw new ConfigError(`secret ${s.id} replaces what ${replaced.names} makes: give one or the other`, { ...where, hint: `drop ${replaced.names}, or the ${s.id} secret` });
    }
  }
}

/** r2d's secrets the plan's steps mount (empty ones are not mounted), then the caller's, which win over r2d's of the same id. */
export function secretFiles(plan: BuildPlan, options: SecretOptions, own: readonly BuildSecret[] = []): SecretFile[] {
  checkBuildSecrets(own, options);
  const mounted = new Set(plan.secrets.map((s) => s.id));
  const ids = new Set(own.map((s) => s.id));
  const files: SecretFile[] = [];
  for (const spec of SECRET_SPECS) {
    const content = mounted.has(spec.id) && !ids.has(spec.id) ? spec.content(options) : null;
    if (content !== null) files.push({ id: spec.id, fileName: spec.fileName, content });
  }
  own.forEach((s, i) => files.push("file" in s ? { id: s.id, src: s.file } : { id: s.id, fileName: `secret-${i}`, content: s.value }));
  return files;
}

/** Notes on the caller's secrets that a generated Dockerfile never mounts (only a repository's own Dockerfile can). */
export function unusedSecretNotes(plan: BuildPlan, own: readonly BuildSecret[], ownDockerfile: boolean): string[] {
  if (ownDockerfile) return [];
  const mounted = new Set(plan.secrets.map((s) => s.id));
  return own
    .filter((s) => !mounted.has(s.id))
    .map((s) => `secret ${s.id} is passed to the build, but r2d's generated Dockerfile mounts only ${[...mounted].join(" and ") || "none of its own"}: only a repository's own Dockerfile can use it (RUN --mount=type=secret,id=${s.id})`);
}
