// The store's streams (store/streams.ts over stream.ts): IDs chosen as streamAppendItem chooses them (the clock,
// `<ms>-*`, explicit), node boundaries at stream-node-max-entries and -max-bytes, ranges both ways across nodes,
// deletion (a node freed with its last live entry), trimming exact and by whole nodes, the figures XINFO shows,
// COPY and RENAME deep copies, the arena given back when a stream goes, and the RDB form round trip.

import { describe, expect, it } from 'vitest';
import { MAX_ID, makeId } from '../../src/core/store/stream-id.js';
import { NODE_MAX_ENTRIES } from '../../src/core/store/stream.js';
import type { TrimSpec } from '../../src/core/store/stream.js';
import { b, commandError, setup } from '../support/store-fixture.js';

const explicit = (ms: number, seq: number) => ({ id: makeId(BigInt(ms), BigInt(seq)), seqGiven: true });
const add = (ms: number, seq: number, ...pairs: string[]) => ({
  id: explicit(ms, seq),
  noMkStream: false,
  trim: null,
  pairs: pairs.map(b),
});
const all = { start: 0n, end: MAX_ID, count: 0, reverse: false };
const ids = (entries: { id: bigint }[] | null) =>
  (entries ?? []).map((e) => `${e.id >> 64n}-${e.id & 0xffffffffffffffffn}`);
const trim = (spec: Partial<TrimSpec>): TrimSpec => ({
  strategy: 'maxlen',
  maxlen: 0,
  minid: 0n,
  approx: false,
  limit: 0,
  ...spec,
});

