// The sorted set's two encodings in the store: the listpack and its conversion to the skip list at Redis's
// thresholds (and after CONFIG SET), the skip list's ranks and ranges against a plain sorted model over many
// random operations, COPY/RENAME/DEL of a skip list (deep copies, memory back to its baseline), and the score
// rules every encoding shares (NaN from an increment, -0 in a listpack, ZADD's flags).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NAN_SCORE } from '../../src/core/store/zsets.js';
import type { RangeQuery, ScoredMember, ZaddOptions } from '../../src/core/store/zset-types.js';
import { compareScored } from '../../src/core/store/zset-types.js';
import type { SharedStore } from '../../src/core/store/store.js';
import { b, commandError, setup } from '../support/store-fixture.js';

const PLAIN: ZaddOptions = { nx: false, xx: false, gt: false, lt: false, incr: false };
const INCR: ZaddOptions = { ...PLAIN, incr: true };

function add(store: SharedStore, key: string, ...pairs: [number, string][]) {
  return store.zadd(
    b(key),
    pairs.map(([score, member]) => ({ score, member: b(member) })),
    PLAIN,
  );
}

const ALL: RangeQuery = { by: 'rank', start: 0, end: -1, reverse: false };
const names = (elements: ScoredMember[] | null) => (elements ?? []).map((e) => e.member.toString('latin1'));
const encoding = (store: SharedStore, key: string) => store.object(b(key))?.encoding;

describe('sorted set encodings', () => {
  it('is a listpack up to zset-max-listpack-entries members, then a skip list', () => {
    const { store } = setup();
    for (let i = 0; i < 128; i++) add(store, 'z', [i, `m${i}`]);
    expect(encoding(store, 'z')).toBe('listpack');
    add(store, 'z', [128, 'm128']);
    expect(encoding(store, 'z')).toBe('skiplist');
    expect(store.zcard(b('z'))).toBe(129);
    expect(store.zscore(b('z'), b('m77'))).toBe(77);
    expect(store.zrank(b('z'), b('m100'), false)).toBe(100);
    // Redis 7.0 never converts back when members go.
    store.zremRange(b('z'), { by: 'rank', start: 0, end: 120 });
    expect(encoding(store, 'z')).toBe('skiplist');
    expect(names(store.zrange(b('z'), ALL))).toEqual([
      'm121',
      'm122',
      'm123',
      'm124',
      'm125',
      'm126',
      'm127',
      'm128',
    ]);
  });

  it('converts for a member longer than zset-max-listpack-value, and follows CONFIG SET', () => {
    const { store } = setup();
    add(store, 'z', [1, 'short']);
    add(store, 'z', [2, 'x'.repeat(65)]);
    expect(encoding(store, 'z')).toBe('skiplist');
    store.setContainerLimits({ 'zset-max-listpack-entries': 2, 'zset-max-listpack-value': 64 });
    add(store, 'y', [1, 'a'], [2, 'b']);
    expect(encoding(store, 'y')).toBe('listpack');
    add(store, 'y', [3, 'c']);
    expect(encoding(store, 'y')).toBe('skiplist');
    store.setContainerLimits({ 'zset-max-listpack-entries': 0 });
    add(store, 'w', [1, 'a']);
    expect(encoding(store, 'w')).toBe('skiplist'); // a new key with entries 0 starts as a skip list
  });

  it('stores set operation results as a listpack when they are small (zsetConvertToListpackIfNeeded)', () => {
    const { store } = setup();
    for (let i = 0; i < 200; i++) add(store, 'big', [i, `m${i}`]);
    const query = { op: 'inter', keys: [b('big')], weights: [1], aggregate: 'sum' } as const;
    expect(store.zsetOperationStore(b('dst'), query).length).toBe(200);
    expect(encoding(store, 'dst')).toBe('skiplist');
    store.zremRange(b('big'), { by: 'rank', start: 10, end: -1 });
    expect(store.zsetOperationStore(b('dst'), query).length).toBe(10);
    expect(encoding(store, 'dst')).toBe('listpack');
    expect(store.zrangeStore(b('r'), b('big'), { by: 'rank', start: 0, end: 2, reverse: true }).length).toBe(
      3,
    );
    expect(names(store.zrange(b('r'), ALL))).toEqual(['m7', 'm8', 'm9']);
  });

  it('keeps 0 for -0 in a listpack (Redis stores an integral score as an integer) but not in a skip list', () => {
    const { store } = setup();
    add(store, 'z', [-0, 'a']);
    expect(Object.is(store.zscore(b('z'), b('a')), 0)).toBe(true);
    store.setContainerLimits({ 'zset-max-listpack-entries': 0 });
    add(store, 's', [-0, 'a']);
    expect(Object.is(store.zscore(b('s'), b('a')), -0)).toBe(true);
  });

  it('answers an increment that makes NaN with the error and changes nothing', () => {
    const { store } = setup();
    add(store, 'z', [Infinity, 'a']);
    expect(commandError(() => store.zadd(b('z'), [{ score: -Infinity, member: b('a') }], INCR))).toBe(
      NAN_SCORE,
    );
    expect(store.zscore(b('z'), b('a'))).toBe(Infinity);
  });

  it('applies NX, XX, GT and LT as zsetAdd does', () => {
    const { store } = setup();
    add(store, 'z', [5, 'a']);
    const one = (score: number, options: Partial<ZaddOptions>) =>
      store.zadd(b('z'), [{ score, member: b('a') }], { ...PLAIN, ...options });
    expect(one(1, { gt: true }).updated).toBe(0);
    expect(one(9, { gt: true }).updated).toBe(1);
    expect(one(10, { lt: true }).processed).toBe(0);
    expect(one(3, { nx: true }).processed).toBe(0);
    expect(store.zadd(b('z'), [{ score: 1, member: b('new') }], { ...PLAIN, xx: true }).added).toBe(0);
    expect(store.zadd(b('none'), [{ score: 1, member: b('x') }], { ...PLAIN, xx: true }).added).toBe(0);
    expect(store.type(b('none'))).toBe('none');
    expect(store.zscore(b('z'), b('a'))).toBe(9);
  });
});

