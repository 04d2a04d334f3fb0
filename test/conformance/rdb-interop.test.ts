// RDB interoperability with redis-server 7.0, both ways: a dump written here passes redis-check-rdb and loads
// in redis-server with the same keys, values, types and TTLs; a dump redis-server writes (every type in both
// encodings) loads here the same, streams with consumer groups too; DUMP payloads move keys between the two with
// RESTORE in both directions.
// Skipped with a message when redis-server is not on PATH.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { captureKeyspace, fillEveryType } from '../support/dataset.js';
import { fcParameters } from '../support/live-harness.js';

/** The suite replays one seed (FC_SEED=random soaks: live-harness.ts fcParameters). */
const FIXED_SEED = 19889;
import { onPath, runTool, startRedisServer, type RedisServerProcess } from '../support/live-tools.js';
import { startTestServer, type TestServer } from '../support/server.js';

const haveRedis = onPath('redis-server');
if (!haveRedis) console.warn('redis-server not on PATH: skipping the RDB interop test');

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rdb-interop-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function client(port: number): Promise<Redis> {
  const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
  await c.connect();
  cleanup.push(async () => void c.disconnect());
  return c;
}

async function redisServer(args: string[] = []): Promise<RedisServerProcess> {
  const redis = await startRedisServer(args);
  cleanup.push(() => redis.stop());
  return redis;
}

async function liteServer(dir: string): Promise<TestServer> {
  const server = await startTestServer('eventloop', { config: { dir } });
  cleanup.push(() => server.close());
  return server;
}

describe.skipIf(!haveRedis)('RDB interop with redis-server 7.0', () => {
  it('a dump written here passes redis-check-rdb and loads in redis-server', async () => {
    const dir = tempDir();
    const lite = await liteServer(dir);
    const here = await client(lite.port);
    await fillEveryType(here);
    const expected = await captureKeyspace(here);
    expect(Object.keys(expected)).toHaveLength(20);
    expect(await here.save()).toBe('OK');
    const check = await runTool('redis-check-rdb', [join(dir, 'dump.rdb')]);
    expect(check.stdout + check.stderr).toContain('RDB looks OK!');
    const redis = await redisServer(['--dir', dir, '--dbfilename', 'dump.rdb']);
    expect(await captureKeyspace(await client(redis.port))).toEqual(expected);
  });

  it('a dump redis-server writes loads here', async () => {
    const dir = tempDir();
    const redis = await redisServer(['--dir', dir, '--dbfilename', 'dump.rdb']);
    const there = await client(redis.port);
    await fillEveryType(there);
    const expected = await captureKeyspace(there);
    expect(Object.keys(expected)).toHaveLength(20);
    expect(await there.object('ENCODING', 'hash:small')).toBe('listpack');
    expect(await there.save()).toBe('OK');
    const lite = await liteServer(dir);
    expect(await captureKeyspace(await client(lite.port))).toEqual(expected);
  });

  it('streams with consumer groups move both ways in dump files, XINFO STREAM FULL unchanged', async () => {
    const fill = async (c: Redis): Promise<void> => {
      for (let i = 1; i <= 150; i++)
        await c.xadd('s', `${i}-1`, 'f', String(i), ...(i % 9 === 0 ? ['g', 'x'] : []));
      await c.xdel('s', '3-1', '120-1');
      await c.xgroup('CREATE', 's', 'g1', '0');
      await c.xgroup('CREATE', 's', 'g2', '$', 'ENTRIESREAD', '150');
      await c.xreadgroup('GROUP', 'g1', 'alice', 'COUNT', '5', 'STREAMS', 's', '>');
      await c.xreadgroup('GROUP', 'g1', 'bob', 'COUNT', '2', 'STREAMS', 's', '>');
      await c.xack('s', 'g1', '1-1');
      await c.xgroup('CREATECONSUMER', 's', 'g2', 'idle');
      await c.xadd('empty', 'MAXLEN', '0', '7-7', 'a', 'b');
    };
    const full = async (c: Redis): Promise<unknown[]> => [
      await c.call('XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0'),
      await c.call('XINFO', 'STREAM', 'empty', 'FULL'),
    ];
    // redis-server -> here
    const theirs = tempDir();
    const redis = await redisServer(['--dir', theirs, '--dbfilename', 'dump.rdb']);
    const there = await client(redis.port);
    await fill(there);
    const expected = await full(there);
    expect(await there.save()).toBe('OK');
    const lite = await liteServer(theirs);
    const here = await client(lite.port);
    expect(await full(here)).toEqual(expected);
    // here -> redis-server: the loaded streams saved again over the same file, which a second redis-server loads
    await there.flushall();
    expect(await here.save()).toBe('OK');
    const check = await runTool('redis-check-rdb', [join(theirs, 'dump.rdb')]);
    expect(check.stdout + check.stderr).toContain('RDB looks OK!');
    const again = await redisServer(['--dir', theirs, '--dbfilename', 'dump.rdb']);
    expect(await full(await client(again.port))).toEqual(expected);
  });

  it('DUMP payloads RESTORE across both servers, and are byte-equal for strings', async () => {
    const redis = await redisServer();
    const lite = await liteServer(tempDir());
    const there = await client(redis.port);
    const here = await client(lite.port);
    await fillEveryType(there);
    const keys = (await there.keys('*')).sort();
    for (const key of keys) {
      const payload = await there.dumpBuffer(key);
      expect(await here.restore(key, 0, payload)).toBe('OK');
    }
    await fillEveryType(here); // same data, now written here: dump it back to a fresh database there
    await there.flushall();
    for (const key of keys) {
      const payload = await here.dumpBuffer(key);
      expect(await there.restore(key, 0, payload, 'REPLACE')).toBe('OK');
    }
    const strip = (capture: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(capture)
          .filter(([k]) => k.startsWith('0:'))
          .map(([k, v]) => [k, { ...(v as object), ttl: null }]),
      );
    expect(strip(await captureKeyspace(there))).toEqual(strip(await captureKeyspace(here)));
    for (const key of ['str:int', 'str:short', 'str:long', 'str:random']) {
      expect(await here.dumpBuffer(key)).toEqual(await there.dumpBuffer(key));
    }
  });
});

