// Injected by scripts/bundle.mjs into the CommonJS bundles: `import.meta.url` there is the bundle's own file URL.
export const importMetaUrl = require("node:url").pathToFileURL(__filename).href;
