// arena.ts's sole-thread reuse: in a store only one thread uses (the event loop's, no locks), an allocation takes
// back the block a recent free left, whichever segment freed it, newest first, as a thread cache would; with locks
// each segment keeps to its own lists (another segment's lists are another lock's). Byte counts stay exact.
import { describe, expect, it } from 'vitest';
import type { TableAccess } from '../../src/core/store/access.js';
import type { Arena } from '../../src/core/store/arena.js';
import { UNIT } from '../../src/core/store/layout.js';
import { SharedStore } from '../../src/core/store/store.js';

const SEGMENTS = 4;
const SHARED = SEGMENTS;

function arenaOf(locking: boolean): Arena {
  const store = SharedStore.create({ clock: () => 0, segments: SEGMENTS, initialBytes: 256 * 1024, locking });
  return (store as unknown as { access: TableAccess }).access.arena;
}

/** Every byte handed out is live or free; unit 0 (the null offset) is neither. */
function accounted(arena: Arena): number {
  let bytes = UNIT + arena.freeBytes(SHARED);
  for (let s = 0; s < SEGMENTS; s++) bytes += arena.usedBytes(s) + arena.freeBytes(s);
  return bytes;
}

describe.each([
  ['large', 136], // a 1 KB value's entry (its size class)
  ['small', 24],
])('arena recent frees (%s blocks)', (_, units) => {
  it('gives a sole thread the blocks it freed last, newest first, whatever segment asks', () => {
    const arena = arenaOf(false);
    const blocks = [0, 1, 2, 3].map((segment) => arena.alloc(segment, units));
    const usedBefore = arena.usedBytes(3);
    // An older free of segment 3's own, then frees in segments 0, 1 and 2 (a batch of evictions).
    const older = arena.alloc(3, units);
    arena.free(3, older, units);
    for (let s = 0; s < 3; s++) arena.free(s, blocks[s], units);
    // Segment 3 allocates: the block freed last (segment 2's), then segment 1's, then 0's, then its own.
    expect([0, 1, 2, 3].map(() => arena.alloc(3, units))).toEqual([blocks[2], blocks[1], blocks[0], older]);
    expect(accounted(arena)).toBe(arena.touchedBytes());
    expect(arena.usedBytes(3) - usedBefore).toBe(4 * units * UNIT);
    expect(arena.freeBytes(0) + arena.freeBytes(1) + arena.freeBytes(2)).toBe(0);
  });

  it('tries one recent free per allocation, its list head only, and forgets it if that is another size', () => {
    const arena = arenaOf(false);
    const same = arena.alloc(1, units);
    const other = arena.alloc(0, units * 3);
    const own = arena.alloc(2, units);
    arena.free(2, own, units);
    arena.free(1, same, units);
    arena.free(0, other, units * 3);
    // The newest free is another size: no walk for a fit, the asking segment's own list serves.
    expect(arena.alloc(2, units)).toBe(own);
    // The next allocation takes the free before it.
    expect(arena.alloc(0, units)).toBe(same);
    expect(arena.alloc(0, units * 3)).toBe(other); // still on segment 0's own list
    expect(accounted(arena)).toBe(arena.touchedBytes());
  });

  it('keeps each segment to its own lists when the store has locks', () => {
    const arena = arenaOf(true);
    const freed = arena.alloc(0, units);
    arena.free(0, freed, units);
    const fresh = arena.alloc(1, units);
    expect(fresh).not.toBe(freed);
    expect(arena.alloc(0, units)).toBe(freed);
    expect(accounted(arena)).toBe(arena.touchedBytes());
  });
});
