// The set type in the store: the intset codec (widths, upgrade, binary search), the encodings at Redis 7.0's
// thresholds (set-max-intset-entries, CONFIG SET, a non-integer member) and of STORE results, the hash-table
// encoding's life cycle (COPY/RENAME deep copies, memory back to its baseline after DEL), and the semantics of
// every operation, SPOP/SRANDMEMBER's cases by their invariants with an injected random source.
import { describe, expect, it, vi } from 'vitest';
import { ERR } from '../../src/core/errors.js';
import type { TableAccess } from '../../src/core/store/access.js';
import {
  encodeIntset,
  intsetGet,
  intsetLength,
  intsetMembers,
  intsetSearch,
  intsetWidth,
  intsetWithAdded,
  intsetWithoutIndex,
  widthOf,
} from '../../src/core/store/intset.js';
import { spop, srandmember } from '../../src/core/store/sets.js';
import type { SharedStore } from '../../src/core/store/store.js';
import { b, commandError, setup } from '../support/store-fixture.js';

const access = (store: SharedStore): TableAccess => (store as unknown as { access: TableAccess }).access;
const texts = (members: readonly Buffer[] | null): string[] | null =>
  members === null ? null : members.map((m) => m.toString('latin1'));
const sorted = (members: readonly Buffer[] | null): string[] => [...(texts(members) ?? [])].sort();
const range = (n: number, from = 0): Buffer[] => Array.from({ length: n }, (_, i) => b(String(from + i)));
const encoding = (store: SharedStore, key: string): string | undefined => store.object(b(key))?.encoding;
/** A deterministic random source (a linear congruential generator), so a case's draws repeat. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('intset codec (intset.c)', () => {
  it('picks the narrowest width and keeps members sorted, upgrading every member for a wider one', () => {
    expect([widthOf(0n), widthOf(-32768n), widthOf(32768n), widthOf(-2147483649n)]).toEqual([2, 2, 4, 8]);
    let set: Uint8Array = encodeIntset([]);
    for (const v of [5n, -3n, 100n, 5n]) set = intsetWithAdded(set, 0, v) ?? set;
    expect(intsetWidth(set, 0)).toBe(2);
    expect(intsetMembers(set, 0).map(String)).toEqual(['-3', '5', '100']);
    set = intsetWithAdded(set, 0, 70000n)!; // past int16: every member becomes 32-bit
    expect(intsetWidth(set, 0)).toBe(4);
    set = intsetWithAdded(set, 0, -(2n ** 63n))!; // a negative upgrade goes first
    expect(intsetWidth(set, 0)).toBe(8);
    expect(intsetMembers(set, 0).map(String)).toEqual(['-9223372036854775808', '-3', '5', '100', '70000']);
    expect(intsetWithAdded(set, 0, 5n)).toBeNull();
    expect(intsetSearch(set, 0, 100n)).toBe(3);
    expect(intsetSearch(set, 0, 6n)).toBe(-4); // would go at index 3
    const smaller = intsetWithoutIndex(set, 0, 0);
    expect(intsetWidth(smaller, 0)).toBe(8); // the width never shrinks
    expect(intsetLength(smaller, 0)).toBe(4);
    expect(intsetGet(smaller, 0, 3)).toBe(70000n);
  });

  it('finds nothing outside its width and reads int64 extremes exactly', () => {
    const set = encodeIntset([-7n, 0n, 9n]);
    expect(intsetSearch(set, 0, 2n ** 40n)).toBe(-4);
    expect(intsetSearch(set, 0, -(2n ** 40n))).toBe(-1);
    const wide = encodeIntset([-(2n ** 63n), 2n ** 63n - 1n]);
    expect(intsetGet(wide, 0, 1)).toBe(2n ** 63n - 1n);
    expect(intsetSearch(wide, 0, 2n ** 63n - 1n)).toBe(1);
  });
});

describe('set encodings (t_set.c setTypeAdd, setTypeConvert)', () => {
  it('is an intset up to set-max-intset-entries integers, a hash table from one more', () => {
    const { store } = setup();
    expect(store.sadd(b('s'), range(512))).toEqual({ added: 512, created: true });
    expect(encoding(store, 's')).toBe('intset');
    expect(store.sadd(b('s'), [b('512')]).added).toBe(1);
    expect(encoding(store, 's')).toBe('hashtable');
    expect(store.scard(b('s'))).toBe(513);
    expect(store.smismember(b('s'), [b('0'), b('512'), b('513')])).toEqual([true, true, false]);
  });

  it('becomes a hash table for a member that is no canonical integer, keeping every member', () => {
    const { store } = setup();
    store.sadd(b('s'), [b('1'), b('2')]);
    expect(store.sadd(b('s'), [b('3'), b('01'), b('3'), b('x')]).added).toBe(3);
    expect(encoding(store, 's')).toBe('hashtable');
    expect(sorted(store.setAlgebra('inter', [b('s')]).members)).toEqual(['01', '1', '2', '3', 'x']);
    const { store: other } = setup();
    other.sadd(b('t'), [b('abc'), b('1')]); // the first member decides: a hash table from the start
    expect(encoding(other, 't')).toBe('hashtable');
  });

  it('follows CONFIG SET set-max-intset-entries on the next write', () => {
    const { store } = setup();
    store.setContainerLimits({ 'set-max-intset-entries': 3 });
    store.sadd(b('s'), range(3));
    expect(encoding(store, 's')).toBe('intset');
    store.sadd(b('s'), [b('3')]);
    expect(encoding(store, 's')).toBe('hashtable');
    store.srem(b('s'), [b('3')]);
    expect(encoding(store, 's')).toBe('hashtable'); // Redis never converts back
  });

  it('stores an algebra result as Redis builds it: an intset if it can be one', () => {
    const { store } = setup();
    store.setContainerLimits({ 'set-max-intset-entries': 4 });
    store.sadd(b('a'), range(3));
    store.sadd(b('b'), range(3, 2));
    expect(store.setAlgebraStore('union', b('u'), [b('a'), b('b')]).size).toBe(5);
    expect(encoding(store, 'u')).toBe('hashtable');
    expect(store.setAlgebraStore('inter', b('i'), [b('a'), b('b')]).size).toBe(1);
    expect(encoding(store, 'i')).toBe('intset');
    // SDIFF's second algorithm (a large first set) adds the whole first set before removing: it converts.
    store.sadd(b('big'), range(6));
    store.sadd(b('one'), [b('0')]);
    expect(store.setAlgebraStore('diff', b('d'), [b('big'), b('one')]).size).toBe(5);
    expect(encoding(store, 'd')).toBe('hashtable');
    store.sadd(b('small'), [b('1'), b('2')]);
    store.sadd(b('many'), range(4, 10));
    expect(store.setAlgebraStore('diff', b('d2'), [b('small'), b('many')]).size).toBe(2);
    expect(encoding(store, 'd2')).toBe('intset');
  });
});

describe('hash-table sets in the arena', () => {
  it('COPY and RENAME give the copy blocks of its own', () => {
    const { store } = setup();
    store.sadd(b('s'), [b('x'), b('y'), b('z')]);
    expect(store.copy(b('s'), b('c'), false)).toBe(true);
    store.srem(b('s'), [b('x')]);
    store.sadd(b('c'), [b('w')]);
    expect(sorted(store.setAlgebra('inter', [b('s')]).members)).toEqual(['y', 'z']);
    expect(sorted(store.setAlgebra('inter', [b('c')]).members)).toEqual(['w', 'x', 'y', 'z']);
    expect(store.rename(b('c'), b('r'), false)).toBe('ok');
    expect(sorted(store.setAlgebra('inter', [b('r')]).members)).toEqual(['w', 'x', 'y', 'z']);
    expect(encoding(store, 'r')).toBe('hashtable');
  });

  it('gives its memory back when the key goes (DEL, SPOP of all, expiry), whatever its size', () => {
    const { store, clock } = setup();
    store.set(b('anchor'), b('v')); // the shard's index exists before the baseline
    const baseline = store.stats().usedMemory;
    const members = Array.from({ length: 5000 }, (_, i) => b(`member:${i}`));
    store.sadd(b('s'), members);
    expect(store.stats().usedMemory).toBeGreaterThan(baseline + 5000 * 32);
    store.del([b('s')]);
    expect(store.stats().usedMemory).toBe(baseline);
    store.sadd(b('s'), members);
    expect(store.spop(b('s'), 10000).members).toHaveLength(5000);
    expect(store.stats().usedMemory).toBe(baseline);
    store.sadd(b('s'), members);
    store.expireAt(b('s'), clock.now + 10);
    clock.now += 20;
    expect(store.scard(b('s'))).toBeNull();
    expect(store.stats().usedMemory).toBe(baseline);
  });
});

describe('set operations (t_set.c)', () => {
  it('SADD, SREM, SCARD, SMISMEMBER and WRONGTYPE', () => {
    const { store } = setup();
    expect(store.sadd(b('s'), [b('a'), b('b'), b('a')])).toEqual({ added: 2, created: true });
    expect(store.srem(b('s'), [b('a'), b('nope')])).toEqual({ removed: 1, deleted: false });
    expect(store.srem(b('s'), [b('b')])).toEqual({ removed: 1, deleted: true });
    expect(store.exists([b('s')])).toBe(0);
    expect(store.srem(b('s'), [b('b')])).toEqual({ removed: 0, deleted: false });
    expect(store.smismember(b('s'), [b('a')])).toBeNull();
    store.set(b('str'), b('v'));
    for (const op of [
      () => store.sadd(b('str'), [b('a')]),
      () => store.srem(b('str'), [b('a')]),
      () => store.scard(b('str')),
      () => store.spop(b('str'), null),
      () => store.setAlgebra('union', [b('s'), b('str')]),
    ]) {
      expect(commandError(op)).toBe(ERR.wrongType);
    }
    store.sadd(b('t'), [b('1')]);
    expect(commandError(() => store.get(b('t')))).toBe(ERR.wrongType);
  });

  it('SINTER, SUNION and SDIFF, an intset result in ascending order', () => {
    const { store } = setup();
    store.sadd(b('a'), [b('4'), b('1'), b('3'), b('2')]);
    store.sadd(b('b'), [b('5'), b('3'), b('4')]);
    const run = (op: 'inter' | 'union' | 'diff', ...keys: string[]) =>
      texts(store.setAlgebra(op, keys.map(b)).members);
    expect(run('inter', 'a', 'b')).toEqual(['3', '4']);
    expect(run('union', 'a', 'b')).toEqual(['1', '2', '3', '4', '5']);
    expect(run('diff', 'a', 'b')).toEqual(['1', '2']);
    expect(run('diff', 'a', 'a')).toEqual([]);
    expect(run('inter', 'a', 'missing')).toEqual([]);
    expect(store.setAlgebra('union', [b('missing'), b('a')]).found).toEqual([false, true]);
    expect(store.sinterCard([b('a'), b('b')], 0).count).toBe(2);
    expect(store.sinterCard([b('a'), b('b')], 1).count).toBe(1);
  });

  it('a STORE replaces the destination and clears its TTL, or deletes it for an empty result', () => {
    const { store, clock } = setup();
    store.sadd(b('a'), [b('x'), b('y')]);
    store.set(b('d'), b('string'));
    store.expireAt(b('d'), clock.now + 100_000);
    expect(store.setAlgebraStore('union', b('d'), [b('a')])).toEqual({
      size: 2,
      found: [true],
      existed: true,
    });
    expect(store.type(b('d'))).toBe('set');
    expect(store.pttl(b('d'))).toBe(-1);
    expect(store.setAlgebraStore('inter', b('d'), [b('a'), b('none')])).toEqual({
      size: 0,
      found: [true, false],
      existed: true,
    });
    expect(store.exists([b('d')])).toBe(0);
    // The destination may be a source: the result is computed before it is replaced.
    store.sadd(b('b'), [b('y'), b('z')]);
    expect(store.setAlgebraStore('diff', b('a'), [b('a'), b('b')]).size).toBe(1);
    expect(texts(store.setAlgebra('inter', [b('a')]).members)).toEqual(['x']);
  });

  it('SMOVE moves a member between sets at one instant, deleting an emptied source', () => {
    const { store } = setup();
    store.sadd(b('src'), [b('m')]);
    expect(store.smove(b('src'), b('dst'), b('m'))).toEqual({
      moved: true,
      sourceDeleted: true,
      destinationCreated: true,
      added: true,
    });
    expect(store.exists([b('src')])).toBe(0);
    expect(store.smove(b('dst'), b('dst'), b('m')).moved).toBe(true);
    expect(store.smove(b('dst'), b('dst'), b('x')).moved).toBe(false);
    store.sadd(b('other'), [b('m'), b('n')]);
    expect(store.smove(b('other'), b('dst'), b('m')).added).toBe(false);
    expect(store.smove(b('missing'), b('dst'), b('m')).moved).toBe(false);
    store.set(b('str'), b('v'));
    expect(commandError(() => store.smove(b('other'), b('str'), b('n')))).toBe(ERR.wrongType);
    expect(store.smismember(b('other'), [b('n')])).toEqual([true]); // nothing moved
  });

  it('SSCAN returns an intset whole and walks a hash table to cursor 0, every member at least once', () => {
    const { store } = setup();
    store.sadd(b('i'), range(20));
    expect(store.sscan(b('i'), 0, 5)).toEqual({ cursor: '0', members: range(20) });
    store.sadd(
      b('h'),
      Array.from({ length: 300 }, (_, i) => b(`m${i}`)),
    );
    const seen = new Set<string>();
    let cursor = 0;
    let steps = 0;
    do {
      const step = store.sscan(b('h'), cursor, 10)!;
      for (const m of step.members) seen.add(m.toString());
      cursor = Number(step.cursor);
      steps++;
    } while (cursor !== 0);
    expect(seen.size).toBe(300);
    expect(steps).toBeGreaterThan(5);
    expect(store.sscan(b('missing'), 0, 10)).toBeNull();
  });
});

describe('SPOP and SRANDMEMBER (t_set.c cases)', () => {
  for (const [name, members] of [
    ['intset', range(40)],
    ['hashtable', Array.from({ length: 40 }, (_, i) => b(`m${i}`))],
  ] as const) {
    it(`SPOP with a count pops distinct members that leave the set, in each case (${name})`, () => {
      for (const count of [3, 35, 40, 50]) {
        const { store } = setup();
        store.sadd(b('s'), members);
        const a = access(store);
        // 3: removed one by one; 35: the 5 kept are drawn into a new set; 40 and 50: the whole set.
        const { members: popped, deleted } = spop(a, 0, b('s'), count, seeded(count));
        const expected = Math.min(count, 40);
        expect(new Set(texts(popped)).size).toBe(expected);
        expect(deleted).toBe(count >= 40);
        expect(store.scard(b('s')) ?? 0).toBe(40 - expected);
        const left = store.setAlgebra('inter', [b('s')]).members.map(String);
        for (const p of texts(popped)!) expect(left).not.toContain(p);
        if (count === 35) expect(encoding(store, 's')).toBe(name === 'intset' ? 'intset' : 'hashtable');
      }
    });

    it(`SRANDMEMBER gives distinct members for a positive count, repeats for a negative one (${name})`, () => {
      const { store } = setup();
      store.sadd(b('s'), members);
      const a = access(store);
      const all = sorted(store.setAlgebra('inter', [b('s')]).members);
      for (const count of [1, 5, 20, 39, 40, 100]) {
        const drawn = texts(srandmember(a, 0, b('s'), count, seeded(count)))!;
        expect(drawn).toHaveLength(Math.min(count, 40));
        expect(new Set(drawn).size).toBe(drawn.length);
        for (const m of drawn) expect(all).toContain(m);
      }
      const repeated = texts(srandmember(a, 0, b('s'), -200, seeded(7)))!;
      expect(repeated).toHaveLength(200);
      expect(new Set(repeated).size).toBeLessThan(200);
      expect(store.scard(b('s'))).toBe(40); // only read
    });
  }

  // dict.ts picks a random bucket, then a random node of its chain (as Redis's dictGetRandomKey): a member in a
  // chain of L is drawn about 1/L as often as one alone, and the table's seed is its own, so the bounds allow
  // chains of up to 10 (with 20 members in 32 buckets, far beyond any real draw).
  it('draws every member with roughly equal chances (SRANDMEMBER -n over a hash table)', () => {
    const { store } = setup();
    // A hash table draws its own hash seed (Math.random: dict.ts): fixed here, so the table's layout, and with it
    // each member's share of the draws, is the same on every run (a random layout once drew a member 92 times).
    const seedDraw = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      store.sadd(
        b('s'),
        Array.from({ length: 20 }, (_, i) => b(`m${i}`)),
      );
    } finally {
      seedDraw.mockRestore();
    }
    const counts = new Map<string, number>();
    for (const m of texts(srandmember(access(store), 0, b('s'), -20000, seeded(1)))!) {
      counts.set(m, (counts.get(m) ?? 0) + 1);
    }
    expect(counts.size).toBe(20);
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(100); // 1000 expected each
      expect(n).toBeLessThan(5000);
    }
  });

  it('replies with a whole set as 7.0 does: SPOP and SUNION through a new intset (ascending), SRANDMEMBER as stored', () => {
    const { store } = setup();
    store.setContainerLimits({ 'set-max-intset-entries': 4 });
    store.sadd(b('h'), [b('5'), b('3'), b('9'), b('1'), b('7'), b('11')]);
    store.srem(b('h'), [b('11'), b('9')]); // a hash table of four integers
    expect(encoding(store, 'h')).toBe('hashtable');
    const stored = texts(store.setAlgebra('inter', [b('h')]).members);
    expect(texts(store.srandmember(b('h'), 10))).toEqual(stored);
    expect(texts(store.setAlgebra('union', [b('h')]).members)).toEqual(['1', '3', '5', '7']);
    expect(texts(store.spop(b('h'), 10).members)).toEqual(['1', '3', '5', '7']);
  });

  it('SPOP of one member, and a missing key', () => {
    const { store } = setup();
    store.sadd(b('s'), [b('only')]);
    expect(store.spop(b('s'), null)).toEqual({ members: [b('only')], deleted: true });
    expect(store.spop(b('s'), null)).toEqual({ members: null, deleted: false });
    expect(store.srandmember(b('s'), 3)).toBeNull();
    store.sadd(b('s'), [b('a')]);
    expect(store.spop(b('s'), 0)).toEqual({ members: [], deleted: false });
    expect(store.scard(b('s'))).toBe(1);
  });
});
