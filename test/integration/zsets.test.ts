// Sorted sets on real sockets with the real clients (ioredis in RESP2, node-redis's default RESP3 client), on every
// transport (issue 12). On the pool each connection is served by its own worker thread and the hybrid spreads them
// over its loops, so concurrent ZADDs and ZPOPMINs of one key from several clients test that the skip list, edited
// in shared memory under its key's lock, loses and duplicates nothing; MULTI holds a ZUNIONSTORE's keys together.

import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

const CONNECTIONS = 4;

describe.each(transports)('%s transport: sorted sets', (transport) => {
  const fixture = useIoredisServer(transport, CONNECTIONS + 3);
  const ioredis = fixture.ioredis;

  it('answers the sorted set commands (ioredis, RESP2)', async () => {
    const [a, b] = [await ioredis(), await ioredis()];
    await a.flushall();
    expect(await a.zadd('z', 1, 'one', 2, 'two', 3.5, 'three')).toBe(3);
    expect(await b.zrange('z', '0', '-1', 'WITHSCORES')).toEqual(['one', '1', 'two', '2', 'three', '3.5']);
    expect(await b.zincrby('z', 0.1, 'one')).toBe('1.1000000000000001');
    expect(await b.zrevrank('z', 'one')).toBe(2);
    expect(await b.zrangebyscore('z', '(1', '+inf')).toEqual(['one', 'two', 'three']);
    expect(await b.zpopmax('z')).toEqual(['three', '3.5']);
    expect(await a.zunionstore('u', 2, 'z', 'z', 'WEIGHTS', 1, 2)).toBe(2);
    expect(await a.zrange('u', '0', '-1', 'WITHSCORES')).toEqual(['one', '3.3000000000000003', 'two', '6']);
    await expect(a.zadd('z', 'NX', 'XX', 1, 'x')).rejects.toThrow('XX and NX options at the same time');
    await a.set('s', 'v');
    await expect(a.zadd('s', 1, 'x')).rejects.toThrow('WRONGTYPE');
    expect(await a.call('OBJECT', 'ENCODING', 'u')).toBe('listpack');
  });

  it('answers in RESP3 with doubles and [member, score] pairs (node-redis)', async () => {
    const { host, port } = fixture.server();
    const client = createClient({ socket: { host, port }, RESP: 3 } as Parameters<typeof createClient>[0]);
    await client.connect();
    try {
      await client.sendCommand(['DEL', 'r3']);
      await client.sendCommand(['ZADD', 'r3', '1.5', 'a', '2', 'b']);
      expect(await client.sendCommand(['ZSCORE', 'r3', 'a'])).toBe(1.5);
      expect(await client.sendCommand(['ZRANGE', 'r3', '0', '-1', 'WITHSCORES'])).toEqual([
        ['a', 1.5],
        ['b', 2],
      ]);
      expect(await client.sendCommand(['ZMPOP', '1', 'r3', 'MAX'])).toEqual(['r3', [['b', 2]]]);
    } finally {
      await client.quit();
    }
  });

  it('loses and duplicates no member when clients on different threads add and pop one skip list', async () => {
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => ioredis()));
    await clients[0].del('shared');
    const perClient = 400;
    await Promise.all(
      clients.map((c, i) => {
        const pipeline = c.pipeline();
        for (let n = 0; n < perClient; n++) pipeline.zadd('shared', n, `c${i}-${n}`);
        return pipeline.exec();
      }),
    );
    expect(await clients[0].zcard('shared')).toBe(perClient * CONNECTIONS);
    expect(await clients[0].call('OBJECT', 'ENCODING', 'shared')).toBe('skiplist');
    const popped = await Promise.all(
      clients.map(async (c) => {
        const taken: string[] = [];
        for (;;) {
          const pair = await c.zpopmin('shared', 37);
          if (pair.length === 0) return taken;
          for (let i = 0; i < pair.length; i += 2) taken.push(pair[i]);
        }
      }),
    );
    const all = popped.flat();
    expect(all.length).toBe(perClient * CONNECTIONS);
    expect(new Set(all).size).toBe(all.length);
    expect(await clients[0].exists('shared')).toBe(0);
  });

  it('runs ZUNIONSTORE inside MULTI over keys its numkeys names (locked together)', async () => {
    const [a] = [await ioredis()];
    await a.del('m1', 'm2', 'dst');
    await a.zadd('m1', 1, 'x');
    await a.zadd('m2', 2, 'x', 3, 'y');
    const replies = await a
      .multi()
      .zunionstore('dst', 2, 'm1', 'm2')
      .zrange('dst', '0', '-1', 'WITHSCORES')
      .exec();
    expect(replies).toEqual([
      [null, 2],
      [null, ['x', '3', 'y', '3']],
    ]);
  });
});
