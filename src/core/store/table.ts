// The plain hash table over the arena: per-segment bucket arrays of entry offsets, chained through E_NEXT,
// and the entry format (layout.ts). No locking and no expiry policy: every method's precondition is that the
// caller holds the segment's lock (a read lock for the read-only methods, the write lock for the rest).
// Bucket = (hash >>> segmentBits) & (buckets - 1): the low hash bits already chose the segment.

import { CommandError, ERR } from '../errors.js';
import { Arena } from './arena.js';
import {
  E_BLOCK_UNITS,
  E_EXPIRE_AT_F64,
  E_HASH,
  E_KEY_LEN,
  E_NEXT,
  E_VALUE_LEN,
  ENTRY_HEADER_BYTES,
  S_BUCKETS,
  S_EXPIRED,
  S_EXPIRES,
  S_INDEX,
  S_KEYS,
  UNIT,
  segmentBase,
  unitsFor,
} from './layout.js';

/** Buckets per segment at creation and after a flush (64 segments x 16 = 1024 buckets, 4 KiB). */
export const INITIAL_BUCKETS = 16;

export interface ExpireTally {
  expired: number;
  volatile: number;
}

export class Table {
  readonly segmentBits: number;
  private readonly counters: Float64Array;

  constructor(
    readonly arena: Arena,
    private readonly control: Int32Array,
    readonly segments: number,
  ) {
    this.segmentBits = Math.log2(segments);
    this.counters = new Float64Array(control.buffer);
  }

  // ---- Segment index ----

  /** Allocates a fresh, empty index for a segment. Precondition: write lock (or sole owner). */
  initSegment(segment: number): void {
    const base = segmentBase(segment);
    this.control[base + S_INDEX] = this.allocIndex(segment, INITIAL_BUCKETS);
    this.control[base + S_BUCKETS] = INITIAL_BUCKETS;
    this.control[base + S_KEYS] = 0;
    this.control[base + S_EXPIRES] = 0;
  }

  buckets(segment: number): number {
    return this.control[segmentBase(segment) + S_BUCKETS];
  }

  keyCount(segment: number): number {
    return Atomics.load(this.control, segmentBase(segment) + S_KEYS);
  }

  expiresCount(segment: number): number {
    return Atomics.load(this.control, segmentBase(segment) + S_EXPIRES);
  }

  expiredCount(segment: number): number {
    return this.counters[(segmentBase(segment) + S_EXPIRED) / 2];
  }

  countExpired(segment: number): void {
    this.counters[(segmentBase(segment) + S_EXPIRED) / 2]++;
  }

  /** First entry of bucket b (0 if empty). */
  bucketHead(segment: number, bucket: number): number {
    return this.arena.u32[this.control[segmentBase(segment) + S_INDEX] * 2 + bucket];
  }

  next(entry: number): number {
    return this.arena.u32[entry * 2 + E_NEXT];
  }

  private bucketWord(segment: number, hash: number): number {
    const base = segmentBase(segment);
    const bucket = (hash >>> this.segmentBits) & (this.control[base + S_BUCKETS] - 1);
    return this.control[base + S_INDEX] * 2 + bucket;
  }

  private allocIndex(segment: number, buckets: number): number {
    // Two uint32 buckets per unit; a reused block holds old bytes, so always clear.
    const block = this.arena.alloc(segment, buckets / 2);
    this.arena.u32.fill(0, block * 2, block * 2 + buckets);
    return block;
  }

  /**
   * Doubles a segment's index: each chain splits into buckets b and b + old size. The old array is cut into
   * blocks of pieceUnits (the size of the entry that triggered the growth: a sample of this table's entries).
   */
  private growIndex(segment: number, pieceUnits: number): void {
    const base = segmentBase(segment);
    const oldBuckets = this.control[base + S_BUCKETS];
    const oldIndex = this.control[base + S_INDEX];
    const newBuckets = oldBuckets * 2;
    const newIndex = this.allocIndex(segment, newBuckets);
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
    this.control[base + S_INDEX] = newIndex;
    this.control[base + S_BUCKETS] = newBuckets;
    this.arena.free(segment, oldIndex, oldBuckets / 2, pieceUnits);
  }

  // ---- Lookup ----

  /** The entry for key (expired or not), or 0. */
  find(segment: number, hash: number, key: Uint8Array): number {
    const u32 = this.arena.u32;
    let entry = u32[this.bucketWord(segment, hash)];
    while (entry !== 0) {
      if (u32[entry * 2 + E_HASH] === hash && this.keyEquals(entry, key)) return entry;
      entry = u32[entry * 2 + E_NEXT];
    }
    return 0;
  }

