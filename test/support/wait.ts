// Waiting for a condition another thread or process makes true (pool counters in shared memory), where there
// is no event to wait on: checked after every few milliseconds of the event loop, with a deadline that
// fails the test with what it was waiting for.

/** Resolves once `condition` holds, checking every 2 ms; rejects after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
