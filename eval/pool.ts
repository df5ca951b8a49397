// A fixed number of workers over a list: how `run` and `judge` keep K requests in flight.

/**
 * Calls `fn` on each item in order with at most `concurrency` calls in flight. After a call throws, no new one
 * starts; the error is rethrown once the calls in flight have finished (so none writes after this returns).
 */
export async function forEachConcurrent<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure = null as { error: unknown } | null; // `as`: set inside the workers, which TypeScript does not follow
  const worker = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure !== null) throw failure.error;
}
