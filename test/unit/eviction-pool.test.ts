// eviction-pool.ts, evict.c's pool in flat arrays: at most 16 candidates, the best (highest score) taken first,
// the worst making room, a key held once, and keys copied whole into slot buffers that are reused, short or long.
import { describe, expect, it } from 'vitest';
import type { TableAccess } from '../../src/core/store/access.js';
import { EvictionPool, POOL_SIZE } from '../../src/core/store/eviction-pool.js';
import { b, setup } from '../support/store-fixture.js';

/** A store holding `keys` in database 0, and a way to their entries (one thread: no lock needed to read). */
function storeWith(keys: readonly string[]) {
  const { store } = setup({ segments: 4 });
  for (const key of keys) store.set(b(key), b('v'));
  const access = (store as unknown as { access: TableAccess }).access;
  const entryOf = (key: string): number => {
    const hash = access.hash(b(key));
    const entry = access.table.find(access.shardOf(0, hash), hash, b(key));
    expect(entry).not.toBe(0);
    return entry;
  };
  return { table: access.table, entryOf, access };
}

/** Pops every candidate: their keys, best first. */
function drain(pool: EvictionPool): string[] {
  const out: string[] = [];
  while (pool.size > 0) {
    const slot = pool.pop();
    out.push(pool.key(slot).subarray(0, pool.keyLength(slot)).toString('latin1'));
  }
  return out;
}

describe('eviction pool', () => {
  it('keeps the 16 best, takes the best first, and lets the worst go when full', () => {
    const keys = Array.from({ length: 24 }, (_, i) => `key:${i}`);
    const { table, entryOf } = storeWith(keys);
    const pool = new EvictionPool();
    // Scores 0..23 offered in a scrambled order (7 is prime to 24, so each once).
    for (let n = 0; n < keys.length; n++) {
      const i = (n * 7) % keys.length;
      pool.offer(table, entryOf(keys[i]), 0, i);
    }
    expect(pool.size).toBe(POOL_SIZE);
    expect(pool.wants(7)).toBe(false); // no better than the worst held (8)
    expect(pool.wants(8.5)).toBe(true);
    expect(drain(pool)).toEqual(Array.from({ length: POOL_SIZE }, (_, i) => `key:${23 - i}`));
  });

  it('holds a key once, and tells databases apart', () => {
    const { table, entryOf, access } = storeWith(['a', 'b']);
    const pool = new EvictionPool();
    pool.offer(table, entryOf('a'), 0, 5);
    pool.offer(table, entryOf('a'), 0, 9);
    pool.offer(table, entryOf('b'), 0, 1);
    pool.offer(table, entryOf('a'), 3, 2); // the same bytes, another database: another key
    expect(pool.size).toBe(3);
    const slot = pool.pop();
    expect([pool.db(slot), pool.hash(slot), pool.keyLength(slot)]).toEqual([0, access.hash(b('a')), 1]);
    expect(drain(pool)).toEqual(['a', 'b']);
  });

  it('copies keys of any length whole, into slot buffers reused by later keys', () => {
    const long = 'L'.repeat(100);
    const huge = 'H'.repeat(5000);
    const shorts = Array.from({ length: 40 }, (_, i) => `s${i}`);
    const { table, entryOf } = storeWith([long, huge, ...shorts]);
    const pool = new EvictionPool();
    pool.offer(table, entryOf(long), 0, 100);
    pool.offer(table, entryOf(huge), 0, 50);
    expect(drain(pool)).toEqual([long, huge]);
    // The slots that held the long keys now take short ones, then long ones again.
    for (let i = 0; i < shorts.length; i++) pool.offer(table, entryOf(shorts[i]), 0, i);
    pool.offer(table, entryOf(huge), 0, 1000);
    pool.offer(table, entryOf(long), 0, 999);
    const expected = [huge, long, ...Array.from({ length: POOL_SIZE - 2 }, (_, i) => `s${39 - i}`)];
    expect(drain(pool)).toEqual(expected);
  });
});
