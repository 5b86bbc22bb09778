/** What the plan tells the user about the config files it found: misspellings, credentials, index options. */
import { redactIndexUrl } from "../detect/requirements-txt.js";
import type { Found, RepoFacts } from "../detect/types.js";
import { clipForMessage, ConfigError } from "../errors.js";
import type { PlanOptions } from "./index.js";
import type { PlanMessage } from "./types.js";

export function fileMessages(facts: RepoFacts, options: PlanOptions, used: Set<string>): PlanMessage[] {
  const messages: PlanMessage[] = facts.suspicious.map((s) => ({ level: "warn", text: `${s.path}: ${s.reason}` }));
  for (const c of facts.credentials) {
    messages.push({
      level: "warn",
      text: `${c.path}:${c.line} has a password or token in a URL (${c.redacted}); the file is copied into the image, so anyone with the image can read it. Give the index to r2d instead (--pip-index-url or R2D_PIP_INDEX_URL): it reaches the build as a secret and never the image`,
    });
  }
  messages.push(...checkUsedConfigFiles(facts, options, used));
  return messages;
}

/**
 * Plan-time checks of the config files the plan uses: a read error kept at detection is raised,
 * environment.yml's warnings are shown, and a requirements file's own index options never win
 * silently over --pip-index-url (an error naming the line); when they apply they are reported.
 */
function checkUsedConfigFiles(facts: RepoFacts, options: PlanOptions, used: Set<string>): PlanMessage[] {
  const messages: PlanMessage[] = [];
  for (const found of Object.values(facts.files) as Found<unknown>[]) {
    if (used.has(found.path) && found.error) throw found.error;
  }
  const env = facts.files.environment;
  if (env?.data && used.has(env.path)) {
    for (const w of env.data.warnings) messages.push({ level: "warn", text: `${env.path}:${w.line}: ${w.text}` });
  }
  const req = facts.files.requirements;
  if (!req?.data || !used.has(req.path)) return messages;
  for (const opt of req.data.indexOptions) {
    const setting = `${opt.option}${opt.value ? ` ${clipForMessage(redactIndexUrl(opt.value))}` : ""}`;
    if (options.pipIndexUrl && (opt.option === "--index-url" || opt.option === "--no-index")) {
      throw new ConfigError(`sets ${setting}, which would silently override --pip-index-url`, {
        location: { file: opt.file, line: opt.line },
        hint: `remove that line from ${opt.file}, or drop --pip-index-url`,
      });
    }
    const what = opt.option === "--index-url" || opt.option === "--no-index" ? "its own package index" : "a package index option";
    messages.push({ level: "info", text: `${opt.file}:${opt.line} sets ${what} (${setting}); it is used` });
  }
  return messages;
}
