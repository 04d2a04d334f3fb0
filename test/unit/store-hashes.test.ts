// The store's hashes (store/hashes.ts) below the commands: the listpack encoding's edits in the entry's own
// bytes (values growing and shrinking across varint sizes, fields deleted from the middle, the block moving
// with its TTL), memory given back when a hash goes, and COPY/RENAME/MOVE of a hash.

import { describe, expect, it } from 'vitest';
import { ERR } from '../../src/core/errors.js';
import { HASH_ERR } from '../../src/core/store/hashes.js';
import { b, commandError, setup, str } from '../support/store-fixture.js';

const fieldsOf = (store: ReturnType<typeof setup>['store'], key: string): string[] =>
  store.hgetall(b(key), 'both').map((v) => v.toString('latin1'));

describe('store hashes: the listpack encoding', () => {
  it('keeps insertion order through overwrites of every size and deletes from the middle', () => {
    const { store } = setup();
    store.setContainerLimits({ 'hash-max-listpack-value': 1000 });
    expect(store.hset(b('h'), [b('a'), b('1'), b('b'), b('2'), b('c'), b('3')])).toBe(3);
    const long = 'x'.repeat(200); // a length that takes two varint bytes
    expect(store.hset(b('h'), [b('b'), b(long)])).toBe(0);
    expect(fieldsOf(store, 'h')).toEqual(['a', '1', 'b', long, 'c', '3']);
    expect(store.hset(b('h'), [b('b'), b('22')])).toBe(0);
    expect(fieldsOf(store, 'h')).toEqual(['a', '1', 'b', '22', 'c', '3']);
    expect(store.hset(b('h'), [b('a'), b('9')])).toBe(0); // same size: written in place
    expect(store.hdel(b('h'), [b('b')])).toEqual({ removed: 1, deleted: false });
    expect(fieldsOf(store, 'h')).toEqual(['a', '9', 'c', '3']);
    expect(store.hlen(b('h'))).toBe(2);
    expect(store.object(b('h'))?.encoding).toBe('listpack');
  });

  it('keeps the TTL while the hash grows into new blocks and shrinks back', () => {
    const { store, clock } = setup();
    store.hset(b('h'), [b('f0'), b('v')]);
    expect(store.expireAt(b('h'), clock.now + 10_000)).toBe(true);
    for (let i = 1; i < 100; i++) store.hset(b('h'), [b(`f${i}`), b('v'.repeat(i))]);
    expect(store.pttl(b('h'))).toBe(10_000);
    for (let i = 0; i < 99; i++) store.hdel(b('h'), [b(`f${i}`)]);
    expect(store.pttl(b('h'))).toBe(10_000);
    expect(fieldsOf(store, 'h')).toEqual(['f99', 'v'.repeat(99)]);
  });

  it('gives back every byte when the hash goes, by HDEL of its last field or by DEL', () => {
    const { store } = setup();
    store.set(b('warm'), b('x')); // the shard's index exists before the baseline
    const baseline = store.stats().usedMemory;
    for (let i = 0; i < 100; i++) store.hset(b('h'), [b(`field:${i}`), b(`value:${i}`)]);
    expect(store.stats().usedMemory).toBeGreaterThan(baseline);
    expect(
      store.hdel(
        b('h'),
        Array.from({ length: 100 }, (_, i) => b(`field:${i}`)),
      ),
    ).toEqual({
      removed: 100,
      deleted: true,
    });
    expect(store.exists([b('h')])).toBe(0);
    expect(store.stats().usedMemory).toBe(baseline);
    for (let i = 0; i < 100; i++) store.hset(b('h'), [b(`field:${i}`), b(`value:${i}`)]);
    store.del([b('h')]);
    expect(store.stats().usedMemory).toBe(baseline);
  });

  it('COPY, RENAME and MOVE carry the hash, and the copy is independent', () => {
    const { store } = setup();
    store.hset(b('h'), [b('a'), b('1'), b('b'), b('2')]);
    expect(store.copy(b('h'), b('c'), false)).toBe(true);
    store.hset(b('c'), [b('a'), b('changed')]);
    expect(str(store.hmget(b('h'), [b('a')])![0])).toBe('1');
    expect(store.rename(b('c'), b('r'), false)).toBe('ok');
    expect(store.move(b('r'), 1)).toBe(true);
    expect(fieldsOf(store.select(1), 'r')).toEqual(['a', 'changed', 'b', '2']);
    expect(store.select(1).type(b('r'))).toBe('hash');
  });

  it('HINCRBY and HINCRBYFLOAT read the stored text as Redis does', () => {
    const { store } = setup();
    store.hset(b('h'), [b('n'), b('10'), b('s'), b(' 1'), b('f'), b('0x10')]);
    expect(store.hincrBy(b('h'), b('n'), 5n)).toBe(15n);
    expect(commandError(() => store.hincrBy(b('h'), b('s'), 1n))).toBe(HASH_ERR.notInteger);
    expect(commandError(() => store.hincrBy(b('h'), b('n'), 2n ** 63n - 1n))).toBe(ERR.overflow);
    expect(commandError(() => store.hincrByFloat(b('h'), b('s'), { kind: 'nan' }))).toBe(HASH_ERR.notFloat);
    expect(store.hmget(b('h'), [b('n')])!.map(str)).toEqual(['15']);
  });

  it('a missing key is null to the reads that tell it apart from an empty answer', () => {
    const { store } = setup();
    expect(store.hmget(b('nokey'), [b('a')])).toBeNull();
    expect(store.hget(b('nokey'), b('a'))).toBeUndefined();
    store.hset(b('h'), [b('a'), b('x'.repeat(200))]);
    expect(store.hget(b('h'), b('b'))).toBeNull();
    expect(str(store.hget(b('h'), b('a'))!)).toBe('x'.repeat(200)); // a two-byte length, copied whole
    expect(store.hexists(b('nokey'), b('a'))).toBeNull();
    expect(store.hstrlen(b('nokey'), b('a'))).toBeNull();
    expect(store.hrandfield(b('nokey'), 1, false, false)).toBeNull();
    expect(store.hscan(b('nokey'), '0', 10, null)).toBeNull();
    expect(store.hlen(b('nokey'))).toBe(0);
    expect(store.hdel(b('nokey'), [b('a')])).toEqual({ removed: 0, deleted: false });
  });
});

