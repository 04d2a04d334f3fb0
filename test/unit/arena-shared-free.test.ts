// arena.ts's shared free lists: a segment keeps at most SEGMENT_FREE_BYTES of the blocks it frees, and the rest
// go where any segment's next allocation finds them, instead of the arena growing while they wait. And the
// byte counts behind INFO's allocator fields: every byte the bump pointer handed out is live or on a list.
import { describe, expect, it } from 'vitest';
import type { TableAccess } from '../../src/core/store/access.js';
import { SEGMENT_FREE_BYTES, sizeClass, type Arena } from '../../src/core/store/arena.js';
import { UNIT } from '../../src/core/store/layout.js';
import { SharedStore } from '../../src/core/store/store.js';

const SEGMENTS = 4;
const SHARED = SEGMENTS; // the shared lists' number

function emptyArena(): Arena {
  const store = SharedStore.create({ clock: () => 0, segments: SEGMENTS, initialBytes: 64 * 1024 });
  return (store as unknown as { access: TableAccess }).access.arena;
}

function allocMany(arena: Arena, segment: number, units: number, count: number): number[] {
  return Array.from({ length: count }, () => arena.alloc(segment, units));
}

/** Every byte handed out is live or free; unit 0 (the null offset) is neither. */
function accounted(arena: Arena): number {
  let bytes = UNIT + arena.freeBytes(SHARED);
  for (let s = 0; s < SEGMENTS; s++) bytes += arena.usedBytes(s) + arena.freeBytes(s);
  return bytes;
}

describe.each([
  ['large', 136], // a 1 KB value's entry (its size class): best fit in a power-of-two bin
  ['small', 24], // exact-size lists
])('arena shared free lists (%s blocks)', (_, units) => {
  const count = 400;
  const bytes = units * UNIT;

  it('lets another segment reuse what one segment freed beyond its own share', () => {
    const arena = emptyArena();
    const blocks = allocMany(arena, 0, units, count);
    for (const block of blocks) arena.free(0, block, units);
    const touched = arena.touchedBytes();
    expect(arena.freeBytes(0)).toBeLessThanOrEqual(SEGMENT_FREE_BYTES);
    expect(arena.freeBytes(0) + arena.freeBytes(SHARED)).toBe(count * bytes);

    const reused = allocMany(arena, 1, units, count);
    // Only segment 0's own share had to be replaced by fresh memory (with only per-segment lists: all of it).
    expect(arena.touchedBytes() - touched).toBeLessThanOrEqual(SEGMENT_FREE_BYTES + bytes);
    expect(arena.freeBytes(SHARED)).toBeLessThan(bytes);
    expect(new Set(reused).size).toBe(count);
    const before = new Set(blocks);
    expect(reused.filter((block) => before.has(block)).length).toBeGreaterThan(count / 2);
    expect(accounted(arena)).toBe(arena.touchedBytes());
  });

  it('serves a segment from its own lists first, without touching the shared ones', () => {
    const arena = emptyArena();
    const first = arena.alloc(2, units);
    arena.free(2, first, units);
    expect(arena.freeBytes(2)).toBe(bytes);
    expect(arena.alloc(2, units)).toBe(first);
    expect(arena.freeBytes(2)).toBe(0);
    expect(arena.freeBytes(SHARED)).toBe(0);
  });

  it('reports each list of the shared set with its blocks and bytes, and FLUSHALL forgets them', () => {
    const arena = emptyArena();
    for (const block of allocMany(arena, 3, units, count)) arena.free(3, block, units);
    const lists: [number, number, number][] = [];
    arena.forEachFreeList(SHARED, (size, blocks, total) => lists.push([size, blocks, total]));
    const shared = lists.reduce((sum, [, , total]) => sum + total, 0);
    expect(shared).toBe(arena.freeBytes(SHARED));
    expect(lists.reduce((sum, [, blocks]) => sum + blocks, 0)).toBe(shared / bytes);
    arena.reset();
    expect(arena.freeBytes(SHARED) + arena.freeBytes(3)).toBe(0);
    expect(accounted(arena)).toBe(arena.touchedBytes());
  });
});

describe('arena shared free lists: splitting', () => {
  it('keeps the tail of a shared block it split on the shared lists, counted', () => {
    const arena = emptyArena();
    const filler = arena.alloc(0, 3200);
    const big = arena.alloc(0, 1024);
    arena.free(0, filler, 3200); // fills segment 0's own share, so the next free goes to the shared lists
    arena.free(0, big, 1024);
    expect(arena.freeBytes(SHARED)).toBe(1024 * UNIT);
    const touched = arena.touchedBytes();
    expect(arena.alloc(1, 304)).toBe(big);
    expect(arena.touchedBytes()).toBe(touched);
    expect(arena.freeBytes(SHARED)).toBe(720 * UNIT);
    expect(accounted(arena)).toBe(arena.touchedBytes());
  });
});

describe('arena size classes', () => {
  it('rounds large requests up by at most 1/16, small ones not at all', () => {
    for (let units = 1; units <= 128; units++) expect(sizeClass(units)).toBe(units);
    for (let units = 129; units < 100_000; units += 7) {
      const size = sizeClass(units);
      expect(size).toBeGreaterThanOrEqual(units);
      expect(size - units).toBeLessThan(Math.max(1, units / 16));
      expect(sizeClass(size)).toBe(size);
    }
    expect(sizeClass(1024)).toBe(1024); // a power of two (an index array) is its own class
  });

  it('gives a block freed by one key to the next key a few bytes longer (1 KB values, keys of 8 and 9 bytes)', () => {
    const arena = emptyArena();
    const shorter = (32 + 8 + 1000) / UNIT; // 130 units
    const longer = Math.ceil((32 + 9 + 1000) / UNIT); // 131 units
    const blocks = allocMany(arena, 0, shorter, 50);
    for (const block of blocks) arena.free(0, block, shorter);
    const touched = arena.touchedBytes();
    const reused = allocMany(arena, 0, longer, 50);
    expect(arena.touchedBytes()).toBe(touched);
    expect(new Set(reused)).toEqual(new Set(blocks));
    expect(accounted(arena)).toBe(arena.touchedBytes());
  });
});