/** One key's value, as the commands that create it take it. */
type RandomValue =
  | { type: 'string'; value: Buffer }
  | { type: 'list'; elements: Buffer[] }
  | { type: 'set'; members: Buffer[] }
  | { type: 'hash'; pairs: [Buffer, Buffer][] }
  | { type: 'zset'; entries: [number, Buffer][] };

/** Short and long byte strings, integer-looking ones (int encodings), compressible runs (LZF). */
const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => Buffer.from(String(n))),
  fc.integer({ min: -100000, max: 100000 }).map((n) => Buffer.from(String(n))),
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 5, max: 60 }))
    .map(([s, n]) => Buffer.from(s.repeat(n))),
  fc.uint8Array({ minLength: 60, maxLength: 200 }).map((a) => Buffer.from(a)),
);
const countArb = fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 100, max: 700 }));
const valueArb: fc.Arbitrary<RandomValue> = fc.oneof(
  bytesArb.map((value) => ({ type: 'string' as const, value })),
  countArb.chain((n) =>
    fc
      .array(bytesArb, { minLength: n, maxLength: n })
      .map((elements) => ({ type: 'list' as const, elements })),
  ),
  countArb.chain((n) =>
    fc.array(bytesArb, { minLength: 1, maxLength: n }).map((members) => ({ type: 'set' as const, members })),
  ),
  countArb.chain((n) =>
    fc
      .array(fc.tuple(bytesArb, bytesArb), { minLength: 1, maxLength: n })
      .map((pairs) => ({ type: 'hash' as const, pairs })),
  ),
  countArb.chain((n) =>
    fc
      .array(fc.tuple(fc.double({ noNaN: true }), bytesArb), { minLength: 1, maxLength: n })
      .map((entries) => ({ type: 'zset' as const, entries })),
  ),
);

async function create(c: Redis, key: string, v: RandomValue): Promise<void> {
  await c.del(key);
  if (v.type === 'string') await c.set(key, v.value);
  else if (v.type === 'list') await c.rpush(key, ...v.elements);
  else if (v.type === 'set') await c.sadd(key, ...v.members);
  else if (v.type === 'hash') await c.hset(key, new Map(v.pairs.map(([f, x]) => [f.toString('latin1'), x])));
  else await c.call('ZADD', key, ...v.entries.flatMap(([s, m]) => [String(s), m]));
}

/** A key's value read back canonically (members and fields sorted where the order is the encoding's). */
async function readBack(c: Redis, key: string): Promise<unknown> {
  const type = await c.type(key);
  const sorted = (xs: Buffer[]) => xs.map((x) => x.toString('hex')).sort();
  if (type === 'string') return [type, (await c.getBuffer(key))?.toString('hex')];
  if (type === 'list') return [type, (await c.lrangeBuffer(key, 0, -1)).map((x) => x.toString('hex'))];
  if (type === 'set') return [type, sorted(await c.smembersBuffer(key))];
  if (type === 'hash')
    return [
      type,
      sorted(
        await c
          .hgetallBuffer(key)
          .then((h) => Object.keys(h).map((k) => Buffer.from(k + '=' + h[k].toString('hex')))),
      ),
    ];
  return [type, (await c.zrangeBuffer(key, '0', '-1', 'WITHSCORES')).map((x) => x.toString('hex'))];
}

describe.skipIf(!haveRedis)('DUMP/RESTORE differential with redis-server 7.0', () => {
  it('random values of every type: Redis -> here and here -> Redis restore equal values', async () => {
    const redis = await redisServer();
    const lite = await liteServer(tempDir());
    const there = await client(redis.port);
    const here = await client(lite.port);
    await fc.assert(
      fc.asyncProperty(valueArb, async (v) => {
        await create(there, 'k', v);
        const expected = await readBack(there, 'k');
        expect(await here.restore('k', 0, await there.dumpBuffer('k'), 'REPLACE')).toBe('OK');
        expect(await readBack(here, 'k')).toEqual(expected);
        await create(here, 'mine', v);
        expect(await there.restore('mine', 0, await here.dumpBuffer('mine'), 'REPLACE')).toBe('OK');
        expect(await readBack(there, 'mine')).toEqual(await readBack(here, 'mine'));
      }),
      fcParameters(40, FIXED_SEED),
    );
  }, 120_000);
});