describe('store streams', () => {
  it('makes IDs from the clock, from <ms>-*, and refuses one not above the last', () => {
    const { store, clock } = setup();
    const auto = { id: null, noMkStream: false, trim: null, pairs: [b('f'), b('v')] };
    expect(store.xadd(b('s'), auto).id).toBe(makeId(BigInt(clock.now), 0n));
    expect(store.xadd(b('s'), auto).id).toBe(makeId(BigInt(clock.now), 1n)); // same ms: the sequence goes on
    clock.now -= 1000; // the clock going back never makes a smaller ID
    expect(store.xadd(b('s'), auto).id).toBe(makeId(BigInt(clock.now + 1000), 2n));
    const msStar = { ...auto, id: { id: makeId(BigInt(clock.now + 1000), 0n), seqGiven: false } };
    expect(store.xadd(b('s'), msStar).id).toBe(makeId(BigInt(clock.now + 1000), 3n));
    expect(commandError(() => store.xadd(b('s'), add(1, 1, 'f', 'v')))).toBe(
      'ERR The ID specified in XADD is equal or smaller than the target stream top item',
    );
    expect(store.xlen(b('s'))).toBe(4);
  });

  it('NOMKSTREAM creates nothing; WRONGTYPE for another type', () => {
    const { store } = setup();
    expect(store.xadd(b('s'), { ...add(1, 1, 'f', 'v'), noMkStream: true }).id).toBeNull();
    expect(store.type(b('s'))).toBe('none');
    store.set(b('str'), b('x'));
    expect(commandError(() => store.xadd(b('str'), add(1, 1, 'f', 'v')))).toMatch(/^WRONGTYPE/);
    store.xadd(b('s'), add(1, 1, 'f', 'v'));
    expect(store.type(b('s'))).toBe('stream');
    expect(store.object(b('s'))?.encoding).toBe('stream');
  });

  it('starts a node every stream-node-max-entries entries and reads ranges across them both ways', () => {
    const { store } = setup();
    for (let i = 1; i <= 250; i++) store.xadd(b('s'), add(i, 0, 'f', String(i)));
    const info = store.xinfoStream(b('s'))!;
    expect(info.masterIds.length).toBe(Math.ceil(250 / NODE_MAX_ENTRIES));
    expect(info.masterIds[1]).toBe(makeId(BigInt(NODE_MAX_ENTRIES + 1), 0n));
    expect(ids(store.xrange(b('s'), { ...all, start: makeId(99n, 0n), end: makeId(102n, 5n) }))).toEqual([
      '99-0',
      '100-0',
      '101-0',
      '102-0',
    ]);
    const reversed = store.xrange(b('s'), { ...all, start: makeId(99n, 0n), count: 3, reverse: true });
    expect(ids(reversed)).toEqual(['250-0', '249-0', '248-0']);
    expect(store.xrange(b('s'), { ...all, start: makeId(7n, 0n), end: makeId(7n, 0n) })![0].fields).toEqual([
      b('f'),
      b('7'),
    ]);
  });

  it('starts a node when the last one would pass stream-node-max-bytes', () => {
    const { store } = setup();
    const big = 'x'.repeat(1500);
    for (let i = 1; i <= 5; i++) store.xadd(b('s'), add(i, 0, 'f', big));
    // 1500-byte values: two fit a 4096-byte node, the third starts a new one.
    expect(store.xinfoStream(b('s'))!.masterIds.map((id) => Number(id >> 64n))).toEqual([1, 3, 5]);
    expect(store.xrange(b('s'), all)!.map((e) => e.fields[1].length)).toEqual([1500, 1500, 1500, 1500, 1500]);
  });

  it('keeps entries whose fields differ from the node master fields', () => {
    const { store } = setup();
    store.xadd(b('s'), add(1, 0, 'a', '1', 'b', '2'));
    store.xadd(b('s'), add(2, 0, 'a', '3', 'b', '4'));
    store.xadd(b('s'), add(3, 0, 'other', '-12345678901'));
    expect(store.xrange(b('s'), all)!.map((e) => e.fields.map(String).join(','))).toEqual([
      'a,1,b,2',
      'a,3,b,4',
      'other,-12345678901',
    ]);
  });

  it('XDEL marks entries deleted, frees a node with its last live entry, keeps the first and max-deleted IDs', () => {
    const { store } = setup();
    for (let i = 1; i <= 150; i++) store.xadd(b('s'), add(i, 0, 'f', 'v'));
    expect(store.xdel(b('s'), [makeId(1n, 0n), makeId(1n, 0n), makeId(999n, 0n), makeId(120n, 0n)])).toBe(2);
    let info = store.xinfoStream(b('s'))!;
    expect([info.length, info.firstId, info.maxDeletedId]).toEqual([148, makeId(2n, 0n), makeId(120n, 0n)]);
    const second = Array.from({ length: 50 }, (_, k) => makeId(BigInt(101 + k), 0n));
    expect(store.xdel(b('s'), second)).toBe(49); // 120 was already gone
    info = store.xinfoStream(b('s'))!;
    expect(info.masterIds.length).toBe(1);
    expect(info.last?.id).toBe(makeId(100n, 0n));
    expect(info.lastId).toBe(makeId(150n, 0n)); // the last ID stays what was generated
  });

  it('trims exactly inside a node and approximately by whole nodes only', () => {
    const { store } = setup();
    for (let i = 1; i <= 250; i++) store.xadd(b('s'), add(i, 0, 'f', 'v'));
    expect(store.xtrim(b('s'), trim({ maxlen: 180, approx: true, limit: 10000 })).trimmed).toBe(0);
    expect(store.xtrim(b('s'), trim({ maxlen: 140, approx: true, limit: 10000 }))).toEqual({
      trimmed: 100,
      trimmedTo: '150',
    });
    expect(store.xtrim(b('s'), trim({ maxlen: 145 })).trimmed).toBe(5);
    expect(ids(store.xrange(b('s'), { ...all, count: 1 }))).toEqual(['106-0']);
    expect(store.xtrim(b('s'), trim({ strategy: 'minid', minid: makeId(210n, 0n) })).trimmed).toBe(104);
    expect(store.xlen(b('s'))).toBe(41);
    expect(store.xinfoStream(b('s'))!.firstId).toBe(makeId(210n, 0n));
  });

  it('copies and renames a stream with blocks of its own, and gives the arena back when it goes', () => {
    const { store } = setup();
    const before = store.stats().usedMemory;
    for (let i = 1; i <= 300; i++) store.xadd(b('s'), add(i, 0, 'f', 'value'));
    expect(store.copy(b('s'), b('c'), false)).toBe(true);
    store.xadd(b('c'), add(301, 0, 'f', 'v'));
    store.xdel(b('s'), [makeId(5n, 0n)]);
    expect([store.xlen(b('s')), store.xlen(b('c'))]).toEqual([299, 301]);
    expect(store.rename(b('c'), b('renamed'), false)).toBe('ok');
    expect(ids(store.xrange(b('renamed'), { ...all, count: 1, reverse: true }))).toEqual(['301-0']);
    expect(store.memoryUsage(b('s'), Infinity)).toBeGreaterThan(300 * 4);
    store.del([b('s'), b('renamed')]);
    expect(store.stats().usedMemory).toBe(before);
  });

  it('dumps and loads the RDB form unchanged', () => {
    const { store } = setup();
    for (let i = 1; i <= 120; i++) store.xadd(b('s'), add(i, 0, 'f', String(i)));
    store.xdel(b('s'), [makeId(3n, 0n)]);
    const dump = store.streamDump(b('s'))!;
    store.streamLoad(b('t'), dump);
    expect(store.streamDump(b('t'))).toEqual(dump);
    expect(store.xrange(b('t'), all)).toEqual(store.xrange(b('s'), all));
  });

  it('XSETID moves the last ID, refusing one below the last entry', () => {
    const { store } = setup();
    store.xadd(b('s'), add(5, 0, 'f', 'v'));
    expect(commandError(() => store.xsetid(b('s'), { id: 1n, entriesAdded: -1, maxDeletedId: 0n }))).toBe(
      'ERR The ID specified in XSETID is smaller than the target stream top item',
    );
    expect(store.xsetid(b('s'), { id: makeId(9n, 0n), entriesAdded: 7, maxDeletedId: 0n })).toBe(true);
    expect(store.xinfoStream(b('s'))!.entriesAdded).toBe(7);
    expect(commandError(() => store.xadd(b('s'), add(8, 0, 'f', 'v')))).toMatch(/equal or smaller/);
    expect(store.xsetid(b('none'), { id: 1n, entriesAdded: -1, maxDeletedId: 0n })).toBe(false);
  });
});
