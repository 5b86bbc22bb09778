/**
 * The one shell-quoting helper. Generated RUN lines and displayed command lines quote every value
 * through it, so no value can add a word, an operator or an expansion to a command.
 */

/** Characters that mean nothing to a POSIX shell (nor to bash), so a word made only of them needs no quotes. */
const PLAIN = /^[A-Za-z0-9_./:=@%+,-]+$/;

/**
 * One shell word whose value is exactly `word`: left bare when every character is plain, otherwise in
 * single quotes (inside which nothing is special), with each `'` written as `'\''`.
 */
export function shellQuote(word: string): string {
  return PLAIN.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line from words, each quoted: `shellCommand(["cd", dir])`. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(" ");
}
