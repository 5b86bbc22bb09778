/**
 * The walk's concurrency: directories are read a few at a time, depth-first (a stack, so the open
 * descriptors stay about one per level), and a directory's symlinks are examined a few at a time.
 */

import { asError } from "../errors.js";

/**
 * Visits `first` and every node the visits return, at most `limit` at once. On a failure, the
 * visits in flight are let finish before rejecting: the caller closes their descriptors afterwards,
 * and a closed number could be reused by an unrelated open meanwhile.
 */
export function walkTree<T>(first: T, limit: number, visit: (node: T) => Promise<T[]>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const pending: T[] = [first];
    let inFlight = 0;
    let failure: { err: unknown } | undefined;
    const settle = (): void => {
      if (inFlight > 0) return;
      if (failure) reject(asError(failure.err));
      else if (pending.length === 0) resolve();
    };
    const pump = (): void => {
      while (!failure && inFlight < limit && pending.length > 0) {
        const node = pending.pop()!;
        inFlight++;
        visit(node).then(
          (children) => {
            inFlight--;
            for (const c of children) pending.push(c);
            pump();
            settle();
          },
          (err: unknown) => {
            inFlight--;
            failure ??= { err };
            settle();
          },
        );
      }
    };
    pump();
  });
}

/** Runs `fn` over `items`, at most `limit` at once; rejects with the first failure. */
export async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
