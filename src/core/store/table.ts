// The plain hash table over the arena: per-shard bucket arrays of entry offsets, chained through E_NEXT, and
// the entry format (layout.ts). A shard is one physical database's part of one segment, numbered by the int
// index of its header in the control buffer (so a lookup decodes nothing); every method's precondition is that
// the caller holds that segment's lock (a read lock for the read-only methods, the write lock for the rest).
// No locking, no expiry policy and no logical databases here. Bucket = (hash >>> segmentBits) & mask: the low
// hash bits already chose the segment.

import { CommandError } from '../errors.js';
import { Arena, sizeClass } from './arena.js';
import { releaseValue } from './containers.js';
import { lfuFresh, lfuTouched } from './lfu.js';
import { bufferFromShared, copyIntoShared } from './shared-copy.js';
import {
  D_EXPIRES,
  D_INDEX,
  D_KEYS,
  D_MASK,
  E_BLOCK_UNITS,
  E_EXPIRE_AT_F64,
  E_HASH,
  E_KEY_LEN,
  E_NEXT,
  E_OBJECT,
  E_VALUE_LEN,
  ENTRY_HEADER_BYTES,
  H_DATABASES,
  H_LFU_DECAY_TIME,
  H_LFU_LOG_FACTOR,
  H_LFU_MINUTES,
  H_LRU_CLOCK,
  H_MAXMEMORY_POLICY,
  LRU_BITS,
  POLICY_ALLKEYS_LFU,
  POLICY_VOLATILE_LFU,
  LRU_MASK,
  S_EVICTED,
  S_EXPIRED,
  S_VOLATILE,
  SHARD_INTS,
  UNIT,
  segmentBase,
  shardHeaders,
  shardStride,
  unitsFor,
} from './layout.js';

/** Buckets of a shard's index when its first key arrives (64 B); it doubles as keys outnumber buckets. */
export const INITIAL_BUCKETS = 16;

export interface ExpireTally {
  expired: number;
  volatile: number;
}

export class Table {
  readonly segmentBits: number;
  readonly databases: number;
  /** Int index of the first shard header; segment s's headers start at headers + (s << strideBits). */
  readonly headers: number;
  readonly strideBits: number;
  private readonly counters: Float64Array;

  constructor(
    readonly arena: Arena,
    private readonly control: Int32Array,
    readonly segments: number,
  ) {
    this.segmentBits = Math.log2(segments);
    this.databases = control[H_DATABASES];
    this.headers = shardHeaders(segments, this.databases);
    this.strideBits = Math.log2(shardStride(this.databases));
    this.counters = new Float64Array(control.buffer);
  }

  // ---- Shards ----

  /** The shard of a physical database in a segment: the int index of its header (D_* fields). */
  shard(physical: number, segment: number): number {
    return this.headers + (segment << this.strideBits) + physical * SHARD_INTS;
  }

  segmentOf(shard: number): number {
    return (shard - this.headers) >>> this.strideBits;
  }

  physicalOf(shard: number): number {
    return ((shard - this.headers) & ((1 << this.strideBits) - 1)) / SHARD_INTS;
  }

  /** Bytes of a shard's index (its bucket array, as its size class); 0 before its first key. */
  indexBytes(shard: number): number {
    return this.control[shard + D_INDEX] === 0 ? 0 : sizeClass(this.buckets(shard) / 2) * UNIT;
  }

  buckets(shard: number): number {
    return this.control[shard + D_MASK] + 1;
  }

  keyCount(shard: number): number {
    return Atomics.load(this.control, shard + D_KEYS);
  }

  expiresCount(shard: number): number {
    return Atomics.load(this.control, shard + D_EXPIRES);
  }

  /** Keys with an expiry in a segment, every database together. */
  segmentVolatile(segment: number): number {
    return Atomics.load(this.control, segmentBase(segment) + S_VOLATILE);
  }

  /** Keys removed by expiry in a segment (any database): INFO expired_keys. */
  expiredCount(segment: number): number {
    return this.counters[(segmentBase(segment) + S_EXPIRED) / 2];
  }

  countEvicted(shard: number): void {
    this.counters[(segmentBase(this.segmentOf(shard)) + S_EVICTED) / 2]++;
  }

  countExpired(shard: number): void {
    this.counters[(segmentBase(this.segmentOf(shard)) + S_EXPIRED) / 2]++;
  }

