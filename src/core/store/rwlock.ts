// Readers-writer locks on an Int32Array in shared memory, safe across worker threads: a short spin, then
// Atomics.wait/notify. A lock is two ints: the lock word (0 free, n > 0 readers, -1 writer) and a count of
// sleepers, so an unlock only pays for Atomics.notify when somebody sleeps. Knows of the store only that
// two-int layout, named in layout.ts (a segment's S_LOCK and S_WAITERS; H_GROW_LOCK and the int after it).
//
// No lost wake-ups: a sleeper increments the sleeper count *before* Atomics.wait re-checks the lock word, and
// an unlocker changes the lock word *before* it reads the sleeper count; all are sequentially consistent, so
// either the unlocker sees the sleeper (and notifies) or the sleeper's wait sees the new word (and returns).
// Readers are not blocked by waiting writers (no writer preference): critical sections here are a few
// microseconds, so a writer always finds a gap; documented rather than paying a second word per lock.
//
// A sleeper wakes every WAIT_SLICE_MS to see whether the store's locks were abandoned (a thread holding them may
// have been terminated: lock-abandonment.ts); it then gives up with LockAbandonedError rather than sleep forever.
// Only sleepers look, so the uncontended path is unchanged.

import { ABANDONED_WAIT_MS, LockAbandonedError, locksAbandoned } from './lock-abandonment.js';
import { S_LOCK, S_WAITERS } from './layout.js';

/** Where a lock's sleeper count is, from its lock word `at`. */
const WAITERS = S_WAITERS - S_LOCK;

/** Spins before sleeping: enough to ride out a critical section of a few µs, short on a 2-core machine. */
const SPINS = 64;

/** How long a sleeper sleeps before it looks at the store's abandonment mark. */
const WAIT_SLICE_MS = 100;

/**
 * Sleeps while the lock word at `at` is `state` (the caller counted itself a sleeper); `slept` is how many slices
 * this wait has slept through so far, returned one more when this one timed out. Throws when the store
 * (`control`; null: a lock outside any store) is marked abandoned and the wait has lasted ABANDONED_WAIT_MS.
 */
function sleep(
  words: Int32Array,
  at: number,
  state: number,
  control: Int32Array | null,
  slept: number,
): number {
  if (Atomics.wait(words, at, state, WAIT_SLICE_MS) !== 'timed-out') return slept;
  if (control !== null && (slept + 1) * WAIT_SLICE_MS >= ABANDONED_WAIT_MS && locksAbandoned(control)) {
    throw new LockAbandonedError();
  }
  return slept + 1;
}

/** `control`: the store whose abandonment mark ends the wait (lock-abandonment.ts); null for none. */
export function readLock(words: Int32Array, at: number, control: Int32Array | null): void {
  let slept = 0;
  for (let spin = 0; ; spin++) {
    const state = Atomics.load(words, at);
    if (state >= 0) {
      if (Atomics.compareExchange(words, at, state, state + 1) === state) return;
      continue; // another reader raced us: retry at once, the lock is still readable
    }
    if (spin >= SPINS) {
      Atomics.add(words, at + WAITERS, 1);
      try {
        slept = sleep(words, at, state, control, slept);
      } finally {
        Atomics.sub(words, at + WAITERS, 1);
      }
    }
  }
}

export function readUnlock(words: Int32Array, at: number): void {
  // Only writers sleep on a read-held lock, and only the last reader out can let one in.
  if (Atomics.sub(words, at, 1) === 1 && Atomics.load(words, at + WAITERS) !== 0) Atomics.notify(words, at);
}

/** `control`: the store whose abandonment mark ends the wait (lock-abandonment.ts); null for none. */
export function writeLock(words: Int32Array, at: number, control: Int32Array | null): void {
  let slept = 0;
  for (let spin = 0; ; spin++) {
    const state = Atomics.compareExchange(words, at, 0, -1);
    if (state === 0) return;
    if (spin >= SPINS) {
      Atomics.add(words, at + WAITERS, 1);
      try {
        slept = sleep(words, at, state, control, slept);
      } finally {
        Atomics.sub(words, at + WAITERS, 1);
      }
    }
  }
}

