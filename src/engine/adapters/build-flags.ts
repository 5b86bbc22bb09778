/**
 * Pieces of build command lines the adapters share: request fields as `K=V` words, cache specs, and
 * the flags docker's two build commands (`docker build`, `docker buildx build`) have in common.
 */
import { ConfigError } from "../../errors.js";
import type { BuildRequest } from "../types.js";

export function kv(record: Record<string, string>): string[] {
  return Object.entries(record).map(([k, v]) => `${k}=${v}`);
}

/** Parse `type=registry,ref=x` into pairs; a bare value (an image reference) gives undefined. */
export function parseSpec(spec: string): Record<string, string> | undefined {
  if (!spec.includes("=")) return undefined;
  const out: Record<string, string> = {};
  for (const part of spec.split(",")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** An attestation value that asks for one: not absent, empty or "false". */
export const wantsAttestation = (value: string | undefined): value is string => value !== undefined && value !== "" && value !== "false";

/**
 * Refuses what a client cannot do with the builder and attestation settings, before it starts:
 * silently building without a requested provenance or SBOM would look like a success.
 */
export function refuseBuilderAndAttestations(req: BuildRequest, client: string, why: { builder: string; attestations: string }): void {
  if (req.builder) throw new ConfigError(`${client} cannot use the builder "${req.builder}": ${why.builder}`, { location: { file: "--builder" }, hint: "use --engine buildx (docker with the buildx plugin), or leave out the builder" });
  for (const [name, value] of [["provenance", req.provenance], ["sbom", req.sbom]] as const) {
    if (!wantsAttestation(value)) continue;
    throw new ConfigError(`${client} cannot attach ${name === "sbom" ? "an SBOM" : "provenance"} attestation (${name}=${value}): ${why.attestations}`, {
      location: { file: `--${name}` },
      hint: `build with docker buildx 0.10 or newer and a builder that supports attestations (docker/setup-buildx-action's docker-container driver), or set ${name} to false`,
    });
  }
}

/** A network other than the engine's default. */
export const usesNetwork = (n: string | undefined): n is string => n !== undefined && n !== "" && n !== "default";

export interface DockerBuildFlags {
  /** `-t` names (only where the builder pushes: local images are tagged after the build). */
  tags: string[];
  /** `--allow network.host` with `--network host` (buildx needs the entitlement). */
  allowHostNetwork: boolean;
  /** `--cache-from` values, as this client takes them. */
  cacheFrom: string[];
  cacheTo: string[];
  /** `--load`, `--push`. */
  exports: string[];
}

/** `-f DOCKERFILE`, names, labels, build arguments, secrets, platform, network, cache, exports, then `-` (the context on stdin). */
export function dockerBuildFlags(req: BuildRequest, f: DockerBuildFlags): string[] {
  const args = ["-f", req.dockerfile];
  for (const t of f.tags) args.push("-t", t);
  for (const l of kv(req.labels)) args.push("--label", l);
  for (const a of kv(req.buildArgs)) args.push("--build-arg", a);
  for (const s of req.secrets) args.push("--secret", `id=${s.id},src=${s.src}`);
  if (req.platform) args.push("--platform", req.platform);
  if (usesNetwork(req.network)) {
    args.push("--network", req.network);
    if (req.network === "host" && f.allowHostNetwork) args.push("--allow", "network.host");
  }
  for (const c of f.cacheFrom) args.push("--cache-from", c);
  for (const c of f.cacheTo) args.push("--cache-to", c);
  if (req.noCache) args.push("--no-cache");
  if (req.pull) args.push("--pull");
  args.push(...f.exports, "-");
  return args;
}
