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
  /** The programs a shell script calls, in order, each with its line (empty for other interpreters). */
  commands: ScriptCommand[];
}

export interface ScriptCommand {
  name: string;
  line: number;
}

export function parseScript(text: string): ScriptFile {
  const first = text.split("\n", 1)[0] ?? "";
  const shebang = first.startsWith("#!") ? first.slice(2).trim() : null;
  return {
    crlf: text.includes("\r\n"),
    shebang,
    passesArguments: /\$@|\$\{@\}|\$\*/.test(text),
    commands: isShellScript(shebang) ? scanCommands(text) : [],
  };
}

/** No shebang (run with bash), or a POSIX-style shell (`/bin/sh`, `/usr/bin/env bash`, `bash -e`). */
export function isShellScript(shebang: string | null): boolean {
  if (shebang === null) return true;
  const words = shebang.split(/\s+/);
  const program = words[0]!.endsWith("/env") ? words.find((w, i) => i > 0 && !w.startsWith("-")) : words[0];
  return /(?:^|\/)(?:ba|da|k|z)?sh$/.test(program ?? "");
}

/** Words after which the next word is still a command (`if wget …`, `! curl …`, `{ git …`). */
const LEADING_KEYWORDS = new Set(["if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"]);
/** Words that run the command that follows them (their own options and `VAR=value` skipped). */
const RUNNERS = new Set(["sudo", "exec", "command", "env", "nohup", "nice", "timeout", "xargs", "stdbuf"]);
const OPERATORS = ["&&", "||", ";;", "|&", ";", "&", "|", "(", ")"];
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
const PROGRAM_NAME = /^(?:\/[A-Za-z0-9_.+-]+)*\/?[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;
const RESERVED = new Set(["fi", "done", "esac", "in", "}", "then", "else"]);
/** Absolute paths of ordinary programs are reported by their name (`/usr/bin/wget` → wget). */
const SYSTEM_PATH = /^\/(?:usr\/(?:local\/)?)?s?bin\/([^/]+)$/;

/**
 * The programs a shell script calls, with their lines: a small scanner of shell words, not a
 * parser. It follows quotes, `$(…)` and backticks, comments, line continuations and here-documents,
 * and reports the first word of each simple command (after `VAR=value`, keywords such as `if`, and
 * runners such as `sudo` or `env`). Quoted words, words with `$`, the words of `for`/`case` headers
 * and functions the script defines are not reported: it errs towards missing a call, never inventing one.
 */
export function scanCommands(text: string): ScriptCommand[] {
  const scanner = new Scanner(text.replace(/\r\n/g, "\n"));
  scanner.code(null);
  return scanner.commands.filter((c) => !scanner.functions.has(c.name));
}

interface Word {
  text: string;
  line: number;
  /** Any part quoted or escaped, or holding `$`: not a literal program name. */
  literal: boolean;
  /** `name()`: a function definition, whose body follows. */
  defines?: boolean;
}

class Scanner {
  pos = 0;
  line = 1;
  readonly commands: ScriptCommand[] = [];
  readonly functions = new Set<string>();
  private heredocs: { delimiter: string; stripTabs: boolean }[] = [];
  /** "command": the next word is a program; "runner": after sudo/env…; "args": anything else. */
  private state: "command" | "runner" | "args" = "command";
  /** Inside a `for`/`case`/`select` header, or a case pattern: words there are not commands. */
  private header: "for" | "case" | "pattern" | "function" | null = null;
  private lastRunner = "";

  constructor(private readonly text: string) {}

  /** Scans code until `end` (`)` of `$(`, a backtick) or the end of the text. */
  code(end: ")" | "`" | null): void {
    let depth = 0;
    let word: Word | null = null;
    const flush = () => {
      if (word) this.word(word);
      word = null;
    };
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (end === "`" && c === "`") return flush(), void this.pos++;
      if (c === "\n") {
        flush();
        this.pos++;
        this.line++;
        this.newline();
      } else if (c === " " || c === "\t") {
        flush();
        this.pos++;
      } else if (c === "#" && !word) {
        while (this.pos < this.text.length && this.text[this.pos] !== "\n") this.pos++;
      } else if (c === "<" || c === ">" || this.text.startsWith("&>", this.pos)) {
        if (word?.literal && /^\d+$/.test(word.text)) word = null; // the file descriptor of `2>x`
        flush();
        this.redirection();
      } else if (this.operatorAt() !== null) {
        const op = this.operatorAt()!;
        if (end === ")" && op === ")" && depth === 0) return flush(), void this.pos++;
        flush();
        if (op === "(") depth++;
        if (op === ")") depth = Math.max(0, depth - 1);
        this.pos += op.length;
        this.operator(op);
      } else {
        word ??= { text: "", line: this.line, literal: true };
        this.wordPart(word);
      }
    }
    flush();
  }

  private operatorAt(): string | null {
    if (this.text.startsWith("()", this.pos)) return null; // a function definition's parentheses
    return OPERATORS.find((op) => this.text.startsWith(op, this.pos)) ?? null;
  }

  /** One piece of a word: a quoted string, an escape, a substitution, or a plain character. */
  private wordPart(word: Word): void {
    const c = this.text[this.pos]!;
    if (c === "'") {
      word.literal = false;
      const close = this.text.indexOf("'", this.pos + 1);
      this.skipTo(close < 0 ? this.text.length : close + 1);
    } else if (c === '"') {
      word.literal = false;
      this.pos++;
      this.doubleQuoted();
    } else if (c === "\\") {
      word.literal = false;
      if (this.text[this.pos + 1] === "\n") this.line++;
      this.pos += 2;
    } else if (c === "`" || c === "$") {
      word.literal = false;
      this.substitution();
    } else if (c === "(" && this.text.startsWith("()", this.pos)) {
      // `name() {` (or `name () {`, whose name was already taken for a call): a function, not a call.
      const name = word.text || this.commands.pop()?.name;
      if (name) this.functions.add(name);
      word.literal = false;
      word.defines = true;
      this.pos += 2;
    } else {
      word.text += c;
      this.pos++;
    }
  }

  /** After `"`: up to the closing quote; `$(…)` and backticks inside still run commands. */
  private doubleQuoted(): void {
    while (this.pos < this.text.length && this.text[this.pos] !== '"') {
      const c = this.text[this.pos]!;
      if (c === "\\") {
        if (this.text[this.pos + 1] === "\n") this.line++;
        this.pos += 2;
      } else if (c === "`" || c === "$") this.substitution();
      else {
        if (c === "\n") this.line++;
        this.pos++;
      }
    }
    this.pos++;
  }

  /** `$(…)`, `` `…` ``, `$((…))`, `${…}` or a plain `$name`, at `this.pos`. */
  private substitution(): void {
    if (this.text.startsWith("$((", this.pos)) {
      const close = this.text.indexOf("))", this.pos);
      return this.skipTo(close < 0 ? this.text.length : close + 2);
    }
    if (this.text.startsWith("${", this.pos)) {
      const close = this.text.indexOf("}", this.pos);
      return this.skipTo(close < 0 ? this.text.length : close + 1);
    }
    const inner = this.text.startsWith("$(", this.pos) ? ")" : this.text[this.pos] === "`" ? "`" : null;
    if (!inner) return void this.pos++;
    this.pos += inner === ")" ? 2 : 1;
    const saved = { state: this.state, header: this.header, lastRunner: this.lastRunner };
    this.state = "command";
    this.header = null;
    this.code(inner);
    Object.assign(this, saved);
  }

  /** `>`, `>>`, `2>&1`, `<`, `<<EOF`, `<<<`: the target word is a file or data, never a command. */
  private redirection(): void {
    const heredoc = /^<<(-?)\s*(['"]?)([A-Za-z0-9_.-]+)\2/.exec(this.text.slice(this.pos));
    if (heredoc && !this.text.startsWith("<<<", this.pos)) {
      this.heredocs.push({ delimiter: heredoc[3]!, stripTabs: heredoc[1] === "-" });
      return this.skipTo(this.pos + heredoc[0].length);
    }
    while (/[<>&|0-9-]/.test(this.text[this.pos] ?? "")) this.pos++;
    while (this.text[this.pos] === " " || this.text[this.pos] === "\t") this.pos++;
    const target: Word = { text: "", line: this.line, literal: true };
    while (this.pos < this.text.length && !/[\s;&|()<>]/.test(this.text[this.pos]!)) this.wordPart(target);
  }

  /** A newline ends the command; here-document bodies that were announced on the line are skipped. */
  private newline(): void {
    for (const { delimiter, stripTabs } of this.heredocs) {
      while (this.pos < this.text.length) {
        const eol = this.text.indexOf("\n", this.pos);
        const lineText = this.text.slice(this.pos, eol < 0 ? this.text.length : eol);
        this.pos = eol < 0 ? this.text.length : eol + 1;
        this.line++;
        if ((stripTabs ? lineText.replace(/^\t+/, "") : lineText) === delimiter) break;
      }
    }
    this.heredocs = [];
    if (this.header !== "pattern") this.state = "command";
  }

  private operator(op: string): void {
    if (op === ";;" || op === ";&") {
      this.header = "pattern";
      this.state = "args";
    } else if (op === ")" && this.header === "pattern") {
      this.header = null;
      this.state = "command";
    } else {
      this.state = "command";
    }
  }

  /** A complete word: is it a program the script calls? */
  private word(w: Word): void {
    if (this.header) return this.headerWord(w.text);
    if (w.defines) return void (this.state = "command");
    if (this.state === "args") return;
    if (this.state === "runner" && this.runnerArgument(w)) return;
    if (this.state === "command" && w.literal && ASSIGNMENT.test(w.text)) return;
    if (this.state === "command" && LEADING_KEYWORDS.has(w.text)) return;
    if (["for", "select", "case"].includes(w.text)) {
      this.header = w.text === "case" ? "case" : "for";
      return;
    }
    if (w.text === "function") return void (this.header = "function");
    this.state = "args";
    if (!w.literal || !PROGRAM_NAME.test(w.text) || RESERVED.has(w.text)) return;
    const name = SYSTEM_PATH.exec(w.text)?.[1] ?? w.text;
    if (RUNNERS.has(name)) {
      this.state = "runner";
      this.lastRunner = name;
    }
    this.commands.push({ name, line: w.line });
  }

  /** Options, `VAR=value` and numbers after a runner; `command -v x` only looks a program up. */
  private runnerArgument(w: Word): boolean {
    if (this.lastRunner === "command" && /^-[vV]$/.test(w.text)) {
      this.state = "args";
      return true;
    }
    return w.text.startsWith("-") || ASSIGNMENT.test(w.text) || /^[0-9.]+[smhd]?$/.test(w.text);
  }

  /** `for x in …; do`, `case $x in`, `function name`: the header ends at `do`, `in` or the name. */
  private headerWord(text: string): void {
    if (this.header === "function") {
      this.functions.add(text);
      this.header = null;
      this.state = "command";
    } else if (this.header === "for" && text === "do") {
      this.header = null;
      this.state = "command";
    } else if (this.header === "case" && text === "in") {
      this.header = "pattern";
    } else if (this.header === "pattern" && text === "esac") {
      this.header = null;
      this.state = "args";
    }
  }

  private skipTo(pos: number): void {
    for (let i = this.pos; i < pos && i < this.text.length; i++) if (this.text[i] === "\n") this.line++;
    this.pos = pos;
  }
}
