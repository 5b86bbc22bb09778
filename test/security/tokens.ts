/**
 * Small quote-aware lexers for the injection tests: POSIX shell (RUN lines) and the Dockerfile's own
 * word rules (ENV, FROM, COPY...). A word is a list of segments, literal text or an expansion, so a
 * test can check that a value only ever adds literal text, never an operator, a word or an expansion.
 */

export type Segment =
  | { lit: string }
  /** `$NAME`, `${...}`, `$1`, `$@`... */
  | { param: string }
  /** `$( ... )`, tokenized in turn. */
  | { cmd: Token[] }
  | { backtick: string }
  | { arith: string }
  /** bash's `$'...'` and `$"..."`. */
  | { ansi: string }
  /** Unquoted `* ? [ ] { } ~`: pathname, brace or tilde expansion (or the words `{`, `[` of r2d's own commands). */
  | { glob: string };

export type Token = { op: string } | { word: Segment[] };

const OPERATORS = ["&&", "||", ";;", ">>", "<<", "<&", ">&", "<>", ">|", ";", "&", "|", "(", ")", "<", ">"];
/** bash splits words on blanks and newlines only (not on other Unicode spaces). */
const WORD_END = /[ \t\n;&|()<>]/;
const GLOB = new Set(["*", "?", "[", "]", "{", "}", "~"]);

class ShellLexer {
  pos = 0;
  constructor(private readonly src: string) {}

  /** Tokens up to the end, or (inside `$(`) up to the `)` that closes it. */
  tokens(inSubstitution = false): Token[] {
    const out: Token[] = [];
    let depth = 0;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === " " || c === "\t") {
        this.pos++;
      } else if (c === "\\" && this.src[this.pos + 1] === "\n") {
        this.pos += 2;
      } else if (c === "\n") {
        out.push({ op: "\n" });
        this.pos++;
      } else if (c === "#") {
        while (this.pos < this.src.length && this.src[this.pos] !== "\n") this.pos++;
      } else if (inSubstitution && c === ")" && depth === 0) {
        this.pos++;
        return out;
      } else {
        const op = OPERATORS.find((o) => this.src.startsWith(o, this.pos));
        if (op) {
          if (op === "(") depth++;
          if (op === ")") depth--;
          out.push({ op });
          this.pos += op.length;
        } else {
          out.push({ word: this.word() });
        }
      }
    }
    if (inSubstitution) throw new Error("unterminated $(");
    return out;
  }

  private word(): Segment[] {
    const segs: Segment[] = [];
    while (this.pos < this.src.length && !WORD_END.test(this.src[this.pos]!)) {
      const c = this.src[this.pos]!;
      if (c === "\\") {
        if (this.src[this.pos + 1] === "\n") this.pos += 2;
        else {
          segs.push({ lit: this.src[this.pos + 1] ?? "" });
          this.pos += 2;
        }
      } else if (c === "'") {
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) throw new Error("unterminated '");
        segs.push({ lit: this.src.slice(this.pos + 1, end) });
        this.pos = end + 1;
      } else if (c === '"') {
        this.pos++;
        segs.push({ lit: "" }, ...this.doubleQuoted());
      } else if (c === "$") {
        segs.push(this.dollar(false));
      } else if (c === "`") {
        segs.push(this.backtick());
      } else if (GLOB.has(c)) {
        segs.push({ glob: c });
        this.pos++;
      } else {
        segs.push({ lit: c });
        this.pos++;
      }
    }
    return segs;
  }

  private doubleQuoted(): Segment[] {
    const segs: Segment[] = [];
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined) throw new Error('unterminated "');
      if (c === '"') {
        this.pos++;
        return segs;
      }
      if (c === "\\" && "$`\"\\\n".includes(this.src[this.pos + 1] ?? "")) {
        if (this.src[this.pos + 1] !== "\n") segs.push({ lit: this.src[this.pos + 1]! });
        this.pos += 2;
      } else if (c === "$") {
        segs.push(this.dollar(true));
      } else if (c === "`") {
        segs.push(this.backtick());
      } else {
        segs.push({ lit: c });
        this.pos++;
      }
    }
  }

  private dollar(quoted: boolean): Segment {
    const rest = this.src.slice(this.pos);
    if (rest.startsWith("$((")) {
      const end = rest.indexOf("))");
      if (end < 0) throw new Error("unterminated $((");
      this.pos += end + 2;
      return { arith: rest.slice(0, end + 2) };
    }
    if (rest.startsWith("$(")) {
      this.pos += 2;
      return { cmd: this.tokens(true) };
    }
    if (rest.startsWith("${")) {
      const end = rest.indexOf("}");
      if (end < 0) throw new Error("unterminated ${");
      this.pos += end + 1;
      return { param: rest.slice(0, end + 1) };
    }
    if (!quoted && (rest.startsWith("$'") || rest.startsWith('$"'))) {
      this.pos += 1;
      return { ansi: rest.slice(0, 2) };
    }
    const name = /^\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(rest);
    if (name) {
      this.pos += name[0].length;
      return { param: name[0] };
    }
    this.pos++;
    return { lit: "$" };
  }

  private backtick(): Segment {
    let i = this.pos + 1;
    while (i < this.src.length && this.src[i] !== "`") i += this.src[i] === "\\" ? 2 : 1;
    if (i >= this.src.length) throw new Error("unterminated `");
    const raw = this.src.slice(this.pos, i + 1);
    this.pos = i + 1;
    return { backtick: raw };
  }
}

