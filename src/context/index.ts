export * from "./types.js";
export { selectContext } from "./select.js";
export { contextTar } from "./tar.js";
export { materializeContext } from "./materialize.js";
export { contextSource, type ContextSource } from "./source.js";
export { describeSelection, formatBytes } from "./describe.js";
