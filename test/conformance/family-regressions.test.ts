// Regressions found by the per-family random differentials against redis-server 7.0.15
// (differential-strings, -keyspace, -collections), pinned with the exact bytes redis-server sent, so each
// fails until fixed and stays fixed. Each case names the request that showed it. No redis-server needed.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveClient, type Arg } from '../support/live-harness.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

describe.each(transports)('%s transport: regressions found by the family differentials', (transport) => {
  let server: TestServer;
  let c: LiveClient;
  beforeAll(async () => {
    server = await startTestServer(transport, { workers: 2 });
    c = new LiveClient(await server.connect());
  });
  afterAll(async () => {
    await server.close();
  });
  const call = async (...argv: string[]): Promise<string> => (await c.call(argv)).toString('latin1');

  // ZADD z 1 a 2 b 3 c 4 d; ZRANDMEMBER z 4 -> Redis d c b a, redis-lite a b c d. A count at least the set's size
  // returns the whole set as zuiNext walks it (t_zset.c zrandmemberWithCountCommand, CASE 2), and zuiNext starts
  // a sorted set at its tail, listpack and skip list alike: highest score first.
  it('ZRANDMEMBER with a count past the size returns the whole set from the highest score down', async () => {
    await call('DEL', 'zr', 'zbig');
    expect(await call('ZADD', 'zr', '1', 'a', '2', 'b', '3', 'c', '4', 'd')).toBe(':4\r\n');
    expect(await call('ZRANDMEMBER', 'zr', '4')).toBe('*4\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n');
    expect(await call('ZRANDMEMBER', 'zr', '10', 'WITHSCORES')).toBe(
      '*8\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n',
    );
    const members = Array.from({ length: 130 }, (_, i) => [String(i), `m${i}`]).flat();
    expect(await call('ZADD', 'zbig', ...members)).toBe(':130\r\n');
    expect(await call('OBJECT', 'ENCODING', 'zbig')).toBe('$8\r\nskiplist\r\n');
    const whole = await call('ZRANDMEMBER', 'zbig', '200');
    expect(whole.startsWith('*130\r\n$4\r\nm129\r\n$4\r\nm128\r\n')).toBe(true);
    expect(whole.endsWith('$2\r\nm1\r\n$2\r\nm0\r\n')).toBe(true);
  });

  // SET s v PXAT 4102444800500; EXPIRETIME s -> Redis :4102444801, redis-lite :4102444800. ttlGenericCommand
  // (expire.c) answers EXPIRETIME as TTL: seconds rounded to the nearest, (ms + 500) / 1000, not truncated.
  it('EXPIRETIME rounds the deadline to the nearest second, as TTL does', async () => {
    expect(await call('SET', 'round', 'v', 'PXAT', '4102444800500')).toBe('+OK\r\n');
    expect(await call('EXPIRETIME', 'round')).toBe(':4102444801\r\n');
    expect(await call('PEXPIREAT', 'round', '4102444800499')).toBe(':1\r\n');
    expect(await call('EXPIRETIME', 'round')).toBe(':4102444800\r\n');
    // 2^63 - 1 rounds up past int64 / 1000 too, as Redis's (expire + 500) / 1000 came out.
    expect(await call('PEXPIREAT', 'round', '9223372036854775807')).toBe(':1\r\n');
    expect(await call('EXPIRETIME', 'round')).toBe(':9223372036854776\r\n');
  });

  // SET k v PXAT 9223372036854775807 (the largest deadline Redis takes) -> PEXPIRETIME: Redis
  // :9223372036854775807, redis-lite :9223372036854776000 (the deadline held as a double rounds up to 2^63), and
  // SAVE and BGREWRITEAOF failed ("The value of "value" is out of range") for the whole database. Bytes as
  // redis-server 7.0.15 sent them.
  it('keeps the largest deadline within int64: PEXPIRETIME and PTTL as Redis prints them', async () => {
    await call('DEL', 'far');
    expect(await call('SET', 'far', 'v', 'PXAT', '9223372036854775807')).toBe('+OK\r\n');
    expect(await call('PEXPIRETIME', 'far')).toBe(':9223372036854775807\r\n');
    expect(await call('EXPIRETIME', 'far')).toBe(':9223372036854776\r\n');
    const left = await call('PTTL', 'far');
    expect(/^:(\d+)\r\n$/.test(left)).toBe(true);
    const ms = BigInt(left.slice(1, -2));
    expect(ms > 9223370000000000000n && ms <= 9223372036854775807n - 1700000000000n).toBe(true);
    const seconds = BigInt((await call('TTL', 'far')).slice(1, -2));
    expect(seconds >= ms / 1000n - 1n && seconds <= ms / 1000n + 1n).toBe(true);
    expect(await call('PEXPIREAT', 'far', '9223372036854775807')).toBe(':1\r\n');
    expect(await call('PEXPIRETIME', 'far')).toBe(':9223372036854775807\r\n');
  });

  // The same key made SAVE answer "-ERR" and log "Failed saving the DB: The value of "value" is out of range"
  // (Redis: +OK); BGREWRITEAOF failed alike. What is saved loads back with the deadline Redis would load.
  it('saves a key with the largest deadline and loads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'family-regressions-'));
    try {
      const ask = async (s: TestServer, argv: Arg[]): Promise<string> => {
        const client = new LiveClient(await s.connect());
        try {
          return (await client.call(argv)).toString('latin1');
        } finally {
          client.raw.destroy();
        }
      };
      const first = await startTestServer(transport, { workers: 2, config: { dir } });
      try {
        expect(await ask(first, ['SET', 'far', 'v', 'PXAT', '9223372036854775807'])).toBe('+OK\r\n');
        expect(await ask(first, ['SAVE'])).toBe('+OK\r\n');
      } finally {
        await first.close();
      }
      const second = await startTestServer(transport, { workers: 2, config: { dir } });
      try {
        expect(await ask(second, ['PEXPIRETIME', 'far'])).toBe(':9223372036854775807\r\n');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
