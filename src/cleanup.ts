/**
 * Cleanup on every exit path. Temp dirs and containers are registered here; Ctrl-C (SIGINT) or
 * SIGTERM aborts the running work through an AbortSignal, and the registered cleanups run before
 * the process exits (130 for SIGINT, 143 for SIGTERM).
 */
type Cleanup = () => Promise<void> | void;

const cleanups = new Set<Cleanup>();
const controller = new AbortController();
let installed = false;

/** Aborted when the user presses Ctrl-C; pass it to long-running work. */
export function interruptSignal(): AbortSignal {
  installSignalHandlers();
  return controller.signal;
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
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.once(signal, () => {
      controller.abort(new Error(`interrupted by ${signal}`));
      // Give the aborted work a moment to stop its child processes, then clean up and leave.
      const force = setTimeout(() => void runCleanups().finally(() => process.exit(code)), 5000);
      force.unref();
      process.once(signal, () => process.exit(code));
    });
  }
}
