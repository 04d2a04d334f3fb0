// evict.c's eviction pool (EVPOOL_SIZE): the best candidates found so far, kept sorted by idle score, best
// (highest) last, each key once, so each round's samples add to what earlier rounds found. One per thread (an
// Evictor's). Flat arrays and a key buffer per slot that is reused, as Redis caches an sds per slot
// (EVPOOL_CACHED_SDS_SIZE): a sample that enters the pool allocates nothing. Reads entries through the table
// (the caller holds their segment's lock); knows nothing of locks or policies.

import type { Table } from './table.js';

/** evict.c EVPOOL_SIZE. */
export const POOL_SIZE = 16;
/** A slot's key buffer; a longer key gets one of its own, reused for later keys up to MAX_KEPT_KEY_BYTES. */
const SLOT_KEY_BYTES = 64;
/** A buffer larger than this is not reused, so one huge key does not pin its size for the thread's life. */
const MAX_KEPT_KEY_BYTES = 1024;

export class EvictionPool {
  /** Candidates held, in slots 0 .. size - 1. */
  size = 0;
  private readonly scores = new Float64Array(POOL_SIZE);
  private readonly dbs = new Int32Array(POOL_SIZE);
  private readonly hashes = new Uint32Array(POOL_SIZE);
  private readonly lengths = new Int32Array(POOL_SIZE);
  private readonly keys: Buffer[] = Array.from({ length: POOL_SIZE }, () => Buffer.alloc(SLOT_KEY_BYTES));

  /** Whether a candidate with this score would enter: the pool has room, or it beats the worst held. */
  wants(score: number): boolean {
    return this.size < POOL_SIZE || score > this.scores[0];
  }

  /**
   * Takes `entry` of logical `db` (its segment's lock held) with its score, unless it would not enter or the
   * pool holds its key already; the worst candidate makes room when the pool is full.
   */
  offer(table: Table, entry: number, db: number, score: number): void {
    if (!this.wants(score)) return;
    const hash = table.hashOf(entry);
    for (let i = 0; i < this.size; i++) {
      if (
        this.hashes[i] === hash &&
        this.dbs[i] === db &&
        table.keyEquals(entry, this.keys[i], this.lengths[i])
      ) {
        return;
      }
    }
    let at = this.size;
    while (at > 0 && this.scores[at - 1] > score) at--;
    let spare: Buffer;
    if (this.size === POOL_SIZE) {
      // Slot 0, the worst, goes; those below the new one move down a slot (at >= 1: it beat slot 0).
      spare = this.keys[0];
      at--;
      for (let i = 0; i < at; i++) this.moveSlot(i + 1, i);
    } else {
      spare = this.keys[this.size];
      for (let i = this.size; i > at; i--) this.moveSlot(i - 1, i);
      this.size++;
    }
    this.scores[at] = score;
    this.dbs[at] = db;
    this.hashes[at] = hash;
    this.keys[at] = copyKey(table, entry, spare);
    this.lengths[at] = table.keyLength(entry);
  }

  /** Takes the best candidate out: its slot, whose fields below stay readable until the next offer. */
  pop(): number {
    return --this.size;
  }

  db(slot: number): number {
    return this.dbs[slot];
  }

  hash(slot: number): number {
    return this.hashes[slot];
  }

  /** The slot's key: its first keyLength(slot) bytes. */
  key(slot: number): Buffer {
    return this.keys[slot];
  }

  keyLength(slot: number): number {
    return this.lengths[slot];
  }

  private moveSlot(from: number, to: number): void {
    this.scores[to] = this.scores[from];
    this.dbs[to] = this.dbs[from];
    this.hashes[to] = this.hashes[from];
    this.lengths[to] = this.lengths[from];
    this.keys[to] = this.keys[from];
  }
}

/** Copies the entry's key into `into`, or into a new buffer, returned instead, when it does not fit. */
function copyKey(table: Table, entry: number, into: Buffer): Buffer {
  const length = table.keyLength(entry);
  const fits = length <= into.length && into.length <= MAX_KEPT_KEY_BYTES;
  const target = fits ? into : Buffer.alloc(Math.max(length, SLOT_KEY_BYTES));
  const u8 = table.arena.u8;
  const start = table.keyStart(entry);
  if (length <= 64) for (let i = 0; i < length; i++) target[i] = u8[start + i];
  else target.set(u8.subarray(start, start + length));
  return target;
}