describe('the skip list', () => {
  it('answers ranks, scores and ranges as a sorted model does over random operations', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('add', 'add', 'add', 'rem', 'remrank'),
            fc.integer({ min: 0, max: 60 }),
            fc.integer({ min: -5, max: 5 }),
          ),
          { minLength: 1, maxLength: 300 },
        ),
        (ops) => {
          const { store } = setup();
          store.setContainerLimits({ 'zset-max-listpack-entries': 0 });
          const model = new Map<string, number>();
          for (const [op, n, score] of ops) {
            const member = `m${n}`;
            if (op === 'add') {
              add(store, 'z', [score, member]);
              model.set(member, score);
            } else if (op === 'rem') {
              store.zrem(b('z'), [b(member)]);
              model.delete(member);
            } else if (model.size > 0) {
              const sorted = [...model].sort(([ma, sa], [mb, sb]) => compareScored(sa, b(ma), sb, b(mb)));
              const start = n % model.size;
              store.zremRange(b('z'), { by: 'rank', start, end: start + 2 });
              for (const [m] of sorted.slice(start, start + 3)) model.delete(m);
            }
          }
          const sorted = [...model].sort(([ma, sa], [mb, sb]) => compareScored(sa, b(ma), sb, b(mb)));
          expect(names(store.zrange(b('z'), ALL))).toEqual(sorted.map(([m]) => m));
          sorted.forEach(([m, s], i) => {
            expect(store.zrank(b('z'), b(m), false)).toBe(i);
            expect(store.zscore(b('z'), b(m))).toBe(s);
          });
          expect(store.zcard(b('z'))).toBe(model.size);
          const inRange = sorted.filter(([, s]) => s > -2 && s <= 2).map(([m]) => m);
          expect(store.zcount(b('z'), { min: -2, max: 2, minex: true, maxex: false }) ?? 0).toBe(
            inRange.length,
          );
          const byScore = store.zrange(b('z'), {
            by: 'score',
            range: { min: -2, max: 2, minex: true, maxex: false },
            reverse: true,
            offset: 1,
            limit: 3,
          });
          expect(names(byScore)).toEqual([...inRange].reverse().slice(1, 4));
          if (model.size === 0) expect(store.type(b('z'))).toBe('none');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is deep-copied by COPY and RENAME, and DEL gives its memory back', () => {
    const { store } = setup();
    store.setContainerLimits({ 'zset-max-listpack-entries': 4 });
    const baseline = store.stats().usedMemory;
    for (let i = 0; i < 1000; i++) add(store, 'z', [i % 7, `member-${i}`]);
    expect(encoding(store, 'z')).toBe('skiplist');
    expect(store.copy(b('z'), b('copy'), false)).toBe(true);
    store.zrem(b('z'), [b('member-1')]);
    expect(store.zscore(b('copy'), b('member-1'))).toBe(1); // the copy has nodes of its own
    expect(store.rename(b('copy'), b('moved'), false)).toBe('ok');
    expect(store.zcard(b('moved'))).toBe(1000);
    // member-999 scores 5 and sorts last among the members scoring 5.
    const upToFive = store.zcount(b('moved'), { min: -Infinity, max: 5, minex: false, maxex: false });
    expect(store.zrank(b('moved'), b('member-999'), false)).toBe((upToFive ?? 0) - 1);
    expect(store.del([b('z'), b('moved')])).toBe(2);
    expect(store.stats().usedMemory).toBe(baseline);
  });

  it('pops from either end and deletes the emptied key', () => {
    const { store } = setup();
    store.setContainerLimits({ 'zset-max-listpack-entries': 1 });
    add(store, 'z', [1, 'a'], [2, 'b'], [3, 'c']);
    expect(store.zpop([b('missing'), b('z')], true, 2)?.popped.map((e) => e.member.toString())).toEqual([
      'a',
      'b',
    ]);
    const last = store.zpop([b('z')], false, 5);
    expect(last?.popped.map((e) => e.member.toString())).toEqual(['c']);
    expect(last?.deleted).toBe(true);
    expect(store.zpop([b('z')], true, 1)).toBeNull();
  });
});
