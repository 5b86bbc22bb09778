/**
 * Build secrets the generated Dockerfiles mount. Their content comes from r2d's options and
 * reaches the build as `--secret` files that exist only while the build client runs: it never lands
 * in a layer, the history or the plan.
 */
import type { SecretSpec } from "./types.js";

/** pip's configuration file: the index options given to r2d (`PIP_CONFIG_FILE=/run/secrets/<id>`). */
export const PIP_CONF: SecretSpec = {
  id: "r2d-pip-conf",
  purpose: "pip index settings (--pip-index-url, --pip-extra-index-url)",
  fileName: "pip.conf",
  content(options) {
    const lines = [
      ...(options.pipIndexUrl ? [`index-url = ${options.pipIndexUrl}`] : []),
      ...(options.pipExtraIndexUrls?.length ? [`extra-index-url = ${options.pipExtraIndexUrls.join("\n    ")}`] : []),
    ];
    return lines.length ? `[global]\n${lines.join("\n")}\n` : null;
  },
};

/** The CRAN mirror's URL, read by r2d's R helper. */
export const CRAN_MIRROR: SecretSpec = {
  id: "r2d-cran",
  purpose: "CRAN mirror (--cran-mirror)",
  fileName: "cran",
  content: (options) => options.cranMirror || null,
};
