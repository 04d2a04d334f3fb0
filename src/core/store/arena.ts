// The data arena: one growable SharedArrayBuffer holding every entry and bucket array, with a bump pointer
// shared by all threads, per-segment free lists (exact sizes for small blocks, first-fit for large ones) and one
// set of shared free lists of the same shape.
// Precondition for alloc/free: the caller holds `segment`'s write lock (that lock guards its free lists and
// byte counters); the shared lists have a lock of their own, taken inside a segment's (never the other way),
// so allocation never waits on a global lock while its segment's lists serve it.
// Why shared lists: keys are spread over segments by hash, so a segment frees (eviction, DEL) about as much as
// it allocates but not exactly; with only its own lists, the blocks one segment freed sat unused while another
// grew the arena (at maxmemory 64mb, 10x that in 1 KB SETs: 7 MB of the arena on lists no allocation could
// reach). A segment keeps up to SEGMENT_FREE_BYTES for itself, lock-free, and gives the rest to every segment.
// Knows block sizes, not what is stored in them.

import { CommandError, ERR } from '../errors.js';
import {
  F_NEXT,
  F_UNITS,
  H_ARENA_UNITS,
  H_FIRST_UNIT,
  H_GROW_LOCK,
  H_SHARED_FREE_BYTES_F64,
  H_SHARED_FREE_LOCK,
  H_TOP,
  MIN_SPLIT_UNITS,
  S_FREE_BYTES,
  S_USED_BYTES,
  SMALL_MAX_UNITS,
  UNIT,
  segmentBase,
  smallFreeHead,
  freeHeads,
  largeFreeHead,
  LARGE_BINS,
} from './layout.js';
import { writeLock, writeUnlock } from './rwlock.js';

/** Growth step: at least half the current size, in whole 64 KiB pages, so growing is rare. */
const GROW_ALIGN = 64 * 1024;
/** Frees a sole thread remembers the lists of (Arena.soleThread): a batch of evictions' worth. A power of two. */
const RECENT_FREES = 16;
/** A large bin is walked at most this far per allocation, keeping allocation bounded. */
const LARGE_WALK = 32;
/**
 * Free bytes a segment keeps on its own lists before its frees go to the shared ones: enough that a segment
 * freeing and allocating alike rarely takes the shared lock, little enough that 64 segments strand at most 2 MiB.
 */
export const SEGMENT_FREE_BYTES = 32 * 1024;

/**
 * The units a request of `requested` gets: small ones exactly (they have a list per size), large ones rounded up
 * to one of 16 sizes per power of two, at most 1/16 more, as jemalloc rounds to its size classes. Without it, a
 * freed block fits only a request of its exact size or one smaller by a whole entry header: at maxmemory 64mb,
 * 10x that in 1 KB SETs under keys of 8 to 10 characters (entries of 130 and 131 units), the 10 MB of 130-unit
 * blocks the first keys left behind stayed on the lists, too small for any later key. A pure function of the
 * request, so alloc and free agree without the block recording its size.
 */
export function sizeClass(requested: number): number {
  if (requested <= SMALL_MAX_UNITS) return requested;
  // 2^(bin - 4), at most 2^27: a shift, where 2 ** n called V8's pow() on every allocation and free of a large
  // block (2% of the hybrid's CPU at the cap, perf record under bench/eviction.ts's throughput load).
  const step = 1 << (27 - Math.clz32(requested));
  return Math.ceil(requested / step) * step;
}

export class Arena {
  // Fixed-length views, re-created when another thread grows the buffer. Measured on Node 20: length-tracking
  // views of a growable SharedArrayBuffer read ~18x slower than fixed-length ones (bench/results), so each
  // thread keeps fixed views and compares the published length (one Atomics.load) after taking a lock.
  u8!: Uint8Array;
  u32!: Uint32Array;
  f64!: Float64Array;
  private units = 0;
  private readonly used: Float64Array;
  /**
   * Only this thread uses the store (the event loop's, which takes no locks): set by the store. The lists that
   * received the last frees are then remembered, newest last, and an allocation of the size a recent free left
   * takes that block back first, whatever segment asked: at a memory cap each SET's block is the one its
   * eviction has just freed, whose header line eviction has just read and written, where the asking segment's
   * own list would hand out a block freed long ago (a cache miss on its header: 3% of the event loop's CPU per
   * SET at the cap, all of takeLarge's time). Redis's jemalloc does the same with its thread cache (LIFO).
   */
  soleThread = false;
  private readonly recentLists = new Int32Array(RECENT_FREES);
  private recentCount = 0;
  private recentNext = 0;

