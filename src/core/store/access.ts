// Locked access to the table: which segment a key lives in, taking and releasing segment locks, and finding a
// key's live entry with Redis's lazy expiry. Every store operation (strings.ts, multikey.ts, keyspace.ts,
// walk.ts) locks through here; methods named *Locked and the table's methods assume the caller holds the lock.
// Knows no command semantics.
//
// LOCK ORDER (the only rule that keeps multi-key commands deadlock-free): a thread takes segment locks in
// ascending segment number, each segment at most once (duplicates removed), and holds them all until the
// operation ends; it never takes a segment lock while holding a higher one. The arena's grow lock is a leaf:
// taken inside segment locks, never the other way round. MGET/EXISTS/KEYS take read locks on all their
// segments at once, so they read one instant; MSET/MSETNX/DEL/RENAME/COPY/FLUSH take write locks likewise.

import type { Arena } from './arena.js';
import { hashKey } from './hash.js';
import type { SegmentLocks } from './rwlock.js';
import type { Table } from './table.js';
import type { Bytes, Clock } from './types.js';

export class TableAccess {
  readonly mask: number;

  constructor(
    readonly table: Table,
    readonly arena: Arena,
    readonly locks: SegmentLocks,
    readonly clock: Clock,
    readonly control: Int32Array,
    readonly segments: number,
    private readonly seed: number,
  ) {
    this.mask = segments - 1;
  }

  hash(key: Bytes): number {
    return hashKey(key, this.seed);
  }

  // ---- One segment ----

  lockRead(segment: number): void {
    this.locks.read(segment);
    this.arena.refresh();
  }

  lockWrite(segment: number): void {
    this.locks.write(segment);
    this.arena.refresh();
  }

  /**
   * Runs `work` under the read lock of key's segment with the key's readable entry (0: missing or expired;
   * nothing is deleted under a read lock).
   */
  reading<R>(key: Bytes, work: (entry: number) => R): R {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockRead(segment);
    try {
      return work(this.findReadableLocked(segment, hash, key));
    } finally {
      this.locks.readRelease(segment);
    }
  }

  /**
   * Runs `work` under the write lock of key's segment with the key's live entry (0: missing; an expired one
   * is deleted first), its segment and its hash.
   */
  writing<R>(key: Bytes, work: (entry: number, segment: number, hash: number) => R): R {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockWrite(segment);
    try {
      return work(this.findLiveLocked(segment, hash, key), segment, hash);
    } finally {
      this.locks.writeRelease(segment);
    }
  }

  // ---- Several segments, in the lock order ----

  /** Sorted, deduplicated segments of these hashes: the lock order. */
  private segmentsOf(hashes: readonly number[]): number[] {
    if (hashes.length === 1) return [hashes[0] & this.mask]; // DEL/EXISTS of one key: no Set, no sort
    const segments = [...new Set(hashes.map((h) => h & this.mask))];
    return segments.sort((a, b) => a - b);
  }

  /** Runs `work` holding the locks of `segments` (ascending, no duplicates), taken in order. */
  withSegments<R>(segments: readonly number[], write: boolean, work: () => R): R {
    for (const s of segments) {
      if (write) this.locks.write(s);
      else this.locks.read(s);
    }
    this.arena.refresh();
    try {
      return work();
    } finally {
      for (let i = segments.length - 1; i >= 0; i--) {
        if (write) this.locks.writeRelease(segments[i]);
        else this.locks.readRelease(segments[i]);
      }
    }
  }

  /** Runs `work` holding the locks of every key's segment; it gets the keys' hashes (segment: hash & mask). */
  withKeys<R>(keys: readonly Bytes[], write: boolean, work: (hashes: number[]) => R): R {
    const hashes = keys.map((k) => hashKey(k, this.seed));
    return this.withSegments(this.segmentsOf(hashes), write, () => work(hashes));
  }

  /** Runs `work` holding every segment's lock (KEYS, FLUSHALL). */
  withAllSegments<R>(write: boolean, work: (segments: readonly number[]) => R): R {
    const segments = Array.from({ length: this.segments }, (_, s) => s);
    return this.withSegments(segments, write, () => work(segments));
  }

  // ---- Lazy expiry (lock held) ----

  isExpired(entry: number): boolean {
    const at = this.table.expireAt(entry);
    return at !== 0 && this.clock() > at;
  }

  /** Read lock held: the entry if present and not expired, else 0. */
  findReadableLocked(segment: number, hash: number, key: Bytes): number {
    const entry = this.table.find(segment, hash, key);
    return entry !== 0 && this.isExpired(entry) ? 0 : entry;
  }

  /** Write lock held: the entry if present; an expired one is deleted first (Redis's lazy expiry). */
  findLiveLocked(segment: number, hash: number, key: Bytes): number {
    const entry = this.table.find(segment, hash, key);
    if (entry !== 0 && this.isExpired(entry)) {
      this.removeExpiredLocked(segment, entry);
      return 0;
    }
    return entry;
  }

  /** Write lock held: removes an entry that has expired and counts it (INFO expired_keys). */
  removeExpiredLocked(segment: number, entry: number): void {
    this.table.remove(segment, entry);
    this.table.countExpired(segment);
  }

  /** A reader found key expired: delete it now under the write lock (it may have changed meanwhile). */
  deleteIfExpired(key: Bytes): void {
    this.writing(key, () => undefined);
  }
}
