/**
 * A build's command lines, from its engine's adapter. No I/O here: an engine and a request go in,
 * argv comes out (tested as tables).
 */
import { ConfigError } from "../errors.js";
import { adapterOf, type BuildInvocation } from "./adapters/index.js";
import type { BuildRequest, Command, Engine } from "./types.js";

export type { BuildInvocation };
import { progressFormat } from "./adapters/support.js";
export { versionAtLeast } from "./adapters/support.js";
export { dockerTarPath } from "./adapters/buildctl.js";

/** The progress format the client will actually print for this request. */
export function progressMode(engine: Engine, req: Pick<BuildRequest, "progress">): "plain" | "rawjson" {
  return progressFormat(engine, req.progress);
}

function checkRequest(req: BuildRequest): void {
  if (req.push && req.tags.length === 0) {
    throw new ConfigError("pushing needs at least one tag naming the registry and repository", {
      location: { file: "--push" },
      hint: "add --image-name REGISTRY/REPO:TAG",
    });
  }
  for (const s of req.secrets) {
    if (!s.id || !s.src) {
      throw new ConfigError(`a build secret needs both an id and a source file (got id=${s.id} src=${s.src})`);
    }
  }
}

/**
 * Everything runBuild runs for this request. Pure; throws ConfigError for requests the engine
 * cannot do. `contextDir`: where the context was written, for engines that read a folder.
 */
export function buildInvocation(engine: Engine, req: BuildRequest, contextDir?: string): BuildInvocation {
  checkRequest(req);
  return adapterOf(engine.kind).invocation(engine, req, contextDir);
}

/** The build command line for this request (pure). */
export function buildCommand(engine: Engine, req: BuildRequest, contextDir?: string): Command {
  return buildInvocation(engine, req, contextDir).build;
}