  constructor(
    readonly buffer: SharedArrayBuffer,
    private readonly control: Int32Array,
    private readonly segments: number,
  ) {
    this.used = new Float64Array(control.buffer);
    this.refresh();
  }

  /**
   * Re-creates the views if the arena grew. Call after taking a lock, before touching arena memory. A plain read,
   * not Atomics.load (a call into the runtime on Node 20, twice per SET at the cap): the lock orders it after the
   * growth of any block this thread can reach, because whoever linked that block in saw the growth first.
   */
  refresh(): void {
    const units = this.control[H_ARENA_UNITS];
    if (units === this.units) return;
    this.units = units;
    this.u8 = new Uint8Array(this.buffer, 0, units * UNIT);
    this.u32 = new Uint32Array(this.buffer, 0, units * 2);
    this.f64 = new Float64Array(this.buffer, 0, units);
  }

  get byteLength(): number {
    return this.buffer.byteLength;
  }

  /**
   * A block of at least `requested` units (its size class) for `segment`, contents undefined; free() takes the
   * same `requested`. Throws the OOM error if the arena is at its max. */
  alloc(segment: number, requested: number): number {
    const units = sizeClass(requested);
    let block = this.recentCount > 0 ? this.takeRecent(units) : 0;
    if (block === 0) block = this.take(segment, units);
    if (block === 0) block = this.takeShared(units);
    if (block === 0) block = this.bump(units);
    this.used[(segmentBase(segment) + S_USED_BYTES) / 2] += units * UNIT;
    return block;
  }

  /**
   * Returns a block to the free lists: the segment's own while they hold less than SEGMENT_FREE_BYTES, else the
   * shared ones, where another segment may take it at once (so the caller must not read the block after this).
   * With pieceUnits (a small size), the block is cut into pieces of that size first: a retired index array
   * becomes room for the entries that outgrew it, instead of a large block that only a larger index (never) or
   * a large value (rarely) could reuse.
   */
  free(segment: number, block: number, requested: number, pieceUnits = 0): void {
    const units = sizeClass(requested);
    this.used[(segmentBase(segment) + S_USED_BYTES) / 2] -= units * UNIT;
    const own = this.freeBytes(segment) + units * UNIT <= SEGMENT_FREE_BYTES;
    if (own) this.pushPieces(segment, block, units, pieceUnits);
    else {
      writeLock(this.control, H_SHARED_FREE_LOCK, this.control);
      try {
        this.pushPieces(this.segments, block, units, pieceUnits);
      } finally {
        writeUnlock(this.control, H_SHARED_FREE_LOCK);
      }
    }
    if (this.soleThread && pieceUnits === 0) this.noteFreed(own ? segment : this.segments);
  }

  /** A sole thread's free went to `lists`: remembered, the oldest forgotten past RECENT_FREES. */
  private noteFreed(lists: number): void {
    this.recentLists[this.recentNext] = lists;
    this.recentNext = (this.recentNext + 1) & (RECENT_FREES - 1);
    if (this.recentCount < RECENT_FREES) this.recentCount++;
  }

  /**
   * The newest recent free's list, if its head is a block of exactly `units` (the head only: walking a list for
   * a fit would read blocks freed long ago, the misses this is for avoiding); 0 otherwise. That list is then
   * forgotten either way. Sole thread only, so the shared lists need no lock here.
   */
  private takeRecent(units: number): number {
    this.recentNext = (this.recentNext - 1) & (RECENT_FREES - 1);
    this.recentCount--;
    const lists = this.recentLists[this.recentNext];
    const head = this.listHead(lists, units);
    const block = this.control[head];
    if (block === 0 || this.u32[block * 2 + F_UNITS] !== units) return 0;
    this.control[head] = this.u32[block * 2 + F_NEXT];
    this.used[this.freeSlot(lists)] -= units * UNIT;
    return block;
  }

