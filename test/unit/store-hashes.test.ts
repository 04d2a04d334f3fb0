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
    expect(store.hset(b('h'), [b('a'), b('1'), b('b'), b('2'), b('c'), b('3')])).toBe(3);
    const long = 'x'.repeat(200); // a length that takes two varint bytes
    expect(store.hset(b('h'), [b('b'), b(long)])).toBe(0);
    expect(fieldsOf(store, 'h')).toEqual(['a', '1', 'b', long, 'c', '3']);
    expect(store.hset(b('h'), [b('b'), b('22')])).toBe(0);
    expect(fieldsOf(store, 'h')).toEqual(['a', '1', 'b', '22', 'c', '3']);
    expect(store.hset(b('h'), [b('a'), b('9')])).toBe(0); // same size: written in place
    expect(store.hdel(b('h'), [b('b')])).toEqual({ deleted: 1, keyRemoved: false });
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
      deleted: 100,
      keyRemoved: true,
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
    expect(store.hexists(b('nokey'), b('a'))).toBeNull();
    expect(store.hstrlen(b('nokey'), b('a'))).toBeNull();
    expect(store.hrandfield(b('nokey'), 1, false, false)).toBeNull();
    expect(store.hscan(b('nokey'), '0', 10, null)).toBeNull();
    expect(store.hlen(b('nokey'))).toBe(0);
    expect(store.hdel(b('nokey'), [b('a')])).toEqual({ deleted: 0, keyRemoved: false });
  });
});
