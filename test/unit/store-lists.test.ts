// The store's lists (store/lists.ts over store/quicklist.ts): every operation checked against an array model
// under fills that force many nodes (node splits, growth, re-centring, neighbours taking a full node's
// element), the element codec at every varint length, OBJECT ENCODING (quicklist, as Redis 7.0 always says),
// COPY/RENAME deep copies, and memory back to its baseline once a list goes however it goes.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERR } from '../../src/core/errors.js';
import {
  elementBefore,
  elementEnd,
  elementSize,
  readElement,
  writeElement,
} from '../../src/core/store/list-element.js';
import type { ListEnd } from '../../src/core/store/lists.js';
import { b, commandError, setup } from '../support/store-fixture.js';

const all = (store: ReturnType<typeof setup>['store'], key: string): string[] =>
  (store.listRange(b(key), 0, -1) ?? []).map((v) => v.toString('latin1'));

describe('list element codec', () => {
  it('writes every varint length class and walks it both ways', () => {
    const values = [0, 1, 127, 128, 16383, 16384, 70000].map((n) => Buffer.alloc(n, n % 251));
    const size = values.reduce((sum, v) => sum + elementSize(v.length), 0);
    const u8 = new Uint8Array(size + 2);
    let at = 1;
    const starts: number[] = [];
    for (const v of values) {
      starts.push(at);
      at = writeElement(u8, at, v);
    }
    expect(at).toBe(size + 1);
    starts.forEach((s, i) => {
      expect(readElement(u8, s)).toEqual(values[i]);
      expect(elementEnd(u8, s)).toBe(i + 1 < starts.length ? starts[i + 1] : size + 1);
    });
    for (let i = starts.length - 1, end = size + 1; i >= 0; i--) {
      end = elementBefore(u8, end);
      expect(end).toBe(starts[i]);
    }
  });
});

type Op =
  | { kind: 'push'; end: ListEnd; values: string[]; onlyIfExists: boolean }
  | { kind: 'pop'; end: ListEnd; count: number | null }
  | { kind: 'set'; index: number; value: string }
  | { kind: 'insert'; after: boolean; pivot: string; value: string }
  | { kind: 'remove'; count: number; value: string }
  | { kind: 'trim'; start: number; stop: number }
  | { kind: 'move'; from: ListEnd; to: ListEnd; same: boolean }
  | { kind: 'check'; start: number; stop: number; index: number; value: string; rank: number; count: number };

// Short values that repeat (so LREM/LINSERT/LPOS find them) and long ones that fill byte-limited nodes fast.
const value = fc.oneof(
  fc.constantFrom('a', 'b', 'c', ''),
  fc.constantFrom('a', 'b').chain((c) => fc.integer({ min: 100, max: 1500 }).map((n) => c.repeat(n))),
  // Past every node limit (SIZE_SAFETY_LIMIT 8 KiB, -1's 4 KiB): a node of its own, or a node grown past it.
  fc.constantFrom('a'.repeat(9000), 'b'.repeat(70000)),
);
const end = fc.constantFrom<ListEnd>('left', 'right');
const smallInt = fc.integer({ min: -12, max: 12 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('push' as const),
      end,
      values: fc.array(value, { minLength: 1, maxLength: 12 }),
      onlyIfExists: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('pop' as const),
      end,
      count: fc.option(fc.integer({ min: 0, max: 8 })),
    }),
  },
  fc.record({ kind: fc.constant('set' as const), index: smallInt, value }),
  fc.record({ kind: fc.constant('insert' as const), after: fc.boolean(), pivot: value, value }),
  fc.record({ kind: fc.constant('remove' as const), count: fc.integer({ min: -3, max: 3 }), value }),
  fc.record({ kind: fc.constant('trim' as const), start: smallInt, stop: smallInt }),
  fc.record({ kind: fc.constant('move' as const), from: end, to: end, same: fc.boolean() }),
  fc.record({
    kind: fc.constant('check' as const),
    start: smallInt,
    stop: smallInt,
    index: smallInt,
    value,
    rank: fc.constantFrom(1, 2, -1, -2),
    count: fc.constantFrom(-1, 0, 2),
  }),
);