  /** First entry of bucket b (0 if empty). */
  bucketHead(shard: number, bucket: number): number {
    return this.arena.u32[this.control[shard + D_INDEX] * 2 + bucket];
  }

  next(entry: number): number {
    return this.arena.u32[entry * 2 + E_NEXT];
  }

  /**
   * Eviction's sample, as dict.c dictGetSomeKeys takes one: up to `count` entries (only those with an expiry when
   * `volatile`) chain by chain from bucket `bucket` on, into `out`; how many it took. Written out with the views
   * and the index in locals: it runs for every key evicted at the cap. Read lock held.
   */
  sample(shard: number, bucket: number, count: number, volatile: boolean, out: Uint32Array): number {
    const u32 = this.arena.u32;
    const f64 = this.arena.f64;
    const index = this.control[shard + D_INDEX] * 2;
    const mask = this.control[shard + D_MASK];
    let taken = 0;
    for (let visited = 0; visited <= mask && taken < count; visited++) {
      for (let e = u32[index + bucket]; e !== 0 && taken < count; e = u32[e * 2 + E_NEXT]) {
        if (!volatile || f64[e + E_EXPIRE_AT_F64] !== 0) out[taken++] = e;
      }
      bucket = (bucket + 1) & mask;
    }
    return taken;
  }

  private bucketWord(shard: number, hash: number): number {
    return this.control[shard + D_INDEX] * 2 + ((hash >>> this.segmentBits) & this.control[shard + D_MASK]);
  }

  private allocIndex(segment: number, buckets: number): number {
    // Two uint32 buckets per unit; a reused block holds old bytes, so always clear.
    const block = this.arena.alloc(segment, buckets / 2);
    this.arena.u32.fill(0, block * 2, block * 2 + buckets);
    return block;
  }

  /**
   * Gives a shard its index if it has none yet (write lock). May throw the OOM error, so callers do it before
   * they change anything: newEntry does, and MOVE before it unlinks.
   */
  ensureIndex(shard: number): void {
    if (this.control[shard + D_INDEX] !== 0) return;
    this.control[shard + D_INDEX] = this.allocIndex(this.segmentOf(shard), INITIAL_BUCKETS);
    this.control[shard + D_MASK] = INITIAL_BUCKETS - 1;
  }

  /**
   * Doubles a shard's index: each chain splits into buckets b and b + old size. The old array is cut into
   * blocks of pieceUnits (the size of the entry that triggered the growth: a sample of this table's entries).
   */
  private growIndex(shard: number, pieceUnits: number): void {
    const oldBuckets = this.control[shard + D_MASK] + 1;
    const oldIndex = this.control[shard + D_INDEX];
    const newBuckets = oldBuckets * 2;
    const newIndex = this.allocIndex(this.segmentOf(shard), newBuckets);
    const u32 = this.arena.u32;
    const mask = newBuckets - 1;
    for (let b = 0; b < oldBuckets; b++) {
      let entry = u32[oldIndex * 2 + b];
      while (entry !== 0) {
        const next = u32[entry * 2 + E_NEXT];
        const slot = newIndex * 2 + ((u32[entry * 2 + E_HASH] >>> this.segmentBits) & mask);
        u32[entry * 2 + E_NEXT] = u32[slot];
        u32[slot] = entry;
        entry = next;
      }
    }
    this.control[shard + D_INDEX] = newIndex;
    this.control[shard + D_MASK] = mask;
    this.arena.free(this.segmentOf(shard), oldIndex, oldBuckets / 2, pieceUnits);
  }

  // ---- Lookup ----

  /**
   * The entry for key (expired or not), or 0. The key is its first `length` bytes: eviction's pool keeps keys in
   * reused buffers longer than they are.
   */
  find(shard: number, hash: number, key: Uint8Array, length = key.length): number {
    const u32 = this.arena.u32;
    let entry = u32[this.bucketWord(shard, hash)];
    while (entry !== 0) {
      if (u32[entry * 2 + E_HASH] === hash && this.keyEquals(entry, key, length)) return entry;
      entry = u32[entry * 2 + E_NEXT];
    }
    return 0;
  }

  keyEquals(entry: number, key: Uint8Array, length = key.length): boolean {
    const n = length;
    if (this.arena.u32[entry * 2 + E_KEY_LEN] !== n) return false;
    const u8 = this.arena.u8;
    const start = entry * UNIT + ENTRY_HEADER_BYTES;
    for (let i = 0; i < n; i++) if (u8[start + i] !== key[i]) return false;
    return true;
  }

  // ---- Entry fields ----

