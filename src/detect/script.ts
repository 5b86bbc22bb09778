/** Facts about an executable hook (`postBuild`, `start`, `run.sh`) that affect how it is run. */
export interface ScriptFile {
  /** Windows line endings: a `#!/bin/bash\r` shebang fails with "bad interpreter" unless fixed. */
  crlf: boolean;
  /** The interpreter named by `#!`, or null (then it runs with bash, like repo2docker's postBuild). */
  shebang: string | null;
  /**
   * Set (true) by detectRepo when the file is a regular file with every execute bit (`a+x`) in the
   * repository: the context keeps the mode, so the image needs no `chmod +x` step for it.
   */
  executable?: boolean;
  /** Hands its arguments on (`exec "$@"`): a `start` script that does not swallows every command. */
  passesArguments: boolean;
}

export function parseScript(text: string): ScriptFile {
  const first = text.split("\n", 1)[0] ?? "";
  return {
    crlf: text.includes("\r\n"),
    shebang: first.startsWith("#!") ? first.slice(2).trim() : null,
    passesArguments: /\$@|\$\{@\}|\$\*/.test(text),
  };
}
