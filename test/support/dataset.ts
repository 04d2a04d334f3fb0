// A dataset with every value type in both of its encodings, written through a client, and a canonical capture
// of a server's whole keyspace (every database, types, values, TTLs) to compare two servers or two runs.

import type { Redis } from 'ioredis';

/** Fills databases 0 and 2 of `client`'s server; the same calls work on Redis 7.0 and here. */
export async function fillEveryType(client: Redis): Promise<void> {
  const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  await client.select(0);
  await client.set('str:int', '12345');
  await client.set('str:neg', '-70000');
  await client.set('str:big', '98765432109876');
  await client.set('str:short', 'hello');
  await client.set('str:long', 'abcdefghij'.repeat(100)); // LZF
  await client.set(
    'str:random',
    Buffer.from(range(300, (i) => String.fromCharCode((i * 7919) % 256)).join(''), 'latin1'),
  );
  await client.set('str:empty', '');
  await client.set('str:ttl', 'v', 'PX', 3_600_000);
  await client.rpush('list:small', 'a', 'b', '1', '-5', '300000');
  await client.rpush(
    'list:big',
    ...range(1000, (i) => (i % 3 === 0 ? String(i) : `element-${i}-${'x'.repeat(i % 50)}`)),
  );
  await client.sadd('set:int', '1', '2', '-3', '4000000000');
  await client.sadd('set:str', 'a', 'b', 'c');
  await client.sadd('set:bigint', ...range(600, (i) => String(i * 3)));
  await client.hset('hash:small', 'f1', 'v1', 'f2', '2');
  await client.hset('hash:big', ...range(300, (i) => [`field${i}`, `value${i}`]).flat());
  await client.hset('hash:longvalue', 'f', 'y'.repeat(100));
  await client.zadd('zset:small', '1', 'one', '2.5', 'two', '-inf', 'low', '3', 'three');
  await client.zadd('zset:big', ...range(200, (i) => [String(i / 3), `member${i}`]).flat());
  await client.expire('hash:small', 1000);
  await client.select(2);
  await client.set('db2:key', 'in db 2');
  await client.zadd('db2:zset', '1e100', 'huge');
  await client.select(0);
}

/** Every key of databases 0..3 with its type, a canonical value and whether it has a TTL. */
export async function captureKeyspace(client: Redis): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (let db = 0; db < 4; db++) {
    await client.select(db);
    for (const key of (await client.keys('*')).sort()) {
      const type = await client.type(key);
      let value: unknown;
      if (type === 'string') value = (await client.getBuffer(key))?.toString('base64');
      else if (type === 'list') value = await client.lrange(key, 0, -1);
      else if (type === 'set') value = (await client.smembers(key)).sort();
      else if (type === 'hash') value = Object.entries(await client.hgetall(key)).sort();
      else if (type === 'zset') value = await client.zrange(key, '0', '-1', 'WITHSCORES');
      const ttl = await client.pttl(key);
      out[`${db}:${key}`] = { type, value, ttl: ttl > 0 ? 'set' : ttl };
    }
  }
  await client.select(0);
  return out;
}