  keyLength(entry: number): number {
    return this.arena.u32[entry * 2 + E_KEY_LEN];
  }

  valueLength(entry: number): number {
    return this.arena.u32[entry * 2 + E_VALUE_LEN];
  }

  setValueLength(entry: number, length: number): void {
    this.arena.u32[entry * 2 + E_VALUE_LEN] = length;
  }

  hashOf(entry: number): number {
    return this.arena.u32[entry * 2 + E_HASH];
  }

  keyStart(entry: number): number {
    return entry * UNIT + ENTRY_HEADER_BYTES;
  }

  valueStart(entry: number): number {
    return entry * UNIT + ENTRY_HEADER_BYTES + this.arena.u32[entry * 2 + E_KEY_LEN];
  }

  /** Bytes the value may grow to in place. */
  valueCapacity(entry: number): number {
    const u32 = this.arena.u32;
    return u32[entry * 2 + E_BLOCK_UNITS] * UNIT - ENTRY_HEADER_BYTES - u32[entry * 2 + E_KEY_LEN];
  }

  blockUnits(entry: number): number {
    return this.arena.u32[entry * 2 + E_BLOCK_UNITS];
  }

  expireAt(entry: number): number {
    return this.arena.f64[entry + E_EXPIRE_AT_F64];
  }

  /** Sets the expiry of a linked entry, keeping the shard's count of volatile keys right. */
  setExpireAt(shard: number, entry: number, at: number): void {
    const before = this.arena.f64[entry + E_EXPIRE_AT_F64];
    this.arena.f64[entry + E_EXPIRE_AT_F64] = at;
    if ((before === 0) !== (at === 0)) {
      const delta = at === 0 ? -1 : 1;
      this.control[shard + D_EXPIRES] += delta;
      this.control[segmentBase(this.segmentOf(shard)) + S_VOLATILE] += delta;
    }
  }

  // ---- The value's object header (E_OBJECT: objects.ts) ----

  /**
   * The key was looked up (db.c lookupKey without LOOKUP_NOTOUCH): its access time is now. Under a read lock
   * too; stored only when the clock moved, so a hot key's line is not written on every read.
   */
  touch(entry: number): void {
    const u32 = this.arena.u32;
    const word = u32[entry * 2 + E_OBJECT];
    const policy = this.control[H_MAXMEMORY_POLICY];
    if (policy === POLICY_ALLKEYS_LFU || policy === POLICY_VOLATILE_LFU) {
      const bits = lfuTouched(
        word & LRU_MASK,
        this.control[H_LFU_MINUTES],
        this.control[H_LFU_DECAY_TIME],
        this.control[H_LFU_LOG_FACTOR],
      );
      if ((word & LRU_MASK) !== bits) u32[entry * 2 + E_OBJECT] = (word & ~LRU_MASK) | bits;
      return;
    }
    const clock = this.control[H_LRU_CLOCK];
    if ((word & LRU_MASK) !== clock) u32[entry * 2 + E_OBJECT] = (word & ~LRU_MASK) | clock;
  }

  /** A new object's access bits: the access clock now, or under an LFU policy, now and LFU_INIT_VAL. */
  freshAccessBits(): number {
    const policy = this.control[H_MAXMEMORY_POLICY];
    if (policy === POLICY_ALLKEYS_LFU || policy === POLICY_VOLATILE_LFU) {
      return lfuFresh(this.control[H_LFU_MINUTES]);
    }
    return this.control[H_LRU_CLOCK];
  }

  /** A new value in the entry (write lock), encoded as `kind` (OBJ_*): a new object, accessed now. */
  setObject(entry: number, kind: number): void {
    this.newObject(entry, kind << LRU_BITS);
  }

  /**
   * A new value in the entry (write lock) described by the object header's bits above the access clock (a
   * string's OBJ_* kind, or a container's type and encoding: containers.ts): a new object, accessed now.
   */
  newObject(entry: number, bits: number): void {
    this.arena.u32[entry * 2 + E_OBJECT] = (bits | this.freshAccessBits()) >>> 0;
    if (this.execArguments !== null) this.execArguments.delete(entry);
  }

  /**
   * While this thread runs an EXEC (SharedStore.transaction): the entries whose value is, in Redis, the very
   * argument object of a command of that EXEC (SET, MSET, APPEND to a new key store it, not a copy), which the
   * queued command still holds until EXEC ends, so its OBJECT REFCOUNT is 2 meanwhile. A new value in an entry
   * takes it out (setObject, newEntry). Null outside an EXEC, so other commands pay one null check.
   */
  execArguments: Set<number> | null = null;