/** LRANGE/LTRIM's clamping on the model. */
function span(length: number, start: number, stop: number): [number, number] {
  if (start < 0) start += length;
  if (stop < 0) stop += length;
  if (start < 0) start = 0;
  if (start > stop || start >= length) return [0, 0];
  return [start, Math.min(stop, length - 1) + 1];
}

function positionsOf(model: string[], v: string, rank: number, count: number): number[] {
  const order = rank > 0 ? model.map((_, i) => i) : model.map((_, i) => model.length - 1 - i);
  const matches = order.filter((i) => model[i] === v).slice(Math.abs(rank) - 1);
  return count === -1 ? matches.slice(0, 1) : count === 0 ? matches : matches.slice(0, count);
}

describe('store lists against an array model', () => {
  it.each([1, 2, 3, -1, -2, 0])('list-max-listpack-size %i', (fill) => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const { store } = setup({ segments: 4 });
        store.setContainerLimits({ 'list-max-listpack-size': fill });
        const baseline = store.stats().usedMemory;
        const models: Record<string, string[]> = { k: [], other: [] };
        const K = b('k');
        for (const o of ops) {
          const model = models.k;
          switch (o.kind) {
            case 'push': {
              const r = store.listPush(K, o.values.map(b), o.end, o.onlyIfExists);
              if (!(o.onlyIfExists && model.length === 0)) {
                for (const v of o.values)
                  if (o.end === 'left') model.unshift(v);
                  else model.push(v);
              }
              expect(r.length).toBe(model.length);
              break;
            }
            case 'pop': {
              const r = store.listPop(K, o.end, o.count);
              if (model.length === 0) expect(r).toBeNull();
              else {
                const n = Math.min(o.count ?? 1, model.length);
                const want = o.end === 'left' ? model.splice(0, n) : model.splice(model.length - n).reverse();
                expect(r?.elements.map(String)).toEqual(want);
                expect(r?.deleted).toBe(model.length === 0 && n > 0);
              }
              break;
            }
            case 'set': {
              const r = store.listSet(K, o.index, b(o.value));
              const i = o.index < 0 ? model.length + o.index : o.index;
              if (model.length === 0) expect(r).toBe('missing');
              else if (i < 0 || i >= model.length) expect(r).toBe('out of range');
              else {
                expect(r).toBe('ok');
                model[i] = o.value;
              }
              break;
            }
            case 'insert': {
              const r = store.listInsert(K, o.after, b(o.pivot), b(o.value));
              const i = model.indexOf(o.pivot);
              if (model.length === 0) expect(r).toBe(0);
              else if (i === -1) expect(r).toBe(-1);
              else {
                model.splice(o.after ? i + 1 : i, 0, o.value);
                expect(r).toBe(model.length);
              }
              break;
            }
            case 'remove': {
              const r = store.listRemove(K, o.count, b(o.value));
              let removed = 0;
              const order = o.count < 0 ? [...model.keys()].reverse() : [...model.keys()];
              const drop = new Set<number>();
              for (const i of order) {
                if (model[i] !== o.value) continue;
                drop.add(i);
                removed++;
                if (removed === Math.abs(o.count)) break;
              }
              models.k = model.filter((_, i) => !drop.has(i));
              expect(r.removed).toBe(removed);
              expect(r.deleted).toBe(model.length > 0 && models.k.length === 0);
              break;
            }
            case 'trim': {
              const r = store.listTrim(K, o.start, o.stop);
              const [from, to] = span(model.length, o.start, o.stop);
              if (model.length === 0) expect(r).toBe('missing');
              else {
                models.k = model.slice(from, to);
                expect(r).toEqual({
                  outcome: models.k.length === 0 ? 'deleted' : 'kept',
                  removed: model.length - models.k.length,
                });
              }
              break;
            }
            case 'move': {
              const destination = o.same ? 'k' : 'other';
              const r = store.listMove(K, b(destination), o.from, o.to);
              if (model.length === 0) {
                expect(r).toBeNull();
                break;
              }
              const v = (o.from === 'left' ? model.shift() : model.pop()) as string;
              const target = models[destination];
              if (o.to === 'left') target.unshift(v);
              else target.push(v);
              expect(r?.value.toString()).toBe(v);
              break;
            }
            case 'check': {
              const [from, to] = span(model.length, o.start, o.stop);
              expect(store.listRange(K, o.start, o.stop)?.map(String) ?? null).toEqual(
                model.length === 0 ? null : model.slice(from, to),
              );
              const i = o.index < 0 ? model.length + o.index : o.index;
              const got = store.listIndex(K, o.index);
              expect(got === 'missing' || got === null ? got : got.toString()).toEqual(
                model.length === 0 ? 'missing' : (model[i] ?? null),
              );
              const query = { rank: Math.abs(o.rank), fromTail: o.rank < 0, count: o.count, maxLength: 0 };
              expect(store.listPositions(K, b(o.value), query)).toEqual(
                model.length === 0 ? null : positionsOf(model, o.value, o.rank, o.count),
              );
              break;
            }
          }
          expect(store.listLength(K)).toBe(models.k.length);
          expect(store.exists([K])).toBe(models.k.length > 0 ? 1 : 0);
        }
        expect(all(store, 'k')).toEqual(models.k);
        expect(all(store, 'other')).toEqual(models.other);
        store.del([K, b('other')]);
        expect(store.stats().usedMemory).toBe(baseline);
      }),
      { numRuns: 150 },
    );
  });
});

