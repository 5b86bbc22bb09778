/**
 * Dockerfile quoting. RUN lines are shell (src/shell.ts quotes their words); the other instructions
 * have the Dockerfile's own rules: ENV, WORKDIR, USER, FROM and COPY substitute `$VAR`, and ENV reads
 * quotes and backslashes. Values are made safe for their place here, or refused.
 */
import { ConfigError, quoteForMessage } from "../errors.js";

/** A character that would end the instruction (newline) or that a terminal would act on. */
const CONTROL = /[\u0000-\u001f\u007f]/;

export function hasControl(text: string): boolean {
  return CONTROL.test(text);
}

/** Text for a Dockerfile comment: control characters (a newline would start an instruction) become spaces. */
export function commentText(text: unknown): string {
  return String(text).replace(/[\u0000-\u001f\u007f]/g, " ");
}
/** What a bare FROM/USER/WORKDIR value may hold: nothing Docker substitutes, quotes or splits on. */
const BARE = /^[A-Za-z0-9_./:=@%+,-]+$/;

/**
 * A value written without quotes (FROM, USER, WORKDIR): refused unless nothing in it is special to
 * Docker, and unless it could pass for one of the instruction's flags (`FROM --platform=...`).
 */
export function bare(value: string, what: string): string {
  if (!BARE.test(value) || value.startsWith("-")) {
    throw new ConfigError(`${quoteForMessage(value)} cannot be written into the Dockerfile as ${what}`, {
      location: { file: what },
      hint: "use letters, digits and . _ - / : @ only, not starting with -",
    });
  }
  return value;
}

/**
 * An ENV value that the Dockerfile reads back exactly: bare when plain, else in double quotes with
 * `\`, `"` and `$` escaped (inside double quotes Docker's lexer unescapes exactly those three).
 */
export function envValue(value: string, name: string): string {
  if (CONTROL.test(value)) {
    throw new ConfigError(`the value of ${name} holds a newline or control character, which a Dockerfile cannot carry`, {
      location: { file: name },
      hint: "remove line breaks and control characters from the value",
    });
  }
  return BARE.test(value) ? value : `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/**
 * JSON (exec) form for COPY, CMD and ENTRYPOINT: no shell and no word splitting. COPY still runs
 * each element through Docker's word processing (`$VAR`, quotes, `\`), so for COPY those are refused too.
 */
export function jsonForm(words: readonly string[], what: string, opts: { substitutes?: boolean } = {}): string {
  const bad = opts.substitutes ? /[\u0000-\u001f\u007f$\\'"]/ : CONTROL;
  for (const w of words) {
    if (bad.test(w)) {
      throw new ConfigError(`${quoteForMessage(w)} cannot be written into the Dockerfile (it holds a newline, a control character${opts.substitutes ? ", a quote, $ or \\" : ""})`, {
        location: { file: what },
        hint: "rename the file or directory",
      });
    }
  }
  return JSON.stringify(words);
}