describe('store hashes: conversion to a hashtable at Redis 7.0 thresholds', () => {
  const fill = (store: ReturnType<typeof setup>['store'], key: string, n: number): void => {
    for (let i = 0; i < n; i++) store.hset(b(key), [b(`f${i}`), b(`v${i}`)]);
  };
  const encoding = (store: ReturnType<typeof setup>['store'], key: string): string | undefined =>
    store.object(b(key))?.encoding;

  it('past hash-max-listpack-entries (512) fields', () => {
    const { store } = setup();
    fill(store, 'h', 512);
    expect(encoding(store, 'h')).toBe('listpack');
    fill(store, 'h', 513);
    expect(encoding(store, 'h')).toBe('hashtable');
    expect(store.hlen(b('h'))).toBe(513);
    expect(store.hmget(b('h'), [b('f0'), b('f512'), b('nope')])!.map(str)).toEqual(['v0', 'v512', null]);
    expect(store.hgetall(b('h'), 'fields').length).toBe(513);
  });

  it('for a field or value longer than hash-max-listpack-value (64), an HINCRBYFLOAT result too', () => {
    const { store } = setup();
    store.hset(b('v64'), [b('f'), b('x'.repeat(64))]);
    store.hset(b('v65'), [b('f'), b('x'.repeat(65))]);
    store.hset(b('f65'), [b('x'.repeat(65)), b('v')]);
    store.hincrByFloat(b('float'), b('f'), {
      kind: 'finite',
      negative: false,
      significand: 1n << 63n,
      exponent: 300,
    });
    expect(['v64', 'v65', 'f65', 'float'].map((k) => encoding(store, k))).toEqual([
      'listpack',
      'hashtable',
      'hashtable',
      'hashtable',
    ]);
    // HSETNX of a field present writes nothing, so converts nothing (hsetnxCommand checks first).
    expect(store.hsetnx(b('v64'), b('f'), b('y'.repeat(65)))).toBe(false);
    expect(encoding(store, 'v64')).toBe('listpack');
  });

  it('follows the thresholds as CONFIG SET changes them, an update included, and never converts back', () => {
    const { store } = setup();
    fill(store, 'h', 3);
    store.setContainerLimits({ 'hash-max-listpack-entries': 2 });
    expect(encoding(store, 'h')).toBe('listpack'); // nothing happens until the hash is written
    store.hset(b('h'), [b('f0'), b('changed')]);
    expect(encoding(store, 'h')).toBe('hashtable');
    store.setContainerLimits({ 'hash-max-listpack-entries': 128 });
    store.hdel(b('h'), [b('f1'), b('f2')]);
    expect(encoding(store, 'h')).toBe('hashtable');
    expect(store.hgetall(b('h'), 'both').map((v) => v.toString())).toEqual(['f0', 'changed']);
    store.setContainerLimits({ 'hash-max-listpack-entries': 0 });
    store.hset(b('one'), [b('a'), b('1')]);
    expect(encoding(store, 'one')).toBe('hashtable');
  });

  it('edits a hashtable: overwrite, HINCRBY, HDEL down to the key going', () => {
    const { store } = setup();
    fill(store, 'h', 600);
    expect(store.hset(b('h'), [b('f5'), b('a much longer value than before'), b('new'), b('1')])).toBe(1);
    expect(store.hincrBy(b('h'), b('new'), 41n)).toBe(42n);
    expect(store.hstrlen(b('h'), b('f5'))).toBe(31);
    expect(store.hexists(b('h'), b('f599'))).toBe(true);
    const fields = store.hgetall(b('h'), 'fields');
    expect(store.hdel(b('h'), fields.slice(1))).toEqual({ removed: 600, deleted: false });
    expect(store.hdel(b('h'), [b('nope'), fields[0], b('f1')])).toEqual({ removed: 1, deleted: true });
    expect(store.exists([b('h')])).toBe(0);
  });

  it('gives back every byte however the hashtable goes: HDEL, DEL, expiry, FLUSHDB, overwrite by SET', () => {
    const { store, clock } = setup();
    store.set(b('warm'), b('x'));
    const baseline = store.stats().usedMemory;
    const ways: [string, () => void][] = [
      ['HDEL', () => store.hdel(b('h'), store.hgetall(b('h'), 'fields'))],
      ['DEL', () => store.del([b('h')])],
      [
        'expiry',
        () => {
          store.expireAt(b('h'), clock.now + 1);
          clock.now += 2;
          expect(store.hlen(b('h'))).toBe(0);
        },
      ],
      ['SET', () => store.set(b('h'), b('string now'))],
    ];
    for (const [way, remove] of ways) {
      fill(store, 'h', 600);
      expect(encoding(store, 'h')).toBe('hashtable');
      remove();
      store.del([b('h')]);
      expect(store.stats().usedMemory, way).toBe(baseline);
    }
    fill(store, 'h', 600);
    store.flushDb();
    expect(store.stats().usedMemory).toBeLessThan(baseline);
  });

  it('COPY and RENAME deep-copy a hashtable; MOVE carries it', () => {
    const { store } = setup();
    store.setContainerLimits({ 'hash-max-listpack-entries': 128 }); // 300 fields make a hashtable
    fill(store, 'h', 300);
    expect(store.copy(b('h'), b('copy'), false)).toBe(true);
    store.hset(b('copy'), [b('f0'), b('changed')]);
    store.hdel(b('h'), [b('f1')]);
    expect(str(store.hmget(b('h'), [b('f0')])![0])).toBe('v0');
    expect(store.hlen(b('copy'))).toBe(300);
    expect(store.rename(b('copy'), b('other-segment-maybe'), false)).toBe('ok');
    expect(store.move(b('other-segment-maybe'), 2)).toBe(true);
    const moved = store.select(2);
    expect(moved.object(b('other-segment-maybe'))?.encoding).toBe('hashtable');
    expect(str(moved.hmget(b('other-segment-maybe'), [b('f0')])![0])).toBe('changed');
    store.del([b('h')]);
    expect(moved.hlen(b('other-segment-maybe'))).toBe(300); // its own blocks
  });

  it('HSCAN walks a hashtable with a real cursor, every field at least once', () => {
    const { store } = setup();
    fill(store, 'h', 1000);
    const seen = new Map<string, string>();
    let cursor = '0';
    let steps = 0;
    do {
      const step = store.hscan(b('h'), cursor, 20, null)!;
      for (let i = 0; i < step.items.length; i += 2)
        seen.set(String(step.items[i]), String(step.items[i + 1]));
      cursor = step.cursor;
      steps++;
    } while (cursor !== '0');
    expect(seen.size).toBe(1000);
    expect(seen.get('f999')).toBe('v999');
    expect(steps).toBeGreaterThan(10); // it did page
    const matched = store.hscan(b('h'), '0', 100_000, (field) => String(field).startsWith('f99'))!;
    expect(matched.cursor).toBe('0');
    expect(
      matched.items
        .filter((_, i) => i % 2 === 0)
        .map(String)
        .sort(),
    ).toEqual(['f99', ...Array.from({ length: 10 }, (_, i) => `f99${i}`)].sort());
  });

  it('HRANDFIELD on a hashtable: distinct picks in each of t_hash.c cases, repeats for a negative count', () => {
    const { store } = setup();
    store.setContainerLimits({ 'hash-max-listpack-entries': 128 }); // 300 fields make a hashtable
    fill(store, 'h', 300);
    for (const count of [1, 50, 150, 299, 300, 1000]) {
      const picked = store.hrandfield(b('h'), count, true, true)!;
      expect(picked.fields.length, `count ${count}`).toBe(Math.min(count, 300));
      expect(new Set(picked.fields.map(String)).size).toBe(picked.fields.length);
      picked.fields.forEach((f, i) => expect(String(picked.values![i])).toBe(String(f).replace('f', 'v')));
    }
    const repeats = store.hrandfield(b('h'), 2000, false, false)!;
    expect(repeats.fields.length).toBe(2000);
    expect(new Set(repeats.fields.map(String)).size).toBeGreaterThan(250); // uniform enough to reach most
  });
});

