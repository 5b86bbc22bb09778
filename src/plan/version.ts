import { readFileSync } from "node:fs";

/** r2d's own version, from package.json (read once; labels and the Dockerfile header carry it). */
export const R2D_VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;