  /** Live bytes of a segment (entries and its index). */
  usedBytes(segment: number): number {
    return this.used[(segmentBase(segment) + S_USED_BYTES) / 2];
  }

  /** Bytes on a segment's own free lists; `segments` (the segment count) names the shared lists. */
  freeBytes(lists: number): number {
    return this.used[this.freeSlot(lists)];
  }

  /** Bytes of the arena ever handed out (the bump pointer): every one of them written, so resident. */
  touchedBytes(): number {
    return Atomics.load(this.control, H_TOP) * UNIT;
  }

  /**
   * Calls fn with the units and count of the blocks on each free list of `lists` (a segment, or the segment count
   * for the shared lists). Precondition: that segment's lock (read is enough), or for the shared lists none:
   * they are walked under their own lock.
   */
  forEachFreeList(lists: number, fn: (units: number, blocks: number, bytes: number) => void): void {
    const walk = (): void => {
      for (let units = 1; units <= SMALL_MAX_UNITS; units++) {
        let blocks = 0;
        for (
          let b = this.control[smallFreeHead(this.segments, lists, units)];
          b !== 0;
          b = this.u32[b * 2 + F_NEXT]
        ) {
          blocks++;
        }
        if (blocks > 0) fn(units, blocks, blocks * units * UNIT);
      }
      for (let bin = 0; bin < LARGE_BINS; bin++) {
        let blocks = 0;
        let bytes = 0;
        for (
          let b = this.control[largeFreeHead(this.segments, lists, bin)];
          b !== 0;
          b = this.u32[b * 2 + F_NEXT]
        ) {
          blocks++;
          bytes += this.u32[b * 2 + F_UNITS] * UNIT;
        }
        if (blocks > 0) fn(2 ** bin, blocks, bytes);
      }
    };
    this.refresh();
    if (lists !== this.segments) return walk();
    writeLock(this.control, H_SHARED_FREE_LOCK, this.control);
    try {
      walk();
    } finally {
      writeUnlock(this.control, H_SHARED_FREE_LOCK);
    }
  }

  /** Forgets every block. Precondition: the caller holds every segment's write lock (FLUSHALL). */
  reset(): void {
    Atomics.store(this.control, H_TOP, this.control[H_FIRST_UNIT]);
    for (let s = 0; s <= this.segments; s++) {
      if (s < this.segments) this.used[(segmentBase(s) + S_USED_BYTES) / 2] = 0;
      this.used[this.freeSlot(s)] = 0;
      const [start, end] = freeHeads(this.segments, s);
      this.control.fill(0, start, end);
    }
  }

  /** The Float64 slot counting the free bytes of `lists` (a segment, or the segment count: the shared lists). */
  private freeSlot(lists: number): number {
    return lists === this.segments ? H_SHARED_FREE_BYTES_F64 : (segmentBase(lists) + S_FREE_BYTES) / 2;
  }

  private pushPieces(lists: number, block: number, units: number, pieceUnits: number): void {
    if (pieceUnits >= MIN_SPLIT_UNITS && pieceUnits <= SMALL_MAX_UNITS && units > SMALL_MAX_UNITS) {
      const pieces = Math.floor(units / pieceUnits);
      for (let i = 0; i < pieces; i++) this.pushFree(lists, block + i * pieceUnits, pieceUnits);
      const rest = units - pieces * pieceUnits;
      if (rest > 0) this.pushFree(lists, block + pieces * pieceUnits, rest);
      return;
    }
    this.pushFree(lists, block, units);
  }

  /** Int index of the head of the list of `lists` where blocks of `units` go: its exact size, or its bin. */
  private listHead(lists: number, units: number): number {
    return units <= SMALL_MAX_UNITS
      ? smallFreeHead(this.segments, lists, units)
      : largeFreeHead(this.segments, lists, 31 - Math.clz32(units));
  }

  private pushFree(lists: number, block: number, units: number): void {
    const head = this.listHead(lists, units);
    this.u32[block * 2 + F_NEXT] = this.control[head];
    this.u32[block * 2 + F_UNITS] = units;
    this.control[head] = block;
    this.used[this.freeSlot(lists)] += units * UNIT;
  }

