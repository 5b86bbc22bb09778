/**
 * The build context as the engine takes it: one selection, sent as a tar (docker, buildx read it
 * on stdin), written into a folder (buildctl reads a directory), or handed over entry by entry
 * (BuildKit's file sync, when r2d talks to the Docker daemon itself). The engine picks the form.
 */
import { contextEntries, type ContextEntries } from "./entries.js";
import { materializeContext } from "./materialize.js";
import { contextTar } from "./tar.js";
import type { ContextSelection, ExtraFile } from "./types.js";

export interface ContextSource {
  /** The context as a tar stream. */
  tar(): NodeJS.ReadableStream;
  /** The context written into `dir` (which must not exist, or be empty). */
  materialize(dir: string): Promise<void>;
  /** The context's entries, their bytes read when asked for. */
  entries(): ContextEntries;
}

/** The selection under `prefix`, with the generated files (`extra`) beside it. */
export function contextSource(selection: ContextSelection, opts: { prefix: string; extra: ExtraFile[] }): ContextSource {
  return {
    tar: () => contextTar(selection, opts),
    materialize: (dir) => materializeContext(selection, { ...opts, dir }),
    entries: () => contextEntries(selection, opts),
  };
}

export type { ContextEntries };
