// Locked access to the table: which segment a key lives in, taking and releasing segment locks, which shard a
// logical database's key is in, and finding a key's live entry with Redis's lazy expiry (db.c lookupKey: a key
// found expired is deleted and counted, by readers too). Every store operation (strings.ts, multikey.ts,
// keyspace.ts, walk.ts) locks through here; methods named *Locked and the table's methods assume the caller
// holds the lock. Knows no command semantics.
//
// LOCK ORDER (the only rule that keeps multi-key commands deadlock-free): a thread takes segment locks in
// ascending segment number, each segment at most once (duplicates removed), and holds them all until the
// operation ends; it never takes a segment lock while holding a higher one. The arena's grow lock is a leaf:
// taken inside segment locks, never the other way round. MGET/EXISTS/KEYS take read locks on all their
// segments at once, so they read one instant; MSET/MSETNX/DEL/RENAME/COPY take write locks likewise, and
// SWAPDB/FLUSHDB/FLUSHALL take every segment's write lock. A key's segment does not depend on its database, so
// no operation needs more locks for naming a database (MOVE, COPY ... DB). Outside the store, the blocking
// registry's lock (blocking/registry.ts) comes BEFORE every segment lock (a thread serving blocked clients pops
// for them while holding it) and is never taken inside one; the Pub/Sub lock is a leaf, like the grow lock.
//
// DATABASES: the logical -> physical table (layout.ts) changes only under every segment's write lock (SWAPDB),
// so it is read after taking a lock, never before: holding any one segment lock, it cannot change.

import type { Arena } from './arena.js';
import { hashKey } from './hash.js';
import { databaseMap, H_CLIENT_PAUSE, H_CLIENT_PAUSE_END_F64, SHARD_INTS } from './layout.js';
import type { SegmentLocks } from './rwlock.js';
import type { Table } from './table.js';
import type { TouchedHashes } from './touched.js';
import type { Bytes, Clock } from './types.js';

/**
 * Work on one key under its write lock: its live entry (or 0), its shard (segment: shard & mask), hash and the
 * key, then arguments.
 */
export type WriteWork<X, Y, R> = (
  a: TableAccess,
  entry: number,
  shard: number,
  hash: number,
  key: Bytes,
  x: X,
  y: Y,
) => R;

/**
 * Work on several keys of logical database `db` holding all their segments' locks: the keys' hashes (a key's
 * shard: a.shardOf(db, hash)), the keys, then arguments.
 */
export type KeysWork<X, Y, R> = (
  a: TableAccess,
  db: number,
  hashes: number[],
  keys: readonly Bytes[],
  x: X,
  y: Y,
) => R;

const nothing = (): void => undefined;

const always = (): boolean => true;

export class TableAccess {
  readonly mask: number;
  readonly databases: number;
  /** The control buffer's Float64 slots (byte counters, maxmemory), one view per thread. */
  readonly controlF64: Float64Array;
  private readonly map: number;
  private readonly headers: number;
  private readonly strideBits: number;
  /** Keys a reader under a read lock found expired (lookupLocked), deleted once the locks are released. */
  private readonly expiredSeen: Bytes[] = [];
  /**
   * Told of each key removed because it expired (lazily here, or by the active cycle), with its logical
   * database, under the lock that removes it: keyspace notifications' `expired` (SharedStore.onExpired).
   */
  expiredHook: ((db: number, key: Buffer) => void) | null = null;
  /**
   * Told of each key this thread evicts (maxmemory), with its logical database, under the lock that removes it:
   * the append-only file's DEL, in order with the key's writes.
   */
  evictedHook: ((db: number, key: Buffer) => void) | null = null;
  /** Whether evictedHook wants keys now (the file is being written): each evicted key is copied out only then. */
  evictedWanted: () => boolean = always;
  /**
   * The hashes of the keys this thread's writes modified (watch.ts touchLocked, where Redis calls
   * signalModifiedKey), for client-side caching to tell which of a command's keys it changed; null: not kept.
   */
  touched: TouchedHashes | null = null;
  /** The active cycle's report of an entry it removes (Table.removeExpiredInBucket); null without a hook. */
  reportExpired: ((shard: number, entry: number) => void) | null = null;
  /**
   * The clock of the times a value records and compares with (a stream's delivery and seen times, idle times): the
   * wall clock even while the append-only file replays, when `clock` reads 0 so that no key expires, as Redis's
   * XCLAIM TIME and streamCreateConsumer read mstime() while loading. `clock` unless the store was given one.
   */
  eventClock: Clock;

  constructor(
    readonly table: Table,
    readonly arena: Arena,
    readonly locks: SegmentLocks,
    readonly clock: Clock,
    readonly control: Int32Array,
    readonly segments: number,
    private readonly seed: number,
  ) {
    this.eventClock = clock;
    this.mask = segments - 1;
    this.controlF64 = new Float64Array(control.buffer);
    this.databases = table.databases;
    this.map = databaseMap(segments);
    this.headers = table.headers;
    this.strideBits = table.strideBits;
  }

