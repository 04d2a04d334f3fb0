// A consumer group's pending entries list (Redis's group PEL rax of streamNACKs) in the key's segment of the arena,
// so every thread sees it and a command changes one record, not an image of the whole list: a sorted array of
// fixed-size records cut into chunks of at most CHUNK_RECORDS, found through an index of the chunks' first IDs.
// A lookup is two binary searches (O(log N)); an insert or a delete moves at most one chunk's records and, when a
// chunk splits or empties, the index's slots (24 bytes each, N / 64 of them at most: a memmove of 4 KB at a PEL
// of 10,000, 375 KB at 1,000,000 once per 32 inserts); an XREADGROUP's append to the end fills the last chunk
// and then starts a new one. A record: the ID (16 bytes big-endian, so IDs compare as four 32-bit words), the
// owner's number in its group (stream-groups.ts maps numbers to consumers), the delivery time and count.
// Precondition of every method: the caller holds the key's segment's write lock. Knows the arena; no commands.

import { sizeClass, type Arena } from './arena.js';
import { UNIT } from './layout.js';
import type { StreamId } from './stream-id.js';
import {
  compareIdAt as compareAt,
  idWords as words,
  readIdAt,
  u32be,
  writeIdWordsAt as writeWordsAt,
  type IdWords as Words,
} from './stream-id-words.js';

export interface PelRecord {
  readonly id: StreamId;
  /** The owner's number in its group (0: none yet, XCLAIM FORCE's placeholder before its owner is set). */
  readonly consumer: number;
  readonly deliveryTime: number;
  readonly deliveryCount: number;
}

// 8-byte aligned (blocks start at units of 8), so the arena's u32 and f64 views read the fields in place.
const RECORD_BYTES = 40;
const R_CONSUMER = 16;
const R_TIME = 24; // f64, 8-aligned
const R_COUNT = 32; // f64: RETRYCOUNT may set any int64
/** Records a chunk holds: 2,560 bytes. */
export const CHUNK_RECORDS = 64;
const CHUNK_UNITS = Math.ceil((CHUNK_RECORDS * RECORD_BYTES) / UNIT);

// The index block: a header, then one slot per chunk (its first record's ID, its block, its record count).
const I_CHUNKS = 0;
const I_CAPACITY = 4; // slots
const I_SIZE = 8; // records in all
const I_HEADER = 16;
const SLOT_BYTES = 24;
const S_BLOCK = 16;
const S_COUNT = 20;
const MIN_SLOTS = 4;

const indexUnits = (slots: number): number => Math.ceil((I_HEADER + slots * SLOT_BYTES) / UNIT);

export class Pel {
  /**
   * `root`: the index block (0: an empty list with no blocks). It changes when the index grows or empties: its
   * holder reads it back after every change (stream-groups.ts writes it into the group's record).
   */
  constructor(
    private readonly arena: Arena,
    private readonly segment: number,
    public root: number,
  ) {}

  /** An empty list in the same segment (a consumer's own list of the IDs it owns). */
  sibling(): Pel {
    return new Pel(this.arena, this.segment, 0);
  }

  private get u8(): Uint8Array {
    return this.arena.u8;
  }

  private header(field: number): number {
    const at = this.root * UNIT + field;
    const u8 = this.u8;
    return (u8[at] | (u8[at + 1] << 8) | (u8[at + 2] << 16) | (u8[at + 3] << 24)) >>> 0;
  }

  private setHeader(field: number, n: number): void {
    const at = this.root * UNIT + field;
    const u8 = this.u8;
    u8[at] = n & 0xff;
    u8[at + 1] = (n >>> 8) & 0xff;
    u8[at + 2] = (n >>> 16) & 0xff;
    u8[at + 3] = n >>> 24;
  }

  get size(): number {
    return this.root === 0 ? 0 : this.header(I_SIZE);
  }

  private get chunks(): number {
    return this.root === 0 ? 0 : this.header(I_CHUNKS);
  }

  private slotAt(i: number): number {
    return this.root * UNIT + I_HEADER + i * SLOT_BYTES;
  }

  private chunkBlock(i: number): number {
    return this.header(I_HEADER + i * SLOT_BYTES + S_BLOCK);
  }

  private chunkCount(i: number): number {
    return this.header(I_HEADER + i * SLOT_BYTES + S_COUNT);
  }

  private setChunkCount(i: number, n: number): void {
    this.setHeader(I_HEADER + i * SLOT_BYTES + S_COUNT, n);
  }

  private recordAt(chunk: number, k: number): number {
    return this.chunkBlock(chunk) * UNIT + k * RECORD_BYTES;
  }