  keyEquals(entry: number, key: Uint8Array): boolean {
    const n = key.length;
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

  /** Sets the expiry of a linked entry, keeping the segment's count of volatile keys right. */
  setExpireAt(segment: number, entry: number, at: number): void {
    const before = this.arena.f64[entry + E_EXPIRE_AT_F64];
    this.arena.f64[entry + E_EXPIRE_AT_F64] = at;
    if ((before === 0) !== (at === 0)) {
      this.control[segmentBase(segment) + S_EXPIRES] += at === 0 ? -1 : 1;
    }
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
    const out = Buffer.allocUnsafe(length);
    const u8 = this.arena.u8;
    if (length <= 64) for (let i = 0; i < length; i++) out[i] = u8[start + i];
    else out.set(u8.subarray(start, start + length));
    return out;
  }

  // ---- Creating, linking and removing entries (write lock) ----

  /**
   * A new unlinked entry holding key, with room for `capacity` value bytes and valueLength set; the value
   * bytes are left for the caller to write. May grow the arena (views change: re-read arena.u8 after).
   */
  newEntry(segment: number, hash: number, key: Uint8Array, valueLength: number, capacity: number): number {
    const units = unitsFor(ENTRY_HEADER_BYTES + key.length + capacity);
    const entry = this.arena.alloc(segment, units);
    const u32 = this.arena.u32;
    const w = entry * 2;
    u32[w + E_NEXT] = 0;
    u32[w + E_HASH] = hash;
    u32[w + E_KEY_LEN] = key.length;
    u32[w + E_VALUE_LEN] = valueLength;
    u32[w + E_BLOCK_UNITS] = units;
    u32[w + E_BLOCK_UNITS + 1] = 0;
    this.arena.f64[entry + E_EXPIRE_AT_F64] = 0;
    const u8 = this.arena.u8;
    const start = entry * UNIT + ENTRY_HEADER_BYTES;
    if (key.length <= 64) for (let i = 0; i < key.length; i++) u8[start + i] = key[i];
    else u8.set(key, start);
    return entry;
  }

  /** Links a new entry (no entry with its key may be linked) and sets its expiry. */
  insert(segment: number, entry: number, expireAt: number): void {
    const base = segmentBase(segment);
    const u32 = this.arena.u32;
    const slot = this.bucketWord(segment, u32[entry * 2 + E_HASH]);
    u32[entry * 2 + E_NEXT] = u32[slot];
    u32[slot] = entry;
    this.control[base + S_KEYS]++;
    this.setExpireAt(segment, entry, expireAt);
    if (this.control[base + S_KEYS] > this.control[base + S_BUCKETS]) {
      this.growIndexIfRoom(segment, u32[entry * 2 + E_BLOCK_UNITS]);
    }
  }

  /**
   * growIndex, unless the arena is full. The entry is already linked, so the write has happened and must not
   * be reported as failed (MSET's all-or-nothing relies on insert never throwing); the chains just run longer
   * until a later insert finds room. A refused allocation changed nothing, so the index is intact.
   */
  private growIndexIfRoom(segment: number, pieceUnits: number): void {
    try {
      this.growIndex(segment, pieceUnits);
    } catch (error) {
      if (!(error instanceof CommandError && error.message === ERR.oom)) throw error;
    }
  }

  /** Puts `entry` in place of `old` (same key) in its chain, sets the expiry, and frees `old`. */
  replace(segment: number, old: number, entry: number, expireAt: number): void {
    const u32 = this.arena.u32;
    this.unlink(segment, old);
    this.setExpireAt(segment, old, 0);
    this.arena.free(segment, old, u32[old * 2 + E_BLOCK_UNITS]);
    const slot = this.bucketWord(segment, u32[entry * 2 + E_HASH]);
    u32[entry * 2 + E_NEXT] = u32[slot];
    u32[slot] = entry;
    this.setExpireAt(segment, entry, expireAt);
  }

  /** Unlinks and frees an entry. */
  remove(segment: number, entry: number): void {
    this.unlink(segment, entry);
    this.control[segmentBase(segment) + S_KEYS]--;
    this.setExpireAt(segment, entry, 0);
    this.arena.free(segment, entry, this.arena.u32[entry * 2 + E_BLOCK_UNITS]);
  }

  private unlink(segment: number, entry: number): void {
    const u32 = this.arena.u32;
    const slot = this.bucketWord(segment, u32[entry * 2 + E_HASH]);
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
  removeExpiredInBucket(segment: number, bucket: number, now: number, tally: ExpireTally): void {
    let entry = this.bucketHead(segment, bucket);
    while (entry !== 0) {
      const next = this.next(entry);
      const at = this.expireAt(entry);
      if (at !== 0) {
        tally.volatile++;
        if (now > at) {
          this.remove(segment, entry);
          this.countExpired(segment);
          tally.expired++;
        }
      }
      entry = next;
    }
  }
}