  // ---- Databases (a segment lock held) ----

  /** Int index of logical `db`'s entry in the database table (for an unlocked Atomics.load). */
  mapIndex(db: number): number {
    return this.map + db;
  }

  /** The physical database logical `db` is now. */
  physical(db: number): number {
    return this.control[this.map + db];
  }

  /** The logical database a shard holds now (a segment lock held: SWAPDB cannot move it meanwhile). */
  logicalOf(shard: number): number {
    const physical = this.table.physicalOf(shard);
    for (let db = 0; db < this.databases; db++) if (this.control[this.map + db] === physical) return db;
    return physical;
  }

  /** Sets the expiry hook (see expiredHook). */
  setExpiredHook(hook: ((db: number, key: Buffer) => void) | null): void {
    this.expiredHook = hook;
    this.reportExpired =
      hook === null ? null : (shard, entry) => hook(this.logicalOf(shard), this.table.keyBuffer(entry));
  }

  /** The shard of logical `db` that a key with this hash lives in (Table.shard, written out: every lookup). */
  shardOf(db: number, hash: number): number {
    return this.headers + ((hash & this.mask) << this.strideBits) + this.control[this.map + db] * SHARD_INTS;
  }

  /** SWAPDB's step: logical x and y exchange their physical databases. Every segment's write lock held. */
  swapPhysicalLocked(x: number, y: number): void {
    const px = this.control[this.map + x];
    this.control[this.map + x] = this.control[this.map + y];
    this.control[this.map + y] = px;
  }

  hash(key: Bytes): number {
    return hashKey(key, this.seed);
  }

