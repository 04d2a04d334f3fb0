// Locks left held by a thread that was stopped by force. worker.terminate() ends a thread wherever its JavaScript
// is, finally blocks skipped, so a thread terminated inside a command keeps its store locks for good, and a
// later wait on one of them (the main thread's final save, a flush of the append-only file) would block its
// thread forever. So whoever terminates a thread that may be running a command marks the store first, and a
// lock wait that has slept ABANDONED_WAIT_MS with the mark set throws instead of waiting on (rwlock.ts).
// Knows the store's control buffer word; nothing of threads or transports.

import { H_LOCKS_ABANDONED } from './layout.js';

/**
 * How long a lock wait goes on once the store is marked: far longer than any lock is held by a live thread (a
 * snapshot's copy pause is the longest, milliseconds per hundred MB), so a live holder is still waited for.
 */
export const ABANDONED_WAIT_MS = 1000;

/** A lock wait gave up: a thread stopped by force may hold the lock, which would never be released. */
export class LockAbandonedError extends Error {
  readonly code = 'ERR_LOCK_ABANDONED';
  override name = 'LockAbandonedError';

  constructor() {
    super('a store lock may be held by a thread that was stopped by force: gave up waiting for it');
  }
}

/** Before terminating a thread that may hold store locks: waits on them end from now on. Any thread. */
export function markLocksAbandoned(control: Int32Array): void {
  Atomics.store(control, H_LOCKS_ABANDONED, 1);
}

/** Whether a thread was stopped by force while it may have held store locks. */
export function locksAbandoned(control: Int32Array): boolean {
  return Atomics.load(control, H_LOCKS_ABANDONED) !== 0;
}
