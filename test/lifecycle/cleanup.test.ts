/** The one interrupt tracker: which signal, which exit code, what r2d says. */
import { describe, expect, it } from "vitest";
import { Interrupted, interruptExitCode, interruptMessage, onCleanup, runCleanups } from "../../src/cleanup.js";

describe("interrupts", () => {
  it("SIGINT means 130, SIGTERM 143, and the message names the signal", () => {
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      const ac = new AbortController();
      expect(interruptExitCode(ac.signal)).toBeUndefined();
      ac.abort(new Interrupted(signal));
      expect(interruptExitCode(ac.signal)).toBe(code);
      expect(interruptMessage(ac.signal)).toBe(`interrupted by ${signal}; temporary files and containers removed`);
    }
  });

  it("an abort for another reason (a library caller's own signal) counts as Ctrl-C", () => {
    expect(interruptExitCode(AbortSignal.abort())).toBe(130);
  });
});

describe("cleanups", () => {
  it("run newest first, once, and one failing does not stop the others", async () => {
    const order: string[] = [];
    onCleanup(() => void order.push("first"));
    onCleanup(() => {
      throw new Error("broken");
    });
    const third = onCleanup(() => void order.push("third"));
    await third();
    await runCleanups();
    await runCleanups();
    expect(order).toEqual(["third", "first"]);
  });
});
