/**
 * Cleanup on every exit path, and the one interrupt tracker. Temp dirs and containers are
 * registered here; SIGINT (Ctrl-C) or SIGTERM aborts the running work through an AbortSignal
 * whose reason says which signal, and the registered cleanups run before the process exits
 * (130 for SIGINT, 143 for SIGTERM). SIGKILL cannot be caught: src/engine/watchdog.ts covers it.
 */
type Cleanup = () => Promise<void> | void;

const cleanups = new Set<Cleanup>();
const controller = new AbortController();
let installed = false;

/** Exit codes of an interrupted r2d (128 + the signal's number, as shells report it). */
export const INTERRUPT_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type InterruptSignalName = keyof typeof INTERRUPT_EXIT_CODES;

/** The abort reason when r2d was interrupted: names the signal and the exit code it means. */
export class Interrupted extends Error {
  override name = "Interrupted";
  readonly exitCode: number;
  constructor(readonly signal: InterruptSignalName) {
    super(`interrupted by ${signal}`);
    this.exitCode = INTERRUPT_EXIT_CODES[signal];
  }
}

/** Aborted when r2d receives SIGINT or SIGTERM; pass it to long-running work. */
export function interruptSignal(): AbortSignal {
  installSignalHandlers();
  return controller.signal;
}

/** The exit code for the interrupt r2d received (130 or 143), or undefined when there was none. */
export function interruptExitCode(signal: AbortSignal = controller.signal): number | undefined {
  if (!signal.aborted) return undefined;
  const reason: unknown = signal.reason;
  return reason instanceof Interrupted ? reason.exitCode : INTERRUPT_EXIT_CODES.SIGINT;
}

/** The one line r2d prints when it was interrupted. */
export function interruptMessage(signal: AbortSignal = controller.signal): string {
  const reason: unknown = signal.reason;
  const by = reason instanceof Interrupted ? ` by ${reason.signal}` : "";
  return `interrupted${by}; temporary files and containers removed`;
}

/** Registers a cleanup; the returned function runs it now (once) and unregisters it. */
export function onCleanup(fn: Cleanup): () => Promise<void> {
  let done = false;
  const once: Cleanup = async () => {
    if (done) return;
    done = true;
    cleanups.delete(once);
    await fn();
  };
  cleanups.add(once);
  return async () => once();
}

export async function runCleanups(): Promise<void> {
  for (const fn of [...cleanups].reverse()) {
    try {
      await fn();
    } catch {
      // Best effort: one failed cleanup must not stop the others.
    }
  }
}

function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(INTERRUPT_EXIT_CODES) as InterruptSignalName[]) {
    process.once(signal, () => {
      if (!controller.signal.aborted) controller.abort(new Interrupted(signal));
      const code = interruptExitCode();
      // Give the aborted work a moment to stop its child processes, then clean up and leave.
      const force = setTimeout(() => {
        void runCleanups().finally(() => {
          process.stderr.write(`r2d: ${interruptMessage()}\n`);
          process.exit(code);
        });
      }, 5000);
      force.unref();
      // A second signal: leave now (what is still registered is the watchdog's to remove).
      process.once(signal, () => process.exit(code));
    });
  }
}
