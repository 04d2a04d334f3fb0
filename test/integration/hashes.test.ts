// Hashes on real sockets with the real clients (ioredis in RESP2, node-redis's default RESP3 client), on every
// transport (issue 12). On the pool each connection is served by its own worker thread and the hybrid spreads
// them over its loops, so concurrent HSETs and HINCRBYs of one hash from several clients test that its edits
// under the key's lock lose no other thread's field or increment, whatever encoding the hash is in.

import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

const CONNECTIONS = 4;

describe.each(transports)('%s transport: hashes', (transport) => {
  const fixture = useIoredisServer(transport, CONNECTIONS + 3);
  const ioredis = fixture.ioredis;

  it('answers every hash command (ioredis, RESP2)', async () => {
    const [a, b] = [await ioredis(), await ioredis()];
    await a.flushall();
    expect(await a.hset('h', 'f1', 'v1', 'f2', 'v2')).toBe(2);
    expect(await b.hget('h', 'f1')).toBe('v1');
    expect(await b.hmget('h', 'f1', 'nope', 'f2')).toEqual(['v1', null, 'v2']);
    expect(await a.hmset('h', 'f3', 'v3')).toBe('OK');
    expect(await a.hsetnx('h', 'f3', 'x')).toBe(0);
    expect(await b.hgetall('h')).toEqual({ f1: 'v1', f2: 'v2', f3: 'v3' });
    expect(await b.hkeys('h')).toEqual(['f1', 'f2', 'f3']);
    expect(await b.hvals('h')).toEqual(['v1', 'v2', 'v3']);
    expect(await b.hlen('h')).toBe(3);
    expect(await b.hexists('h', 'f2')).toBe(1);
    expect(await b.hstrlen('h', 'f2')).toBe(2);
    expect(await a.hincrby('h', 'n', 41)).toBe(41);
    expect(await a.hincrbyfloat('h', 'n', '1.5')).toBe('42.5');
    expect(await b.hrandfield('h', 10)).toEqual(['f1', 'f2', 'f3', 'n']);
    expect(await b.hscan('h', '0', 'MATCH', 'f*')).toEqual(['0', ['f1', 'v1', 'f2', 'v2', 'f3', 'v3']]);
    expect(await a.hdel('h', 'f1', 'f2', 'f3', 'n')).toBe(4);
    expect(await a.exists('h')).toBe(0);
    await a.set('s', 'v');
    await expect(a.hget('s', 'f')).rejects.toThrow('WRONGTYPE');
    await expect(a.hincrby('s2', 'f', 'x' as never)).rejects.toThrow(
      'ERR value is not an integer or out of range',
    );
  });

  it('answers HGETALL as a map and HRANDFIELD WITHVALUES as pairs to node-redis in RESP3', async () => {
    const { host, port } = fixture.server();
    const client = createClient({ socket: { host, port }, RESP: 3 });
    await client.connect();
    try {
      await client.del('r3');
      await client.hSet('r3', { a: '1', b: '2' });
      expect(await client.hGetAll('r3')).toEqual({ a: '1', b: '2' });
      expect(await client.sendCommand(['HRANDFIELD', 'r3', '5', 'WITHVALUES'])).toEqual([
        ['a', '1'],
        ['b', '2'],
      ]);
    } finally {
      await client.quit();
    }
  });

  it('loses no field and no increment when clients on different threads write one hash at once', async () => {
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => ioredis()));
    await clients[0].del('shared');
    const perClient = 200; // 800 fields: past hash-max-listpack-entries (512), so the hash converts meanwhile
    await Promise.all(
      clients.map((c, i) => {
        const pipeline = c.pipeline();
        for (let n = 0; n < perClient; n++) {
          pipeline.hset('shared', `c${i}:${n}`, `${n}`);
          pipeline.hincrby('shared', 'counter', 1);
        }
        return pipeline.exec();
      }),
    );
    expect(await clients[0].hlen('shared')).toBe(perClient * CONNECTIONS + 1);
    expect(await clients[1].hget('shared', 'counter')).toBe(`${perClient * CONNECTIONS}`);
    const all = await clients[2].hgetall('shared');
    for (let i = 0; i < CONNECTIONS; i++) {
      for (let n = 0; n < perClient; n++) expect(all[`c${i}:${n}`]).toBe(`${n}`);
    }
  });
});
