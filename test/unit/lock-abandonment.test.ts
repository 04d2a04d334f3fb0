// A wait for a store lock gives up once the store is marked abandoned (a thread was terminated, maybe holding
// the lock), and only then: a live holder is waited for however long it takes.

import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { HEADER_INTS, S_LOCK } from '../../src/core/store/layout.js';
import {
  ABANDONED_WAIT_MS,
  LockAbandonedError,
  locksAbandoned,
  markLocksAbandoned,
} from '../../src/core/store/lock-abandonment.js';
import { readLock, readUnlock, writeLock, writeUnlock } from '../../src/core/store/rwlock.js';

const LOCK = HEADER_INTS + S_LOCK;

function control(): Int32Array {
  return new Int32Array(new SharedArrayBuffer((HEADER_INTS + 16) * 4));
}

describe('store locks abandoned by a terminated thread', () => {
  it('a wait on a lock nobody will release throws once the store is marked', () => {
    const words = control();
    Atomics.store(words, LOCK, -1); // write-held by a thread that is gone
    markLocksAbandoned(words);
    expect(locksAbandoned(words)).toBe(true);
    const began = Date.now();
    expect(() => readLock(words, LOCK, words)).toThrow(LockAbandonedError);
    expect(() => writeLock(words, LOCK, words)).toThrow(LockAbandonedError);
    expect(Date.now() - began).toBeGreaterThanOrEqual(2 * ABANDONED_WAIT_MS - 50);
    // The sleepers counted themselves out again: an unlock does not notify threads that left.
    expect(Atomics.load(words, LOCK + 1)).toBe(0);
  });

  it('without the mark, a holder that keeps the lock longer than that is still waited for', async () => {
    const words = control();
    Atomics.store(words, LOCK, -1);
    // Another thread holds the lock for 1.5 x ABANDONED_WAIT_MS, then releases it.
    const holder = new Worker(
      `const { workerData } = require('node:worker_threads');
       const words = new Int32Array(workerData.buffer);
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
       Atomics.store(words, workerData.lock, 0);
       Atomics.notify(words, workerData.lock);`,
      { eval: true, workerData: { buffer: words.buffer, lock: LOCK, holdMs: 1.5 * ABANDONED_WAIT_MS } },
    );
    try {
      const began = Date.now();
      writeLock(words, LOCK, words);
      expect(Date.now() - began).toBeGreaterThanOrEqual(ABANDONED_WAIT_MS);
      expect(Atomics.load(words, LOCK)).toBe(-1); // ours now
      writeUnlock(words, LOCK);
      readLock(words, LOCK, words);
      readUnlock(words, LOCK);
      expect(Atomics.load(words, LOCK)).toBe(0);
    } finally {
      await holder.terminate();
    }
  });
});
