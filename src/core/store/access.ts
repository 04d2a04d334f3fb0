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

/** Work on one key under its write lock: its live entry (or 0), segment, hash and the key, then arguments. */
export type WriteWork<X, Y, R> = (
  a: TableAccess,
  entry: number,
  segment: number,
  hash: number,
  key: Bytes,
  x: X,
  y: Y,
) => R;

/** Work on several keys holding all their segments' locks: the keys' hashes, the keys, then arguments. */
export type KeysWork<X, Y, R> = (a: TableAccess, hashes: number[], keys: readonly Bytes[], x: X, y: Y) => R;

const nothing = (): void => undefined;

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

  // The work of reading/writing is a module-level function, its arguments passed through as x and y, so a
  // call allocates no closure: a capturing arrow cost ~30-40 ns more per SET (~15%) in an interleaved A/B on
  // Node 20 (best of 40 rounds, /tmp/store-helper/closure.mjs, a loaded machine). Work given
  // no arguments (the first overload) does not declare x and y; they are undefined then.

  /**
   * Runs `work` under the read lock of key's segment with the key's readable entry (0: missing or expired;
   * nothing is deleted under a read lock).
   */
  reading<R>(key: Bytes, work: (a: TableAccess, entry: number) => R): R;
  reading<X, Y, R>(key: Bytes, work: (a: TableAccess, entry: number, x: X, y: Y) => R, x: X, y: Y): R;
  reading(
    key: Bytes,
    work: (a: TableAccess, entry: number, x: never, y: never) => unknown,
    x?: never,
    y?: never,
  ): unknown {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockRead(segment);
    try {
      return work(this, this.findReadableLocked(segment, hash, key), x!, y!);
    } finally {
      this.locks.readRelease(segment);
    }
  }

  /**
   * Runs `work` under the write lock of key's segment with the key's live entry (0: missing; an expired one
   * is deleted first), its segment and its hash.
   */
  writing<R>(key: Bytes, work: (a: TableAccess, entry: number, segment: number, hash: number) => R): R;
  writing<X, R>(key: Bytes, work: WriteWork<X, undefined, R>, x: X): R;
  writing<X, Y, R>(key: Bytes, work: WriteWork<X, Y, R>, x: X, y: Y): R;
  writing(key: Bytes, work: WriteWork<never, never, unknown>, x?: never, y?: never): unknown {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockWrite(segment);
    try {
      return work(this, this.findLiveLocked(segment, hash, key), segment, hash, key, x!, y!);
    } finally {
      this.locks.writeRelease(segment);
    }
  }

  // ---- Several segments, in the lock order ----

  /** Sorted, deduplicated segments of these hashes: the lock order. */
  segmentsOf(hashes: readonly number[]): number[] {
    if (hashes.length === 1) return [hashes[0] & this.mask]; // DEL/EXISTS of one key: no Set, no sort
    const segments = [...new Set(hashes.map((h) => h & this.mask))];
    return segments.sort((a, b) => a - b);
  }

  /**
   * Runs `work` holding the locks of every key's segment, with the keys' hashes (segment: hash & mask). As
   * with writing, work is a module-level function given its arguments as x and y.
   */
  withKeys<R>(keys: readonly Bytes[], write: boolean, work: KeysWork<undefined, undefined, R>): R;
  withKeys<X, Y, R>(keys: readonly Bytes[], write: boolean, work: KeysWork<X, Y, R>, x: X, y: Y): R;
  withKeys(
    keys: readonly Bytes[],
    write: boolean,
    work: KeysWork<never, never, unknown>,
    x?: never,
    y?: never,
  ): unknown {
    const hashes = keys.map((k) => hashKey(k, this.seed));
    const segments = this.segmentsOf(hashes);
    this.lockAll(segments, write);
    try {
      return work(this, hashes, keys, x!, y!);
    } finally {
      this.unlockAll(segments, write);
    }
  }

  /** Runs `work` holding every segment's lock (KEYS, FLUSHALL). */
  withAllSegments<R>(write: boolean, work: (segments: readonly number[]) => R): R {
    return this.withSegments(
      Array.from({ length: this.segments }, (_, s) => s),
      write,
      work,
    );
  }

  /** Runs `work` holding the locks of `segments` (ascending, no duplicates: see segmentsOf). */
  withSegments<R>(segments: readonly number[], write: boolean, work: (segments: readonly number[]) => R): R {
    this.lockAll(segments, write);
    try {
      return work(segments);
    } finally {
      this.unlockAll(segments, write);
    }
  }

  /** Takes the locks of `segments` (ascending, no duplicates) in order. */
  private lockAll(segments: readonly number[], write: boolean): void {
    for (const s of segments) {
      if (write) this.locks.write(s);
      else this.locks.read(s);
    }
    this.arena.refresh();
  }

  private unlockAll(segments: readonly number[], write: boolean): void {
    for (let i = segments.length - 1; i >= 0; i--) {
      if (write) this.locks.writeRelease(segments[i]);
      else this.locks.readRelease(segments[i]);
    }
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
    this.writing(key, nothing);
  }
}
