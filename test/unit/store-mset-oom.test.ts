// MSET / MSETNX are all or nothing when the arena is full (Redis refuses a denyoom command whole, before it
// runs): after an OOM every key holds exactly what it held before, with its TTL, and no memory is kept. Also
// the two-phase store's own edges: a key given twice, and an index that cannot grow once the entries fit.
import { describe, expect, it } from 'vitest';
import { ERR } from '../../src/core/errors.js';
import type { TableAccess } from '../../src/core/store/access.js';
import { SharedStore } from '../../src/core/store/store.js';
import { b, commandError, setup, str } from '../support/store-fixture.js';

/** Every key's value and pttl, and the store's counters: what an OOM must leave untouched. */
function snapshot(store: SharedStore, keys: string[]) {
  const { keys: count, expires, usedMemory } = store.stats();
  return {
    values: keys.map((k) => [k, str(store.get(b(k))), store.pttl(b(k))]),
    count,
    expires,
    usedMemory,
  };
}

describe('MSET / MSETNX when memory runs out', () => {
  it('MSET refused for memory leaves every key as it was (overwrites, new keys, TTLs)', () => {
    const { store, clock } = setup({ initialBytes: 64 * 1024, maxBytes: 256 * 1024 });
    store.set(b('grows'), b('small'));
    store.set(b('same'), b('same-size'));
    store.set(b('ttl'), b('volatile'), { expireAt: clock.now + 60_000 });
    const keys = ['grows', 'same', 'ttl', 'new', 'big'];
    const before = snapshot(store, keys);
    const huge = Buffer.alloc(300 * 1024, 0x61);
    // The failing allocation comes last, after a larger overwrite, an in-place one, a TTL clear and a new key.
    const argv = ['grows', 'x'.repeat(2000), 'same', 'SAME-SIZE', 'ttl', 'v', 'new', 'fresh'].map(b);
    expect(commandError(() => store.mset([...argv, b('big'), huge], false))).toBe(ERR.oom);
    expect(snapshot(store, keys)).toEqual(before);
    // The failing key first, or in the middle: the same.
    expect(commandError(() => store.mset([b('big'), huge, ...argv], false))).toBe(ERR.oom);
    expect(
      commandError(() => store.mset([...argv.slice(0, 4), b('big'), huge, ...argv.slice(4)], false)),
    ).toBe(ERR.oom);
    expect(snapshot(store, keys)).toEqual(before);
    // The store still works, and the same MSET without the huge value succeeds.
    expect(store.mset(argv, false)).toBe(true);
    expect(store.mget(['grows', 'same', 'ttl', 'new'].map(b)).map(str)).toEqual([
      'x'.repeat(2000),
      'SAME-SIZE',
      'v',
      'fresh',
    ]);
    expect(store.pttl(b('ttl'))).toBe(-1);
  });

  it('MSETNX refused for memory creates none of its keys', () => {
    const { store } = setup({ initialBytes: 64 * 1024, maxBytes: 256 * 1024 });
    store.set(b('other'), b('kept'));
    const keys = ['a', 'b', 'c', 'big', 'other'];
    const before = snapshot(store, keys);
    const argv = [b('a'), b('1'), b('b'), b('x'.repeat(5000)), b('c'), b('3')];
    expect(commandError(() => store.mset([...argv, b('big'), Buffer.alloc(300 * 1024)], true))).toBe(ERR.oom);
    expect(snapshot(store, keys)).toEqual(before);
    expect(store.mset(argv, true)).toBe(true);
    expect(store.mget(['a', 'b', 'c'].map(b)).map(str)).toEqual(['1', 'x'.repeat(5000), '3']);
  });

  it('a key given twice ends with its last value, whether it grows, shrinks or is new', () => {
    const { store } = setup({ segments: 1, initialBytes: 64 * 1024, maxBytes: 256 * 1024 });
    store.set(b('k'), b('start'));
    expect(
      store.mset(['k', '1', 'k', 'x'.repeat(3000), 'n', 'a', 'k', '3', 'n', 'y'.repeat(500)].map(b), false),
    ).toBe(true);
    expect(store.mget([b('k'), b('n')]).map(str)).toEqual(['3', 'y'.repeat(500)]);
    expect(store.dbsize()).toBe(2);
    expect(store.mset(['m', '1', 'm', '2'].map(b), true)).toBe(true);
    expect(str(store.get(b('m')))).toBe('2');
    expect(store.mset(['q', '1', 'm', '3'].map(b), true)).toBe(false);
    expect(store.get(b('q'))).toBeNull();
    // A refused MSET with a repeated key leaves it as it was too.
    const before = snapshot(store, ['k', 'n', 'm']);
    const refused = ['k', 'zz', 'big', 'x', 'k', 'yy'].map(b);
    refused[3] = Buffer.alloc(300 * 1024);
    expect(commandError(() => store.mset(refused, false))).toBe(ERR.oom);
    expect(snapshot(store, ['k', 'n', 'm'])).toEqual(before);
  });

  it('MSET whose entries fit but whose index cannot grow is written whole, not half with an OOM', () => {
    // One segment, an arena that cannot grow: 16 keys, then filler blocks leaving room for two more 5-unit
    // entries and a little, but not for the doubled index that the 17th key asks for. The filler is blocks of
    // at most 128 units, which the arena hands out at their exact size (larger ones are rounded up).
    const { store } = setup({ segments: 1, initialBytes: 64 * 1024, maxBytes: 64 * 1024 });
    for (let i = 0; i < 15; i++) store.set(b(`k${String(i).padStart(2, '0')}`), b('v'));
    store.set(b('f'), b('v'));
    const { usedMemory, reservedMemory } = store.stats();
    const left = 12; // two entries of 5 units (32-byte header, 2-byte key, 1-byte value), 2 units spare
    let filler = (reservedMemory - usedMemory - 8) / 8 - left; // unit 0 is never handed out
    const arena = (store as unknown as { access: TableAccess }).access.arena;
    for (; filler > 0; filler -= Math.min(filler, 128)) arena.alloc(0, Math.min(filler, 128));
    expect(store.dbsize()).toBe(16);
    expect(store.mset(['n1', 'v', 'n2', 'w'].map(b), false)).toBe(true);
    expect(store.mget(['n1', 'n2', 'k00', 'k14'].map(b)).map(str)).toEqual(['v', 'w', 'v', 'v']);
    expect(store.dbsize()).toBe(18);
    // Nothing is left for another entry: that one is refused whole.
    expect(commandError(() => store.mset(['n3', 'v'].map(b), false))).toBe(ERR.oom);
    expect(store.get(b('n3'))).toBeNull();
  });
});
