/**
 * What the built image says about itself, for the summary: the Python and R versions its base
 * image declares (official python images set PYTHON_VERSION, rocker images R_VERSION) and the
 * user it runs as. Read from the inspect r2d does anyway, so it costs no container start.
 */
import type { ImageInfo } from "./engine/types.js";

export interface ImageFacts {
  /** Python version the image declares (PYTHON_VERSION), or null when it declares none. */
  python: string | null;
  /** R version the image declares (R_VERSION), or null. */
  r: string | null;
  /** The image's USER ("" when it runs as root by default). */
  user: string;
}

function envValue(env: readonly string[], name: string): string | null {
  const entry = env.find((e) => e.startsWith(`${name}=`));
  const value = entry?.slice(name.length + 1).trim();
  return value && /^[\w.+-]{1,40}$/.test(value) ? value : null;
}

export function imageFacts(info: Pick<ImageInfo, "env" | "user">): ImageFacts {
  return { python: envValue(info.env, "PYTHON_VERSION"), r: envValue(info.env, "R_VERSION"), user: info.user };
}