export function writeUnlock(words: Int32Array, at: number): void {
  Atomics.store(words, at, 0);
  if (Atomics.load(words, at + WAITERS) !== 0) Atomics.notify(words, at);
}

/** The store's locking, one lock per segment. Separate from the table so a single thread can run without it. */
export interface SegmentLocks {
  read(segment: number): void;
  readRelease(segment: number): void;
  write(segment: number): void;
  writeRelease(segment: number): void;
  /**
   * Takes `segment`'s write lock and keeps it until releaseHeld, and the read/write calls of this thread for that
   * segment are free meanwhile: one write command runs whole under its key's lock (store.writeHolding). The
   * command must touch no other segment (that would take a lock out of the lock order). One at a time.
   */
  holdWrite(segment: number): void;
  releaseHeld(): void;
}

export class AtomicSegmentLocks implements SegmentLocks {
  constructor(
    /** The store's control buffer: the locks' words and its abandonment mark. */
    private readonly words: Int32Array,
    /** Int index of segment 0's lock word, and the distance between two segments' lock words. */
    private readonly base: number,
    private readonly stride: number,
  ) {}

  /** The segment whose write lock this thread holds across a whole command (holdWrite); -1: none. */
  private heldSegment = -1;

  read(segment: number): void {
    if (segment === this.heldSegment) return;
    if (this.heldSegment >= 0) this.outsideHeld(segment);
    readLock(this.words, this.base + segment * this.stride, this.words);
  }
  readRelease(segment: number): void {
    if (segment === this.heldSegment) return;
    readUnlock(this.words, this.base + segment * this.stride);
  }
  write(segment: number): void {
    if (segment === this.heldSegment) return;
    if (this.heldSegment >= 0) this.outsideHeld(segment);
    writeLock(this.words, this.base + segment * this.stride, this.words);
  }
  writeRelease(segment: number): void {
    if (segment === this.heldSegment) return;
    writeUnlock(this.words, this.base + segment * this.stride);
  }

  holdWrite(segment: number): void {
    // One command holds one segment: a second hold would deadlock on the same one or lose the first.
    if (this.heldSegment >= 0) this.outsideHeld(segment);
    writeLock(this.words, this.base + segment * this.stride, this.words);
    this.heldSegment = segment;
  }

  releaseHeld(): void {
    const segment = this.heldSegment;
    this.heldSegment = -1;
    writeUnlock(this.words, this.base + segment * this.stride);
  }

  /** A command holding one segment reached for another: a bug (the command names too few keys), not a race. */
  private outsideHeld(segment: number): never {
    throw new Error(`store: segment ${segment} used while a command holds only segment ${this.heldSegment}`);
  }
}

/** For one thread that owns the store alone (the benchmark's unlocked baseline). */
export class NoLocks implements SegmentLocks {
  read(): void {}
  readRelease(): void {}
  write(): void {}
  writeRelease(): void {}
  holdWrite(): void {}
  releaseHeld(): void {}
}

/**
 * The locks of a thread that already holds some segments' write locks (EXEC): taking one of those is free, and
 * touching any other segment is a bug (the caller locked too few), reported loudly rather than raced.
 */
export class HeldLocks implements SegmentLocks {
  private readonly held: Uint8Array;

  constructor(segments: number) {
    this.held = new Uint8Array(segments);
  }

  /** Marks these segments held (true) or no longer held (false). */
  mark(segments: readonly number[], held: boolean): void {
    for (const s of segments) this.held[s] = held ? 1 : 0;
  }

  private check(segment: number): void {
    if (this.held[segment] === 0) throw new Error(`store: segment ${segment} used without its lock`);
  }

  read(segment: number): void {
    this.check(segment);
  }
  readRelease(): void {}
  write(segment: number): void {
    this.check(segment);
  }
  writeRelease(): void {}
  holdWrite(segment: number): void {
    this.check(segment);
  }
  releaseHeld(): void {}
}