  /**
   * A block from the shared lists, or 0. Their byte count is read first without the lock: when it is below the
   * request (the common case while segments free as much as they allocate), the lock is not taken at all. A
   * block there may lie past this thread's views (another thread grew the arena, then freed it): refresh first.
   */
  private takeShared(units: number): number {
    if (this.used[H_SHARED_FREE_BYTES_F64] < units * UNIT) return 0;
    writeLock(this.control, H_SHARED_FREE_LOCK, this.control);
    try {
      this.refresh();
      return this.take(this.segments, units);
    } finally {
      writeUnlock(this.control, H_SHARED_FREE_LOCK);
    }
  }

  /** A block of exactly `units` from the lists of `lists`, or 0. */
  private take(lists: number, units: number): number {
    if (units > SMALL_MAX_UNITS) return this.takeLarge(lists, units);
    // Exact size or fresh memory: splitting large blocks for small requests fragments them (measured in
    // the churn test: the arena grew 5x), and freed small blocks of this size are reused by the next one.
    const head = smallFreeHead(this.segments, lists, units);
    const block = this.control[head];
    if (block === 0) return 0;
    this.control[head] = this.u32[block * 2 + F_NEXT];
    this.used[this.freeSlot(lists)] -= units * UNIT;
    return block;
  }

  /**
   * Best fit (exact preferred) among the first LARGE_WALK blocks of units' own bin, else the head of the
   * first non-empty higher bin (every block there is big enough). The tail of a split block is kept when it
   * can still hold an entry.
   */
  private takeLarge(lists: number, units: number): number {
    const bin = 31 - Math.clz32(units);
    let head = largeFreeHead(this.segments, lists, bin);
    let best = 0;
    let bestPrevious = 0;
    let bestSize = Infinity;
    let previous = 0;
    let block = this.control[head];
    for (let walked = 0; block !== 0 && walked < LARGE_WALK; walked++) {
      const size = this.u32[block * 2 + F_UNITS];
      if (size === units || (size >= units + MIN_SPLIT_UNITS && size < bestSize)) {
        best = block;
        bestPrevious = previous;
        bestSize = size;
        if (size === units) break;
      }
      previous = block;
      block = this.u32[block * 2 + F_NEXT];
    }
    if (best === 0) {
      for (let b = bin + 1; b < LARGE_BINS && best === 0; b++) {
        head = largeFreeHead(this.segments, lists, b);
        best = this.control[head];
      }
      if (best === 0) return 0;
      bestPrevious = 0;
      bestSize = this.u32[best * 2 + F_UNITS];
    }
    const next = this.u32[best * 2 + F_NEXT];
    if (bestPrevious === 0) this.control[head] = next;
    else this.u32[bestPrevious * 2 + F_NEXT] = next;
    this.used[this.freeSlot(lists)] -= bestSize * UNIT;
    if (bestSize > units) this.pushFree(lists, best + units, bestSize - units);
    return best;
  }

  private bump(units: number): number {
    for (;;) {
      const top = Atomics.load(this.control, H_TOP);
      const end = top + units;
      if (end > Atomics.load(this.control, H_ARENA_UNITS)) {
        this.grow(end);
        continue;
      }
      if (Atomics.compareExchange(this.control, H_TOP, top, end) === top) {
        if (end > this.units) this.refresh();
        return top;
      }
    }
  }

  /** Grows the buffer to hold `endUnits`, under the grow lock; the other threads see the new length. */
  private grow(endUnits: number): void {
    const needed = endUnits * UNIT;
    if (needed > this.buffer.maxByteLength) throw new CommandError(ERR.oom);
    writeLock(this.control, H_GROW_LOCK, this.control);
    try {
      const current = this.buffer.byteLength;
      if (needed > current) {
        const wanted = Math.max(needed, current + current / 2);
        const size = Math.min(this.buffer.maxByteLength, Math.ceil(wanted / GROW_ALIGN) * GROW_ALIGN);
        try {
          this.buffer.grow(size);
        } catch (error) {
          // The OS refused the memory: the client gets Redis's OOM reply, and the store stays as it was.
          if (error instanceof RangeError) throw new CommandError(ERR.oom);
          throw error;
        }
      }
      Atomics.store(this.control, H_ARENA_UNITS, Math.floor(this.buffer.byteLength / UNIT));
    } finally {
      writeUnlock(this.control, H_GROW_LOCK);
    }
    this.refresh();
  }
}