describe('store lists', () => {
  it('are quicklists whatever their size, as in Redis 7.0 (no listpack lists before 7.2)', () => {
    const { store } = setup();
    store.listPush(b('small'), [b('x')], 'right');
    expect(store.type(b('small'))).toBe('list');
    expect(store.object(b('small'))?.encoding).toBe('quicklist');
    store.listPush(
      b('big'),
      Array.from({ length: 2000 }, (_, i) => b(`element-${i}`)),
      'right',
    );
    expect(store.object(b('big'))?.encoding).toBe('quicklist');
  });

  it('answer WRONGTYPE for another type, and string commands answer it for a list', () => {
    const { store } = setup();
    store.set(b('s'), b('v'));
    expect(commandError(() => store.listPush(b('s'), [b('x')], 'left'))).toBe(ERR.wrongType);
    expect(commandError(() => store.listPop(b('s'), 'left', null))).toBe(ERR.wrongType);
    expect(commandError(() => store.listLength(b('s')))).toBe(ERR.wrongType);
    store.listPush(b('l'), [b('x')], 'left');
    expect(commandError(() => store.get(b('l')))).toBe(ERR.wrongType);
    expect(commandError(() => store.listMove(b('l'), b('s'), 'left', 'left'))).toBe(ERR.wrongType);
    expect(store.listRange(b('l'), 0, -1)?.map(String)).toEqual(['x']); // the refused move took nothing
  });

  it('COPY and RENAME deep-copy a list of many nodes; DEL of either leaves the other whole', () => {
    const { store } = setup({ segments: 64 });
    const baseline = store.stats().usedMemory;
    const values = Array.from({ length: 3000 }, (_, i) => `v${i}`);
    store.listPush(b('src'), values.map(b), 'right');
    expect(store.copy(b('src'), b('dst'), false)).toBe(true);
    store.listSet(b('src'), 0, b('changed'));
    store.del([b('src')]);
    expect(all(store, 'dst')).toEqual(values);
    expect(store.rename(b('dst'), b('moved'), false)).toBe('ok');
    expect(all(store, 'moved')).toEqual(values);
    expect(store.listIndex(b('moved'), 2500)?.toString()).toBe('v2500');
    store.del([b('moved')]);
    expect(store.stats().usedMemory).toBe(baseline);
  });

  it('free their nodes when they expire or are overwritten', () => {
    const { store, clock } = setup();
    const baseline = store.stats().usedMemory;
    store.listPush(
      b('a'),
      Array.from({ length: 1000 }, (_, i) => b(`${i}`)),
      'left',
    );
    store.listPush(
      b('b'),
      Array.from({ length: 1000 }, (_, i) => b(`${i}`)),
      'left',
    );
    store.expireAt(b('a'), clock.now + 10);
    clock.now += 20;
    expect(store.listLength(b('a'))).toBe(0);
    store.set(b('b'), b('string now'));
    store.del([b('b')]);
    expect(store.stats().usedMemory).toBe(baseline);
  });

  it("refuse what the arena cannot hold (OOM) without leaving a half-made list or a copy's nodes behind", () => {
    const { store } = setup({ initialBytes: 64 * 1024, maxBytes: 256 * 1024 });
    const values = Array.from({ length: 4500 }, (_, i) => b(`value-${String(i).padStart(30, '0')}`));
    store.listPush(b('src'), values, 'right'); // about 170 KB of nodes: no room for a copy
    const used = store.stats().usedMemory;
    expect(commandError(() => store.copy(b('src'), b('dst'), false))).toBe(ERR.oom);
    expect(store.stats().usedMemory).toBe(used);
    expect(store.exists([b('dst')])).toBe(0);
    expect(commandError(() => store.listPush(b('new'), [Buffer.alloc(200 * 1024)], 'left'))).toBe(ERR.oom);
    expect(store.exists([b('new')])).toBe(0);
    expect(store.stats().usedMemory).toBe(used);
    expect(store.listLength(b('src'))).toBe(4500);
  });

  it("load with a file's nodes as they are, and later pushes weigh those nodes as Redis's would", () => {
    const { store } = setup();
    const baseline = store.stats().usedMemory;
    store.setContainerLimits({ 'list-max-listpack-size': 3 });
    const values = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map(b);
    store.listLoad(b('l'), values, [1, 0, 6, 1]); // past the fill, and an empty node dropped
    expect(store.listNodeCounts(b('l'))).toEqual([1, 6, 1]);
    expect(all(store, 'l')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    store.listPush(b('l'), [b('x')], 'right'); // the tail node has room under the fill of 3
    store.listPush(b('l'), [b('y')], 'left');
    expect(store.listNodeCounts(b('l'))).toEqual([2, 6, 2]);
    expect(store.listIndex(b('l'), 4)?.toString()).toBe('d');
    store.del([b('l')]);
    expect(store.stats().usedMemory).toBe(baseline);
  });

  it('refuse a load the arena cannot hold whole, leaving no list', () => {
    const { store } = setup({ initialBytes: 64 * 1024, maxBytes: 256 * 1024 });
    const used = store.stats().usedMemory;
    const nodes = Array.from({ length: 40 }, () => Buffer.alloc(8000, 1));
    expect(
      commandError(() =>
        store.listLoad(
          b('big'),
          nodes,
          nodes.map(() => 1),
        ),
      ),
    ).toBe(ERR.oom);
    expect(store.exists([b('big')])).toBe(0);
    expect(store.stats().usedMemory).toBe(used);
  });

  it('keep a TTL across pushes and pops', () => {
    const { store, clock } = setup();
    store.listPush(b('l'), [b('1'), b('2')], 'right');
    store.expireAt(b('l'), clock.now + 5000);
    store.listPush(b('l'), [b('3')], 'left');
    store.listPop(b('l'), 'right', null);
    expect(store.pttl(b('l'))).toBe(5000);
  });

  it('LMPOP pops from the first non-empty list and WRONGTYPE only stops it before one is found', () => {
    const { store } = setup();
    store.set(b('s'), b('v'));
    store.listPush(b('l'), [b('1'), b('2'), b('3')], 'right');
    const r = store.listMultiPop([b('none'), b('l'), b('s')], 'right', 2);
    expect(r?.index).toBe(1);
    expect(r?.elements.map(String)).toEqual(['3', '2']);
    expect(store.listMultiPop([b('none')], 'left', 1)).toBeNull();
    expect(commandError(() => store.listMultiPop([b('s'), b('l')], 'left', 1))).toBe(ERR.wrongType);
  });
});
