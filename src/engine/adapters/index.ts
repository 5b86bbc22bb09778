/**
 * The engine registry, in order of preference: auto-selection takes the first adapter that finds
 * its engine. The engine kinds (`EngineKind`, `--engine`'s choices) come from here.
 * Adding an engine: one adapter module (see types.ts) and one line below.
 */
import type { Engine, EngineFields } from "../types.js";
import { buildctl } from "./buildctl.js";
import { buildx } from "./buildx.js";
import { docker } from "./docker.js";
import type { EngineAdapter } from "./types.js";

export const ENGINE_ADAPTERS = [buildx, docker, buildctl] as const;

export type EngineKind = (typeof ENGINE_ADAPTERS)[number]["kind"];

/** The engine kinds, in order of preference: `--engine`'s choices (besides auto). */
export const ENGINE_KINDS: readonly EngineKind[] = ENGINE_ADAPTERS.map((a) => a.kind);

/** The engine kinds for `--engine`'s help: "buildx, docker (a Docker < 23 client with DOCKER_BUILDKIT=1) or buildctl (BUILDKIT_HOST)". */
export const ENGINE_CHOICES_HELP: string = (() => {
  const words = ENGINE_ADAPTERS.map((a: EngineAdapter) => (a.note ? `${a.kind} (${a.note})` : a.kind));
  return words.length > 1 ? `${words.slice(0, -1).join(", ")} or ${words.at(-1)}` : (words[0] ?? "");
})();

export function isEngineKind(kind: string): kind is EngineKind {
  return (ENGINE_KINDS as readonly string[]).includes(kind);
}

export function adapterOf(kind: EngineKind): EngineAdapter<EngineKind> {
  const adapter = ENGINE_ADAPTERS.find((a) => a.kind === kind);
  if (!adapter) throw new TypeError(`unknown engine kind ${String(kind)}`);
  return adapter;
}

/**
 * An engine from what a probe found, its capabilities worked out by its adapter (tests, and
 * callers that know their client). `bridgeNetwork` defaults to true: the daemon's usual setup.
 */
export function engineOf(kind: EngineKind, fields: EngineFields, probed: { bridgeNetwork?: boolean } = {}): Engine {
  return { ...fields, kind, capabilities: adapterOf(kind).capabilities(fields, { bridgeNetwork: Promise.resolve(probed.bridgeNetwork ?? true) }) };
}

export type { BuildInvocation, EngineAdapter, EngineDaemon, ProbeContext, ProgressReader } from "./types.js";
