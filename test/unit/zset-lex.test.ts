// The lexicographic range commands on sorted sets whose scores differ, where Redis 7.0's walks (zset-lex.ts)
// answer something other than "the members in range": each expectation is redis-server 7.0.15's reply. A skip
// list's searches descend its levels, which are random (zslRandomLevel); the tests fix them (Math.random, which
// skiplist.ts's randomLevel draws from) so that each answer is the one Redis gives for the same levels.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseLexRange } from '../../src/core/commands/zset-args.js';
import type { RangeQuery, ZaddOptions } from '../../src/core/store/zset-types.js';
import { b, setup } from '../support/store-fixture.js';

const PLAIN: ZaddOptions = { nx: false, xx: false, gt: false, lt: false, incr: false };
const lex = (min: string, max: string) => parseLexRange(b(min), b(max));
const ALL: RangeQuery = { by: 'rank', start: 0, end: -1, reverse: false };
const byLex = (min: string, max: string, reverse = false, offset = 0, limit = -1): RangeQuery => ({
  by: 'lex',
  range: lex(min, max),
  reverse,
  offset,
  limit,
});

type Encoding = 'listpack' | 'skiplist';

/**
 * A store holding `pairs` at key z in the given encoding; a skip list's nodes are all of level 1 (so its
 * searches pass every node, as a listpack's scans do) but for the members of `raised`, of level 2.
 */
function zsetOf(encoding: Encoding, pairs: [number, string][], raised: string[] = []) {
  const { store } = setup();
  if (encoding === 'skiplist') store.setContainerLimits({ 'zset-max-listpack-entries': 0 });
  const draws: number[] = [];
  // randomLevel raises a level while a draw is below 1/4; 0.99 stops it at once.
  vi.spyOn(Math, 'random').mockImplementation(() => draws.shift() ?? 0.99);
  const add = (list: [number, string][]) =>
    store.zadd(
      b('z'),
      list.map(([score, member]) => ({ score, member: b(member) })),
      PLAIN,
    );
  add(pairs.filter(([, m]) => !raised.includes(m)));
  for (const pair of pairs.filter(([, m]) => raised.includes(m))) {
    draws.push(0.1);
    add([pair]);
  }
  vi.restoreAllMocks();
  expect(store.object(b('z'))?.encoding).toBe(encoding);
  const names = (query: RangeQuery) =>
    (store.zrange(b('z'), query) ?? []).map((e) => e.member.toString('latin1'));
  return { store, names };
}

afterEach(() => {
  vi.restoreAllMocks();
});

const BCA: [number, string][] = [
  [2, 'b'],
  [3, 'c'],
  [5, 'a'],
];

describe.each(['listpack', 'skiplist'] as const)('lex ranges over mixed scores, %s', (encoding) => {
  it('ZREMRANGEBYLEX removes the run from the first member at or past min while within max', () => {
    const { store, names } = zsetOf(encoding, BCA);
    expect(store.zremRange(b('z'), { by: 'lex', range: lex('[a', '[b') }).removed).toBe(1);
    expect(names(ALL)).toEqual(['c', 'a']);
  });

  it('ZRANGEBYLEX and ZRANGESTORE BYLEX stop at the first member past max', () => {
    const { store, names } = zsetOf(encoding, BCA);
    expect(names(byLex('[a', '[b'))).toEqual(['b']);
    expect(store.zrangeStore(b('d'), b('z'), byLex('[a', '[b')).length).toBe(1);
  });

  it('finds nothing when the head is past max, even past an offset', () => {
    const { store, names } = zsetOf(encoding, [
      [1, 'c'],
      [2, 'a'],
      [3, 'b'],
    ]);
    expect(names(byLex('[a', '[b', false, 1, 5))).toEqual([]);
    expect(names(byLex('[a', '[b', true))).toEqual([]);
    expect(store.zlexcount(b('z'), lex('[a', '[b'))).toBe(0);
  });
});

describe('where the encodings differ', () => {
  it("ZLEXCOUNT and ZREVRANGEBYLEX: a listpack scans back from the tail, a skip list's search stops at c", () => {
    const listpack = zsetOf('listpack', BCA);
    expect(listpack.store.zlexcount(b('z'), lex('[a', '[b'))).toBe(1);
    expect(listpack.names(byLex('[a', '[b', true))).toEqual(['a', 'c', 'b']);
    const flat = zsetOf('skiplist', BCA);
    expect(flat.store.zlexcount(b('z'), lex('[a', '[b'))).toBe(1);
    expect(flat.names(byLex('[a', '[b', true))).toEqual(['b']);
    // With a on a higher level the search for max jumps over c to it: the ranks of b and a count 3.
    const raised = zsetOf('skiplist', BCA, ['a']);
    expect(raised.store.zlexcount(b('z'), lex('[a', '[b'))).toBe(3);
    expect(raised.names(byLex('[a', '[b', true))).toEqual(['a', 'c', 'b']);
  });

  it('ZLEXCOUNT: a skip list with no last element in range counts from the first to the end', () => {
    const pairs: [number, string][] = [
      [1, 'b'],
      [2, 'a'],
      [3, 'c'],
    ];
    expect(zsetOf('listpack', pairs).store.zlexcount(b('z'), lex('[b', '[b'))).toBe(2);
    expect(zsetOf('skiplist', pairs).store.zlexcount(b('z'), lex('[b', '[b'))).toBe(3);
    // a on a higher level: the search for min passes it and lands on c, past max: no first element.
    expect(zsetOf('skiplist', pairs, ['a']).store.zlexcount(b('z'), lex('[b', '[b'))).toBe(0);
  });

  it('ZREMRANGEBYLEX: a skip list deletes from where its search lands, without the head and tail test', () => {
    const pairs: [number, string][] = [
      [1, 'c'],
      [2, 'a'],
    ];
    const listpack = zsetOf('listpack', pairs);
    expect(listpack.store.zremRange(b('z'), { by: 'lex', range: lex('[b', '+') }).removed).toBe(0);
    const skiplist = zsetOf('skiplist', pairs);
    expect(skiplist.store.zremRange(b('z'), { by: 'lex', range: lex('[b', '+') }).removed).toBe(2);
    expect(skiplist.store.zcard(b('z'))).toBe(0);
  });
});
