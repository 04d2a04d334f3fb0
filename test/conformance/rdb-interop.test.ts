// RDB interoperability with redis-server 7.0, both ways: a dump written here passes redis-check-rdb and loads
// in redis-server with the same keys, values, types and TTLs; a dump redis-server writes (every type in both
// encodings) loads here the same; DUMP payloads move keys between the two with RESTORE in both directions.
// Skipped with a message when redis-server is not on PATH.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { captureKeyspace, fillEveryType } from '../support/dataset.js';
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