  /** The chunk that holds `key` or would: the last whose first ID is <= key, else the first. */
  private chunkFor(key: Words): number {
    const u8 = this.u8;
    let lo = 0;
    let hi = this.chunks - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (compareAt(u8, this.slotAt(mid), key) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** In chunk i: the record with `key` (>= 0), or -(insertion index + 1). */
  private recordIndex(i: number, key: Words): number {
    const u8 = this.u8;
    const base = this.chunkBlock(i) * UNIT;
    let lo = 0;
    let hi = this.chunkCount(i) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = compareAt(u8, base + mid * RECORD_BYTES, key);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -(lo + 1);
  }

  private read(chunk: number, k: number): PelRecord {
    const at = this.recordAt(chunk, k);
    const { u32, f64 } = this.arena;
    return {
      id: readIdAt(this.u8, at),
      consumer: u32[(at + R_CONSUMER) >> 2],
      deliveryTime: f64[(at + R_TIME) >> 3],
      deliveryCount: f64[(at + R_COUNT) >> 3],
    };
  }

  private write(at: number, key: Words, consumer: number, time: number, count: number): void {
    writeWordsAt(this.u8, at, key);
    const { u32, f64 } = this.arena;
    u32[(at + R_CONSUMER) >> 2] = consumer;
    f64[(at + R_TIME) >> 3] = time;
    f64[(at + R_COUNT) >> 3] = count;
  }

  /** The record with `id`, or null. */
  get(id: StreamId): PelRecord | null {
    if (this.chunks === 0) return null;
    const key = words(id);
    const i = this.chunkFor(key);
    const k = this.recordIndex(i, key);
    return k < 0 ? null : this.read(i, k);
  }

  /** The first record with an ID >= `id`, or null. */
  ceiling(id: StreamId): PelRecord | null {
    if (this.chunks === 0) return null;
    const key = words(id);
    let i = this.chunkFor(key);
    let k = this.recordIndex(i, key);
    if (k < 0) k = -k - 1;
    if (k === this.chunkCount(i)) {
      i++;
      k = 0;
    }
    return i < this.chunks ? this.read(i, k) : null;
  }

  first(): PelRecord | null {
    return this.chunks === 0 ? null : this.read(0, 0);
  }

  last(): PelRecord | null {
    const n = this.chunks;
    return n === 0 ? null : this.read(n - 1, this.chunkCount(n - 1) - 1);
  }

  /** Every record in ID order (a whole scan: RDB, XINFO, a consumer's own list). */
  all(): Generator<PelRecord> {
    return this.from(0n);
  }

  /**
   * The records from the first with an ID >= `id`, in order, read one after the other (one search, then no more):
   * for a walk that does not change the list meanwhile (XPENDING); a walk that does uses ceiling() per step.
   */
  *from(id: StreamId): Generator<PelRecord> {
    if (this.chunks === 0) return;
    const key = words(id);
    let i = this.chunkFor(key);
    let k = this.recordIndex(i, key);
    if (k < 0) k = -k - 1;
    for (; i < this.chunks; i++, k = 0) {
      for (; k < this.chunkCount(i); k++) yield this.read(i, k);
    }
  }

  /** Sets the record with `id` (added if missing); returns the record it replaced, or null. */
  set(id: StreamId, consumer: number, time: number, count: number): PelRecord | null {
    const key = words(id);
    if (this.chunks === 0) {
      this.pushChunk(key);
      this.write(this.recordAt(0, 0), key, consumer, time, count);
      this.setChunkCount(0, 1);
      this.setHeader(I_SIZE, 1);
      return null;
    }
    let i = this.chunkFor(key);
    let k = this.recordIndex(i, key);
    if (k >= 0) {
      const old = this.read(i, k);
      this.write(this.recordAt(i, k), key, consumer, time, count);
      return old;
    }
    k = -k - 1;
    let n = this.chunkCount(i);
    if (n === CHUNK_RECORDS) {
      if (i === this.chunks - 1 && k === n) {
        // Appending past the last record (XREADGROUP's new entries): a new chunk, the full one stays full.
        this.insertSlot(i + 1, key);
        i++;
        k = 0;
        n = 0;
      } else {
        this.split(i);
        const half = this.chunkCount(i);
        if (k > half) {
          i++;
          k -= half;
        }
        n = this.chunkCount(i);
      }
    }
    const at = this.recordAt(i, k);
    this.u8.copyWithin(at + RECORD_BYTES, at, this.recordAt(i, n));
    this.write(at, key, consumer, time, count);
    this.setChunkCount(i, n + 1);
    if (k === 0) writeWordsAt(this.u8, this.slotAt(i), key);
    this.setHeader(I_SIZE, this.header(I_SIZE) + 1);
    return null;
  }

  /** Removes the record with `id`; returns it, or null if it was not there. */
  delete(id: StreamId): PelRecord | null {
    if (this.chunks === 0) return null;
    const key = words(id);
    const i = this.chunkFor(key);
    const k = this.recordIndex(i, key);
    if (k < 0) return null;
    const old = this.read(i, k);
    const n = this.chunkCount(i);
    this.setHeader(I_SIZE, this.header(I_SIZE) - 1);
    if (n === 1) {
      this.removeSlot(i);
      return old;
    }
    const at = this.recordAt(i, k);
    this.u8.copyWithin(at, at + RECORD_BYTES, this.recordAt(i, n));
    this.setChunkCount(i, n - 1);
    if (k === 0) this.u8.copyWithin(this.slotAt(i), at, at + 16);
    return old;
  }

  // ---- The index ----

  /** The first chunk of an empty list: an index of MIN_SLOTS slots. */
  private pushChunk(key: Words): void {
    this.root = this.arena.alloc(this.segment, indexUnits(MIN_SLOTS));
    this.setHeader(I_CHUNKS, 0);
    this.setHeader(I_CAPACITY, MIN_SLOTS);
    this.setHeader(I_SIZE, 0);
    this.insertSlot(0, key);
  }

  /** A new empty chunk at slot i whose first ID will be `key`; the index grows when full. */
  private insertSlot(i: number, key: Words): void {
    const chunks = this.chunks;
    const capacity = this.header(I_CAPACITY);
    if (chunks === capacity) {
      const slots = capacity * 2;
      const fresh = this.arena.alloc(this.segment, indexUnits(slots));
      const u8 = this.u8;
      u8.copyWithin(fresh * UNIT, this.root * UNIT, this.root * UNIT + I_HEADER + chunks * SLOT_BYTES);
      this.arena.free(this.segment, this.root, indexUnits(capacity));
      this.root = fresh;
      this.setHeader(I_CAPACITY, slots);
    }
    const block = this.arena.alloc(this.segment, CHUNK_UNITS);
    const at = this.slotAt(i);
    this.u8.copyWithin(at + SLOT_BYTES, at, this.slotAt(chunks));
    writeWordsAt(this.u8, at, key);
    this.setHeader(I_HEADER + i * SLOT_BYTES + S_BLOCK, block);
    this.setChunkCount(i, 0);
    this.setHeader(I_CHUNKS, chunks + 1);
  }

  /** Frees chunk i and takes its slot out; the index goes with the last chunk. */
  private removeSlot(i: number): void {
    this.arena.free(this.segment, this.chunkBlock(i), CHUNK_UNITS);
    const chunks = this.chunks;
    if (chunks === 1) {
      this.arena.free(this.segment, this.root, indexUnits(this.header(I_CAPACITY)));
      this.root = 0;
      return;
    }
    const at = this.slotAt(i);
    this.u8.copyWithin(at, at + SLOT_BYTES, this.slotAt(chunks));
    this.setHeader(I_CHUNKS, chunks - 1);
  }

  /** Moves the upper half of full chunk i into a new chunk after it. */
  private split(i: number): void {
    const half = CHUNK_RECORDS >> 1;
    const from = this.recordAt(i, half);
    const u8 = this.u8;
    const key: Words = [u32be(u8, from), u32be(u8, from + 4), u32be(u8, from + 8), u32be(u8, from + 12)];
    this.insertSlot(i + 1, key);
    const source = this.recordAt(i, half);
    this.u8.copyWithin(this.recordAt(i + 1, 0), source, this.recordAt(i, CHUNK_RECORDS));
    this.setChunkCount(i + 1, CHUNK_RECORDS - half);
    this.setChunkCount(i, half);
  }

  // ---- Life cycle ----

  /** Frees every block (the list becomes empty). */
  release(): void {
    for (let i = 0; i < this.chunks; i++) this.arena.free(this.segment, this.chunkBlock(i), CHUNK_UNITS);
    if (this.root !== 0) this.arena.free(this.segment, this.root, indexUnits(this.header(I_CAPACITY)));
    this.root = 0;
  }

  /** A copy of this list's blocks (COPY of the stream); returns the copy's root. */
  cloneBlocks(): number {
    if (this.root === 0) return 0;
    const capacity = this.header(I_CAPACITY);
    const copy = new Pel(this.arena, this.segment, this.arena.alloc(this.segment, indexUnits(capacity)));
    const chunks = this.chunks;
    this.u8.copyWithin(copy.root * UNIT, this.root * UNIT, this.root * UNIT + I_HEADER + chunks * SLOT_BYTES);
    for (let i = 0; i < chunks; i++) {
      const block = this.arena.alloc(this.segment, CHUNK_UNITS);
      const source = this.chunkBlock(i) * UNIT;
      this.u8.copyWithin(block * UNIT, source, source + this.chunkCount(i) * RECORD_BYTES);
      copy.setHeader(I_HEADER + i * SLOT_BYTES + S_BLOCK, block);
    }
    return copy.root;
  }

  /** MEMORY USAGE: the index and the chunks, as allocated. */
  footprint(): number {
    if (this.root === 0) return 0;
    return (sizeClass(indexUnits(this.header(I_CAPACITY))) + this.chunks * sizeClass(CHUNK_UNITS)) * UNIT;
  }
}
