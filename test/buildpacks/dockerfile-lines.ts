import { DockerfileParser } from "dockerfile-ast";
import { expect } from "vitest";

/** A Dockerfile's instructions, each on one line (continuations joined), flags included. */
export function instructions(dockerfile: string): string[] {
  return DockerfileParser.parse(dockerfile)
    .getInstructions()
    .map((i) => i.getTextContent().replace(/\s*\\\r?\n\s*/g, " "));
}

/** The index of the one instruction the pattern matches (fails the test when none does). */
export function indexOf(lines: string[], pattern: RegExp): number {
  const at = lines.findIndex((l) => pattern.test(l));
  expect(at, `an instruction matching ${pattern}`).toBeGreaterThan(-1);
  return at;
}
