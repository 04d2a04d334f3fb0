// Table.sample, eviction's sample as dict.c dictGetSomeKeys takes one: entries chain by chain from the bucket given
// on, wrapping past the last bucket, at most the count asked, only keys with an expiry when volatile.
import { describe, expect, it } from 'vitest';
import type { TableAccess } from '../../src/core/store/access.js';
import { b, setup } from '../support/store-fixture.js';

/** One segment holding `keys` (those named in `expiring` with a TTL), and the walk sample() must follow. */
function shardWith(keys: readonly string[], expiring: ReadonlySet<string> = new Set()) {
  const { store } = setup({ segments: 1 });
  for (const key of keys) {
    store.set(b(key), b('v'), expiring.has(key) ? { expireAt: Date.now() + 3_600_000 } : undefined);
  }
  const access = (store as unknown as { access: TableAccess }).access;
  const table = access.table;
  const shard = access.shardOf(0, 0);
  const keyOf = (entry: number): string => table.keyBuffer(entry).toString('latin1');
  /** Every entry in walk order from `bucket` on: each bucket's chain, bucket after bucket, wrapping. */
  const walk = (bucket: number): string[] => {
    const out: string[] = [];
    const buckets = table.buckets(shard);
    for (let i = 0; i < buckets; i++) {
      for (let e = table.bucketHead(shard, (bucket + i) % buckets); e !== 0; e = table.next(e))
        out.push(keyOf(e));
    }
    return out;
  };
  const sample = (bucket: number, count: number, volatile = false): string[] => {
    const out = new Uint32Array(count);
    const taken = table.sample(shard, bucket, count, volatile, out);
    return Array.from(out.subarray(0, taken), keyOf);
  };
  return { table, shard, walk, sample };
}

describe('Table.sample', () => {
  const keys = Array.from({ length: 40 }, (_, i) => `key:${i}`);

  it('takes the first entries of the walk from any bucket, wrapping past the last', () => {
    const { table, shard, walk, sample } = shardWith(keys);
    for (let bucket = 0; bucket < table.buckets(shard); bucket++) {
      expect(sample(bucket, 5)).toEqual(walk(bucket).slice(0, 5));
    }
  });

  it('takes every key when asked for more than there are', () => {
    const { walk, sample } = shardWith(keys);
    expect(sample(3, 100).sort()).toEqual([...keys].sort());
    expect(sample(3, 100)).toEqual(walk(3));
  });

  it('takes only keys with an expiry when volatile', () => {
    const expiring = new Set(keys.filter((_, i) => i % 3 === 0));
    const { walk, sample } = shardWith(keys, expiring);
    expect(sample(0, 4, true)).toEqual(
      walk(0)
        .filter((k) => expiring.has(k))
        .slice(0, 4),
    );
    expect(sample(0, 100, true).sort()).toEqual([...expiring].sort());
  });
});
