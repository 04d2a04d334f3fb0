// The data arena: one growable SharedArrayBuffer holding every entry and bucket array, with a bump pointer
// shared by all threads and per-segment free lists (exact sizes for small blocks, first-fit for large ones).
// Precondition for alloc/free: the caller holds `segment`'s write lock (that lock guards its free lists and
// byte counter); only the bump pointer and the grow are shared, so allocation never takes a global lock.
// Knows block sizes, not what is stored in them.

import { CommandError, ERR } from '../errors.js';
import {
  F_NEXT,
  F_UNITS,
  H_ARENA_UNITS,
  H_FIRST_UNIT,
  H_GROW_LOCK,
  H_TOP,
  MIN_SPLIT_UNITS,
  S_LARGE_FREE,
  S_USED_BYTES,
  SMALL_MAX_UNITS,
  UNIT,
  segmentBase,
  smallFreeHead,
} from './layout.js';
import { writeLock, writeUnlock } from './rwlock.js';

/** Growth step: at least half the current size, in whole 64 KiB pages, so growing is rare. */
const GROW_ALIGN = 64 * 1024;
/** A large free list is walked at most this far per allocation, keeping allocation bounded. */
const LARGE_WALK = 16;

export class Arena {
  // Fixed-length views, re-created when another thread grows the buffer. Measured on Node 20: length-tracking
  // views of a growable SharedArrayBuffer read ~18x slower than fixed-length ones (bench/results), so each
  // thread keeps fixed views and compares the published length (one Atomics.load) after taking a lock.
  u8!: Uint8Array;
  u32!: Uint32Array;
  f64!: Float64Array;
  private units = 0;
  private readonly used: Float64Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    private readonly control: Int32Array,
    private readonly segments: number,
  ) {
    this.used = new Float64Array(control.buffer);
    this.refresh();
  }

  /** Re-creates the views if the arena grew. Call after taking a lock, before touching arena memory. */
  refresh(): void {
    const units = Atomics.load(this.control, H_ARENA_UNITS);
    if (units === this.units) return;
    this.units = units;
    this.u8 = new Uint8Array(this.buffer, 0, units * UNIT);
    this.u32 = new Uint32Array(this.buffer, 0, units * 2);
    this.f64 = new Float64Array(this.buffer, 0, units);
  }

  get byteLength(): number {
    return this.buffer.byteLength;
  }

  /** A block of `units` for `segment`, contents undefined. Throws the OOM error if the arena is at its max. */
  alloc(segment: number, units: number): number {
    let block = 0;
    if (units <= SMALL_MAX_UNITS) {
      const head = smallFreeHead(this.segments, segment, units);
      block = this.control[head];
      if (block !== 0) this.control[head] = this.u32[block * 2 + F_NEXT];
    }
    if (block === 0) block = this.takeLarge(segment, units);
    if (block === 0) block = this.bump(units);
    this.used[(segmentBase(segment) + S_USED_BYTES) / 2] += units * UNIT;
    return block;
  }

  free(segment: number, block: number, units: number): void {
    this.used[(segmentBase(segment) + S_USED_BYTES) / 2] -= units * UNIT;
    this.pushFree(segment, block, units);
  }

  /** Live bytes of a segment (entries and its index). */
  usedBytes(segment: number): number {
    return this.used[(segmentBase(segment) + S_USED_BYTES) / 2];
  }

  /** Forgets every block. Precondition: the caller holds every segment's write lock (FLUSHALL). */
  reset(): void {
    Atomics.store(this.control, H_TOP, this.control[H_FIRST_UNIT]);
    for (let s = 0; s < this.segments; s++) {
      this.used[(segmentBase(s) + S_USED_BYTES) / 2] = 0;
      this.control[segmentBase(s) + S_LARGE_FREE] = 0;
      const first = smallFreeHead(this.segments, s, 0);
      this.control.fill(0, first, first + SMALL_MAX_UNITS + 1);
    }
  }

  private pushFree(segment: number, block: number, units: number): void {
    if (units <= SMALL_MAX_UNITS) {
      const head = smallFreeHead(this.segments, segment, units);
      this.u32[block * 2 + F_NEXT] = this.control[head];
      this.control[head] = block;
    } else {
      const head = segmentBase(segment) + S_LARGE_FREE;
      this.u32[block * 2 + F_NEXT] = this.control[head];
      this.u32[block * 2 + F_UNITS] = units;
      this.control[head] = block;
    }
  }

  /** First fit from the large list; splits off the tail when it is big enough to be used again. */
  private takeLarge(segment: number, units: number): number {
    const head = segmentBase(segment) + S_LARGE_FREE;
    let previous = 0;
    let block = this.control[head];
    for (let walked = 0; block !== 0 && walked < LARGE_WALK; walked++) {
      const size = this.u32[block * 2 + F_UNITS];
      const next = this.u32[block * 2 + F_NEXT];
      if (size === units || size >= units + MIN_SPLIT_UNITS) {
        if (previous === 0) this.control[head] = next;
        else this.u32[previous * 2 + F_NEXT] = next;
        if (size > units) this.pushFree(segment, block + units, size - units);
        return block;
      }
      previous = block;
      block = next;
    }
    return 0;
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
    writeLock(this.control, H_GROW_LOCK);
    try {
      const current = this.buffer.byteLength;
      if (needed > current) {
        const wanted = Math.max(needed, current + current / 2);
        const size = Math.min(this.buffer.maxByteLength, Math.ceil(wanted / GROW_ALIGN) * GROW_ALIGN);
        this.buffer.grow(size);
      }
      Atomics.store(this.control, H_ARENA_UNITS, Math.floor(this.buffer.byteLength / UNIT));
    } finally {
      writeUnlock(this.control, H_GROW_LOCK);
    }
    this.refresh();
  }
}
