/**
 * Where r2d's generated files go: in the build context (beside the repository) and in the image.
 * One place, because the plan, the Dockerfile, the context and the build all have to agree on it.
 */

/** The repository's place in the build context of a generated Dockerfile. */
export const REPO_PREFIX = "src/";
/** r2d's own files in the build context (the Dockerfile, the entrypoint, helper scripts). */
export const GENERATED_DIR = "r2d";
export const GENERATED_DOCKERFILE = `${GENERATED_DIR}/Dockerfile`;
/** The entrypoint script: its name in the context and its path in the image. */
export const ENTRYPOINT_SCRIPT = "r2d-entrypoint";
export const ENTRYPOINT = `/usr/local/bin/${ENTRYPOINT_SCRIPT}`;
/** Helper scripts (buildpacks/scripts/) in the image. */
export const HELPER_DIR = "/usr/local/lib/r2d";

export function helperPath(script: string): string {
  return `${HELPER_DIR}/${script}`;
}