  /** The entry now holds a command's argument object itself (see execArguments). */
  argumentStored(entry: number): void {
    if (this.execArguments !== null) this.execArguments.add(entry);
  }

  objectWord(entry: number): number {
    return this.arena.u32[entry * 2 + E_OBJECT];
  }

  keyBuffer(entry: number): Buffer {
    return this.copyOut(this.keyStart(entry), this.keyLength(entry));
  }

  valueBuffer(entry: number): Buffer {
    return this.copyOut(this.valueStart(entry), this.valueLength(entry));
  }

  /** A view of the stored value (valid only while the lock is held and nothing is allocated). */
  valueView(entry: number): Uint8Array {
    const start = this.valueStart(entry);
    return this.arena.u8.subarray(start, start + this.valueLength(entry));
  }

  private copyOut(start: number, length: number): Buffer {
    return bufferFromShared(this.arena.u8, start, length);
  }

  // ---- Creating, linking and removing entries (write lock) ----

  /**
   * A new unlinked entry holding key, with room for `capacity` value bytes and valueLength set, for the shard
   * it will be linked into (which gets its index now if it has none); the value bytes are left for the caller
   * to write. May grow the arena (views change: re-read arena.u8 after).
   */
  newEntry(shard: number, hash: number, key: Uint8Array, valueLength: number, capacity: number): number {
    this.ensureIndex(shard);
    const units = unitsFor(ENTRY_HEADER_BYTES + key.length + capacity);
    const entry = this.arena.alloc(this.segmentOf(shard), units);
    const u32 = this.arena.u32;
    const w = entry * 2;
    u32[w + E_NEXT] = 0;
    u32[w + E_HASH] = hash;
    u32[w + E_KEY_LEN] = key.length;
    u32[w + E_VALUE_LEN] = valueLength;
    u32[w + E_BLOCK_UNITS] = units;
    u32[w + E_OBJECT] = this.freshAccessBits(); // OBJ_AS_SET, accessed now
    if (this.execArguments !== null) this.execArguments.delete(entry);
    this.arena.f64[entry + E_EXPIRE_AT_F64] = 0;
    copyIntoShared(this.arena.u8, entry * UNIT + ENTRY_HEADER_BYTES, key);
    return entry;
  }

  /** Links a new entry (no entry with its key may be linked; the shard has its index) and sets its expiry. */
  insert(shard: number, entry: number, expireAt: number): void {
    const u32 = this.arena.u32;
    const slot = this.bucketWord(shard, u32[entry * 2 + E_HASH]);
    u32[entry * 2 + E_NEXT] = u32[slot];
    u32[slot] = entry;
    this.control[shard + D_KEYS]++;
    this.setExpireAt(shard, entry, expireAt);
    if (this.control[shard + D_KEYS] > this.control[shard + D_MASK] + 1) {
      this.growIndexIfRoom(shard, u32[entry * 2 + E_BLOCK_UNITS]);
    }
  }

  /**
   * growIndex, unless the arena is full. The entry is already linked, so the write has happened and must not
   * be reported as failed (MSET's all-or-nothing relies on insert never throwing); the chains just run longer
   * until a later insert finds room. A refused allocation changed nothing, so the index is intact.
   */
  private growIndexIfRoom(shard: number, pieceUnits: number): void {
    try {
      this.growIndex(shard, pieceUnits);
    } catch (error) {
      if (!(error instanceof CommandError && error.code === 'OOM')) throw error;
    }
  }

  /** Puts `entry` in place of `old` (same key) in its chain, sets the expiry, and frees `old`. */
  replace(shard: number, old: number, entry: number, expireAt: number): void {
    const u32 = this.arena.u32;
    this.unlink(shard, old);
    this.setExpireAt(shard, old, 0);
    releaseValue(this, this.segmentOf(shard), old);
    this.arena.free(this.segmentOf(shard), old, u32[old * 2 + E_BLOCK_UNITS]);
    const slot = this.bucketWord(shard, u32[entry * 2 + E_HASH]);
    u32[entry * 2 + E_NEXT] = u32[slot];
    u32[slot] = entry;
    this.setExpireAt(shard, entry, expireAt);
  }