  /** The seed of the key hash (hashKey): warm-keys.ts hashes keys where they lie in a request. */
  hashSeed(): number {
    return this.seed;
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
  // Node 20 (best of 40 rounds on a loaded machine; bench/session-ab.ts measures such a change). Work given
  // no arguments (the first overload) does not declare x and y; they are undefined then.

  /**
   * Runs `work` under the read lock of key's segment with the key's readable entry in logical database `db`
   * (0: missing or expired). An expired one is deleted once the read lock is released (deleteIfExpired).
   */
  reading<R>(db: number, key: Bytes, work: (a: TableAccess, entry: number) => R): R;
  reading<X, Y, R>(
    db: number,
    key: Bytes,
    work: (a: TableAccess, entry: number, x: X, y: Y) => R,
    x: X,
    y: Y,
  ): R;
  reading(
    db: number,
    key: Bytes,
    work: (a: TableAccess, entry: number, x: never, y: never) => unknown,
    x?: never,
    y?: never,
  ): unknown {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    let expired = false;
    let result: unknown;
    this.lockRead(segment);
    try {
      let entry = this.table.find(this.shardOf(db, hash), hash, key);
      if (entry !== 0 && this.isExpired(entry)) {
        expired = true;
        entry = 0;
      }
      result = work(this, entry, x!, y!);
    } finally {
      this.locks.readRelease(segment);
    }
    if (expired) this.deleteIfExpired(db, key);
    return result;
  }

  /**
   * Runs `work` under the write lock of key's segment with the key's live entry in logical database `db` (0:
   * missing; an expired one is deleted first), its shard and its hash.
   */
  writing<R>(
    db: number,
    key: Bytes,
    work: (a: TableAccess, entry: number, shard: number, hash: number) => R,
  ): R;
  writing<X, R>(db: number, key: Bytes, work: WriteWork<X, undefined, R>, x: X): R;
  writing<X, Y, R>(db: number, key: Bytes, work: WriteWork<X, Y, R>, x: X, y: Y): R;
  writing(db: number, key: Bytes, work: WriteWork<never, never, unknown>, x?: never, y?: never): unknown {
    const hash = hashKey(key, this.seed);
    const segment = hash & this.mask;
    this.lockWrite(segment);
    try {
      const shard = this.shardOf(db, hash);
      return work(this, this.findLiveLocked(shard, hash, key), shard, hash, key, x!, y!);
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
   * Runs `work` holding the locks of every key's segment, with the keys' hashes. As with writing, work is a
   * module-level function given its arguments as x and y. Read work finds entries with lookupLocked: the keys
   * it found expired are deleted once the read locks are released.
   */
  withKeys<R>(db: number, keys: readonly Bytes[], write: boolean, work: KeysWork<undefined, undefined, R>): R;
  withKeys<X, Y, R>(
    db: number,
    keys: readonly Bytes[],
    write: boolean,
    work: KeysWork<X, Y, R>,
    x: X,
    y: Y,
  ): R;
  withKeys(
    db: number,
    keys: readonly Bytes[],
    write: boolean,
    work: KeysWork<never, never, unknown>,
    x?: never,
    y?: never,
  ): unknown {
    const hashes = keys.map((k) => hashKey(k, this.seed));
    const segments = this.segmentsOf(hashes);
    // Keys noted by a work that threw are dropped. The length is tested before it is written: writing it on
    // every call cost EXISTS ~20 ns (an in-process A/B on Node 20).
    if (this.expiredSeen.length !== 0) this.expiredSeen.length = 0;
    let result: unknown;
    this.lockAll(segments, write);
    try {
      result = work(this, db, hashes, keys, x!, y!);
    } finally {
      this.unlockAll(segments, write);
    }
    if (this.expiredSeen.length !== 0) this.deleteSeenExpired(db);
    return result;
  }

  /** Runs `work` holding every segment's lock (KEYS, FLUSHALL). */
  withAllSegments<R>(write: boolean, work: (segments: readonly number[]) => R): R {
    return this.withSegments(
      Array.from({ length: this.segments }, (_, s) => s),
      write,
      work,
    );
  }

  /**
   * Takes every segment's lock and keeps it until the returned function is called: for a caller that cannot
   * put what must happen under the locks in one callback (SHUTDOWN holds writers off from its save to its exit).
   */
  holdAllSegments(write: boolean): () => void {
    const segments = Array.from({ length: this.segments }, (_, s) => s);
    this.lockAll(segments, write);
    let held = true;
    return () => {
      if (held) this.unlockAll(segments, write);
      held = false;
    };
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

  /**
   * Takes the locks of `segments` (ascending, no duplicates) in order. A lock that cannot be had (its holder was
   * stopped by force: LockAbandonedError) lets go of those already taken before the error goes on.
   */
  private lockAll(segments: readonly number[], write: boolean): void {
    let taken = 0;
    try {
      for (; taken < segments.length; taken++) {
        if (write) this.locks.write(segments[taken]);
        else this.locks.read(segments[taken]);
      }
    } catch (e) {
      this.unlockAll(segments.slice(0, taken), write);
      throw e;
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

  /**
   * CLIENT PAUSE holds now (client-pause.ts): the dataset stays as it is, so an expired key a reader finds is
   * reported missing but not deleted, and neither the active cycle nor eviction removes keys (Redis 7.0's
   * expireIfNeeded, activeExpireCycle and isSafeToPerformEvictions). One load while no pause is set.
   */
  clientsPaused(): boolean {
    if (Atomics.load(this.control, H_CLIENT_PAUSE) === 0) return false;
    return !(this.controlF64[H_CLIENT_PAUSE_END_F64] < this.clock());
  }

  isExpired(entry: number): boolean {
    const at = this.table.expireAt(entry);
    return at !== 0 && this.clock() > at;
  }

  /**
   * Read lock held: the entry if present and not expired, else 0; nothing is deleted or noted (Redis's
   * keyIsExpired, as WATCH and EXEC look: they never delete).
   */
  findReadableLocked(shard: number, hash: number, key: Bytes): number {
    const entry = this.table.find(shard, hash, key);
    return entry !== 0 && this.isExpired(entry) ? 0 : entry;
  }

  /**
   * Read lock held, inside withKeys: a command's read lookup (lookupKeyRead). As findReadableLocked, and a key
   * found expired is noted, to be deleted when withKeys has released its locks.
   */
  lookupLocked(shard: number, hash: number, key: Bytes): number {
    const entry = this.table.find(shard, hash, key);
    if (entry === 0 || !this.isExpired(entry)) return entry;
    this.expiredSeen.push(key);
    return 0;
  }

  /**
   * Write lock held: the entry if present; an expired one is deleted first (Redis's lazy expiry). Its access
   * time is now, as lookupKeyWrite's (OBJECT IDLETIME).
   */
  findLiveLocked(shard: number, hash: number, key: Bytes): number {
    const entry = this.table.find(shard, hash, key);
    if (entry === 0) return 0;
    if (this.isExpired(entry)) {
      this.removeExpiredLocked(shard, entry);
      return 0;
    }
    this.table.touch(entry);
    return entry;
  }

  /** Write lock held: removes an entry that has expired and counts it (INFO expired_keys). */
  removeExpiredLocked(shard: number, entry: number): void {
    this.reportExpired?.(shard, entry);
    this.table.remove(shard, entry);
    this.table.countExpired(shard);
  }

  /**
   * A reader found key expired in logical `db`: delete it now under the write lock, counted as expired, unless
   * it changed meanwhile (another thread may have written it again between the two locks).
   */
  deleteIfExpired(db: number, key: Bytes): void {
    if (this.clientsPaused()) return; // found expired, reported missing, kept until the pause ends
    this.writing(db, key, nothing);
  }

  /** Deletes the keys lookupLocked noted (each only if still expired). */
  private deleteSeenExpired(db: number): void {
    const keys = this.expiredSeen.splice(0);
    for (const key of keys) this.deleteIfExpired(db, key);
  }
}
