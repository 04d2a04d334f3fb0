// The Pub/Sub and blocking registries' lock (src/core/owned-lock.ts): a hold left by a thread that died is undone
// by its exit handler (releaseDeadHolder); one left by a thread this thread stopped by force is given up on after
// STOPPED_HOLDER_WAIT_MS even before that handler runs, since the handler may wait behind the very lock wait (the
// main thread handling another worker's exit: the suite hang this fixes); a live holder is waited for.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { noteStoppedByForce, OwnedLock, STOPPED_HOLDER_WAIT_MS } from '../../src/core/owned-lock.js';

/** A lock word pair and a lock over it. */
function lockWords(): { words: Int32Array; lock: OwnedLock } {
  const words = new Int32Array(new SharedArrayBuffer(8));
  return { words, lock: new OwnedLock(words, 0, 'test') };
}

describe('OwnedLock', () => {
  it('gives up on a holder it stopped by force, after the grace, not before', () => {
    const { words, lock } = lockWords();
    const stopped = 9_000_001; // a thread id no live thread has
    words[0] = stopped + 1; // held by it, as a thread terminated inside its locked section leaves it
    noteStoppedByForce(stopped);
    const started = performance.now();
    lock.lock();
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(STOPPED_HOLDER_WAIT_MS);
    expect(words[0]).not.toBe(stopped + 1);
    lock.unlock();
    expect(words[0]).toBe(0);
  });

  it('undoes a dead holder at its exit, and forgets it was stopped', () => {
    const { words, lock } = lockWords();
    const dead = 9_000_002;
    words[0] = dead + 1;
    noteStoppedByForce(dead);
    lock.releaseDeadHolder(dead);
    expect(words[0]).toBe(0);
    lock.lock(); // at once
    lock.unlock();
  });

  it('waits for a live holder however long it holds, when it was not stopped', async () => {
    const { words, lock } = lockWords();
    const holder = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const words = new Int32Array(workerData);
       Atomics.store(words, 0, 424242);
       parentPort.postMessage('held');
       const until = Date.now() + ${STOPPED_HOLDER_WAIT_MS + 300};
       while (Date.now() < until) {}
       Atomics.store(words, 0, 0);
       Atomics.notify(words, 0);`,
      { eval: true, workerData: words.buffer },
    );
    await new Promise((resolve) => holder.once('message', resolve));
    const started = performance.now();
    lock.lock();
    expect(performance.now() - started).toBeGreaterThanOrEqual(STOPPED_HOLDER_WAIT_MS);
    lock.unlock();
    await holder.terminate();
  });
});