/** The tokens of a shell command (throws on unterminated quotes or substitutions). */
export function shellTokens(command: string): Token[] {
  return normalise(new ShellLexer(command).tokens());
}

/** Adjacent literal text joined, empty literals dropped unless they are the whole word (`''`). */
function normaliseWord(segs: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segs) {
    const last = out.at(-1);
    if ("lit" in s && last && "lit" in last) last.lit += s.lit;
    else out.push("cmd" in s ? { cmd: normalise(s.cmd) } : { ...s });
  }
  const kept = out.filter((s) => !("lit" in s) || s.lit !== "");
  return kept.length ? kept : [{ lit: "" }];
}

function normalise(tokens: Token[]): Token[] {
  return tokens.map((t) => ("word" in t ? { word: normaliseWord(t.word) } : t));
}

/** `tokens` with every literal occurrence of `from` replaced by `to` (inside substitutions too). */
export function substitute(tokens: Token[], from: string, to: string): Token[] {
  const seg = (s: Segment): Segment => ("lit" in s ? { lit: s.lit.split(from).join(to) } : "cmd" in s ? { cmd: substitute(s.cmd, from, to) } : s);
  return normalise(tokens.map((t) => ("word" in t ? { word: t.word.map(seg) } : t)));
}

/**
 * Words as the Dockerfile reads them (BuildKit's shell lexer with `\` as the escape): outside quotes
 * `\` escapes any character; in double quotes only `"`, `$` and `\`; single quotes are literal; `$NAME`
 * and `${...}` are substituted. Each word is a list of segments like the shell's. `split: false` reads
 * the text as one word (COPY's JSON elements: blanks are part of the path).
 */
export function dockerWords(text: string, opts: { split?: boolean } = {}): Segment[][] {
  const split = opts.split ?? true;
  const words: Segment[][] = [];
  let segs: Segment[] | null = null;
  let i = 0;
  const push = (s: Segment) => (segs ??= []).push(s);
  const dollar = (): void => {
    const m = /^\$(?:\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
    if (m) {
      push({ param: m[0] });
      i += m[0].length;
    } else {
      push({ lit: "$" });
      i++;
    }
  };
  while (i < text.length) {
    const c = text[i]!;
    if (split && /\s/.test(c)) {
      if (segs) words.push(normaliseWord(segs));
      segs = null;
      i++;
    } else if (c === "\\") {
      push({ lit: text[i + 1] ?? "" });
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error("unterminated ' in a Dockerfile word");
      push({ lit: text.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '"') {
      push({ lit: "" });
      i++;
      while (text[i] !== '"') {
        if (i >= text.length) throw new Error('unterminated " in a Dockerfile word');
        if (text[i] === "\\" && '"$\\'.includes(text[i + 1] ?? "")) {
          push({ lit: text[i + 1]! });
          i += 2;
        } else if (text[i] === "$") dollar();
        else push({ lit: text[i++]! });
      }
      i++;
    } else if (c === "$") dollar();
    else {
      push({ lit: c });
      i++;
    }
  }
  if (segs) words.push(normaliseWord(segs));
  return words;
}

/** dockerWords() with `from` replaced by `to` in literal text. */
export function substituteWords(words: Segment[][], from: string, to: string): Segment[][] {
  return words.map((w) => normaliseWord(w.map((s) => ("lit" in s ? { lit: s.lit.split(from).join(to) } : s))));
}