describe('store hashes: a full arena', () => {
  /** A store whose arena is full but for one freed block the size of a small entry. */
  function fullStore() {
    const { store } = setup({ initialBytes: 256 * 1024, maxBytes: 256 * 1024, segments: 1 });
    const fields = Array.from({ length: 100 }, (_, i) => [b(`field:${i}`), b(`value:${i}`)]).flat();
    store.hset(b('small'), fields);
    let n = 0;
    try {
      for (;;) store.set(b(`fill:${n++}`), Buffer.alloc(512, 1));
    } catch (error) {
      expect(String(error)).toContain('OOM');
    }
    store.set(b('tiny'), b('12345678'));
    store.del([b('tiny')]);
    return { store, fields: fields.map(String) };
  }

  it('answers OOM without leaving an empty hash behind', () => {
    const { store } = fullStore();
    expect(commandError(() => store.hset(b('newkey'), [b('f'), Buffer.alloc(4000, 2)]))).toBe(ERR.oom);
    expect(store.exists([b('newkey')])).toBe(0);
    expect(commandError(() => store.hincrByFloat(b('newkey2'), b('f'), { kind: 'nan' }))).toBe(
      ERR.nanOrInfinity,
    );
    expect(store.exists([b('newkey2')])).toBe(0);
  });

  it('keeps a listpack whole when its conversion runs out of room', () => {
    const { store, fields } = fullStore();
    store.setContainerLimits({ 'hash-max-listpack-entries': 100 });
    expect(commandError(() => store.hset(b('small'), [b('one'), b('more')]))).toBe(ERR.oom);
    expect(store.object(b('small'))?.encoding).toBe('listpack');
    expect(fieldsOf(store, 'small').slice(0, 200)).toEqual(fields);
  });
});