  /** Unlinks and frees an entry. */
  remove(shard: number, entry: number): void {
    this.detach(shard, entry);
    releaseValue(this, this.segmentOf(shard), entry);
    this.arena.free(this.segmentOf(shard), entry, this.arena.u32[entry * 2 + E_BLOCK_UNITS]);
  }

  /**
   * Moves a linked entry, expiry and all, to another shard of the same segment (MOVE: the key's bytes, hence
   * its segment, are the same in every database). Precondition: `to` has its index (ensureIndex) and holds no
   * entry with this key.
   */
  relocate(from: number, to: number, entry: number): void {
    const at = this.expireAt(entry);
    this.detach(from, entry);
    this.insert(to, entry, at);
  }

  /** Unlinks an entry and takes it out of its shard's counts, leaving its block allocated. */
  private detach(shard: number, entry: number): void {
    this.unlink(shard, entry);
    this.control[shard + D_KEYS]--;
    this.setExpireAt(shard, entry, 0);
  }

  private unlink(shard: number, entry: number): void {
    const u32 = this.arena.u32;
    const slot = this.bucketWord(shard, u32[entry * 2 + E_HASH]);
    let at = u32[slot];
    if (at === entry) {
      u32[slot] = u32[entry * 2 + E_NEXT];
      return;
    }
    while (at !== 0) {
      const next = u32[at * 2 + E_NEXT];
      if (next === entry) {
        u32[at * 2 + E_NEXT] = u32[entry * 2 + E_NEXT];
        return;
      }
      at = next;
    }
    throw new Error('store corrupted: entry not in its chain');
  }

  /**
   * Removes the entries of one bucket that expired before `now`, counting them as expired; adds to `tally`
   * how many it removed and how many volatile entries it looked at.
   */
  removeExpiredInBucket(
    shard: number,
    bucket: number,
    now: number,
    tally: ExpireTally,
    /** Told of each entry before it goes (keyspace notifications). */
    report: ((shard: number, entry: number) => void) | null = null,
  ): void {
    let entry = this.bucketHead(shard, bucket);
    while (entry !== 0) {
      const next = this.next(entry);
      const at = this.expireAt(entry);
      if (at !== 0) {
        tally.volatile++;
        if (now > at) {
          report?.(shard, entry);
          this.remove(shard, entry);
          this.countExpired(shard);
          tally.expired++;
        }
      }
      entry = next;
    }
  }

  /** Whether the shard holds an entry with this full hash that has not expired (SWAPDB's WATCH check). */
  hasLiveHash(shard: number, hash: number, now: number): boolean {
    const u32 = this.arena.u32;
    for (let entry = u32[this.bucketWord(shard, hash)]; entry !== 0; entry = u32[entry * 2 + E_NEXT]) {
      if (u32[entry * 2 + E_HASH] !== hash) continue;
      const at = this.expireAt(entry);
      if (at === 0 || now <= at) return true;
    }
    return false;
  }

  // ---- Whole shards (every segment's write lock, or the one segment's for drop) ----

  /**
   * FLUSHDB's part in one segment: frees every entry of the shard and its index, leaving it empty with no
   * index (as a shard that never had a key). Returns how many keys it held.
   */
  drop(shard: number): number {
    const index = this.control[shard + D_INDEX];
    if (index === 0) return 0;
    const segment = this.segmentOf(shard);
    const buckets = this.control[shard + D_MASK] + 1;
    const u32 = this.arena.u32;
    for (let b = 0; b < buckets; b++) {
      for (let entry = u32[index * 2 + b]; entry !== 0;) {
        const next = u32[entry * 2 + E_NEXT];
        releaseValue(this, segment, entry);
        this.arena.free(segment, entry, this.arena.u32[entry * 2 + E_BLOCK_UNITS]);
        entry = next;
      }
    }
    this.arena.free(segment, index, buckets / 2);
    const keys = this.control[shard + D_KEYS];
    this.control[segmentBase(segment) + S_VOLATILE] -= this.control[shard + D_EXPIRES];
    this.control.fill(0, shard, shard + SHARD_INTS);
    return keys;
  }

  /**
   * FLUSHALL, after Arena.reset: every shard empty with no index, then physical database 0 given its indexes
   * again, so the usual single-database store allocates nothing on its first writes. Every segment's write lock.
   */
  resetShards(): void {
    this.control.fill(0, this.headers, this.headers + (this.segments << this.strideBits));
    for (let s = 0; s < this.segments; s++) {
      this.control[segmentBase(s) + S_VOLATILE] = 0;
      this.ensureIndex(this.shard(0, s));
    }
  }
}
