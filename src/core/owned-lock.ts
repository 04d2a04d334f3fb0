// A lock in shared memory whose word names its holder (threadId + 1), so the main thread can undo the hold of a
// thread that died holding it (a crashed pool worker) instead of every other thread stalling on it. It spins a
// little, then sleeps on the word in 10 ms steps (a timed wait: a dead holder never notifies); a holder this
// thread stopped by force is given up on after a second (noteStoppedByForce). Used by the
// Pub/Sub registry and the blocked-client registry, each over its own pair of words: the lock word and, after
// it, how many threads sleep on it (an unlock notifies only when some do).

import { threadId } from 'node:worker_threads';

const SPINS = 64;
const SLEEP_MS = 10;

/**
 * How long a wait goes on for a holder that was stopped by force before the hold is undone: terminate() ends a
 * thread within milliseconds (its JavaScript stops at the next interrupt check), far less than this.
 */
export const STOPPED_HOLDER_WAIT_MS = 1000;

/**
 * Threads this thread has stopped by force (worker.terminate()), by threadId. Such a thread may be ended inside a
 * locked section (no finally block runs), and its exit event, which undoes its hold (releaseDeadHolder), may be
 * queued behind the very wait it would end: the main thread handling another worker's exit, waiting for this
 * lock, would wait forever. So a wait on a holder named here gives up on it after STOPPED_HOLDER_WAIT_MS.
 */
const stoppedThreads = new Set<number>();

/** Before `worker.terminate()` of a thread that may hold an OwnedLock (the thread that terminates it). */
export function noteStoppedByForce(stoppedThreadId: number): void {
  stoppedThreads.add(stoppedThreadId);
}

export class OwnedLock {
  private readonly tag = threadId + 1;
  private held = false;

  /** `words[at]` is the lock word, `words[at + 1]` its sleeper count; `name` says which lock in errors. */
  constructor(
    private readonly words: Int32Array,
    private readonly at: number,
    private readonly name: string,
  ) {}

  lock(): void {
    if (this.held) throw new Error(`${this.name} lock taken twice by one thread`);
    const words = this.words;
    let sleptOnStopped = 0;
    for (let spin = 0; ; spin++) {
      const owner = Atomics.compareExchange(words, this.at, 0, this.tag);
      if (owner === 0) break;
      if (spin >= SPINS) {
        if (stoppedThreads.has(owner - 1) && (sleptOnStopped += SLEEP_MS) > STOPPED_HOLDER_WAIT_MS) {
          Atomics.compareExchange(words, this.at, owner, 0); // its thread is gone: the hold is undone
          continue;
        }
        Atomics.add(words, this.at + 1, 1);
        Atomics.wait(words, this.at, owner, SLEEP_MS);
        Atomics.sub(words, this.at + 1, 1);
      }
    }
    this.held = true;
  }

  unlock(): void {
    this.held = false;
    Atomics.store(this.words, this.at, 0);
    if (Atomics.load(this.words, this.at + 1) !== 0) Atomics.notify(this.words, this.at, 1);
  }

  /** Runs `work` holding the lock. */
  locked<R>(work: () => R): R {
    this.lock();
    try {
      return work();
    } finally {
      this.unlock();
    }
  }

  /** Undoes the hold of a thread that died holding the lock (main thread only). */
  releaseDeadHolder(deadThreadId: number): void {
    Atomics.compareExchange(this.words, this.at, deadThreadId + 1, 0);
    stoppedThreads.delete(deadThreadId);
  }
}
