import { createRequire } from "node:module";
import type * as Yaml from "yaml";

// `yaml` takes ~50 ms to load; it is loaded on first use, not on every r2d start (most repositories
// have no environment.yml). Its CommonJS build, required synchronously, keeps the parsers synchronous.
const requireCjs = createRequire(import.meta.url);
let yaml: typeof Yaml | undefined;

export function lazyYaml(): typeof Yaml {
  yaml ??= requireCjs("yaml") as typeof Yaml;
  return yaml;
}
