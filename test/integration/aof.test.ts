// The append-only file on real servers, on every transport (issue 17): what clients wrote (every type, several
// databases, a transaction, TTLs, an SPOP) is there again after a restart; several connections writing one key at
// once (on the pool and the hybrid, from several threads) leave a file that replays to the value they left;
// redis-check-aof accepts the file; a file cut short loads without its last command, and a corrupt one stops
// the start with the reason. The kill -9 test for appendfsync always is in aof-crash.test.ts.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { untilRewriteIdle } from '../support/info-wait.js';
import { onPath } from '../support/live-tools.js';
import { AOF_DIR, basePath, lastIncrPath, MANIFEST, manifestIn, manifestPath } from '../support/aof-dir.js';
import { withIoredisServer } from '../support/ioredis-fixture.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

/** A server writing the append-only file in `dir` (6 workers: the pool's tests hold several clients at once). */
function withServer<R>(
  transport: (typeof transports)[number],
  dir: string,
  work: (client: () => Promise<Redis>, server: TestServer) => Promise<R>,
  fsync = 'everysec',
): Promise<R> {
  return withIoredisServer(
    transport,
    { workers: 6, config: { appendonly: 'yes', dir, appendfsync: fsync } },
    work,
  );
}

describe.each(transports)('%s transport: append-only file', (transport) => {
  it('replays what clients wrote after a restart: every type, databases, MULTI/EXEC, TTLs, SPOP', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-'));
    await withServer(transport, dir, async (client) => {
      const c = await client();
      await c.set('s', 'v');
      await c.set('ttl', 'v', 'EX', 1000);
      await c.incrby('n', 5);
      await c.rpush('l', 'a', 'b', 'c');
      await c.lpop('l');
      await c.hset('h', 'f', '1', 'g', '2');
      await c.sadd('set', 'x', 'y', 'z');
      expect(await c.spop('set')).toMatch(/^[xyz]$/);
      await c.zadd('z', 1, 'one', 2, 'two');
      await c.multi().set('m1', '1').incr('m1').set('m2', '2').exec();
      await c.select(3);
      await c.set('in3', 'three');
      await c.select(0);
      await c.set('gone', 'x');
      await c.del('gone');
      await c.set('short', 'x', 'PX', 1); // expired by the time it is read back
      const other = await client();
      await other.set('from-other', 'y');
    });
    await withServer(transport, dir, async (client) => {
      const c = await client();
      expect(await c.get('s')).toBe('v');
      expect(await c.ttl('ttl')).toBeGreaterThan(900);
      expect(await c.get('n')).toBe('5');
      expect(await c.lrange('l', 0, -1)).toEqual(['b', 'c']);
      expect(await c.hgetall('h')).toEqual({ f: '1', g: '2' });
      expect(await c.scard('set')).toBe(2);
      expect(await c.zrange('z', '0', '-1', 'WITHSCORES')).toEqual(['one', '1', 'two', '2']);
      expect(await c.mget('m1', 'm2')).toEqual(['2', '2']);
      expect(await c.exists('gone', 'short')).toBe(0);
      expect(await c.get('from-other')).toBe('y');
      await c.select(3);
      expect(await c.get('in3')).toBe('three');
    });
    if (onPath('redis-check-aof')) {
      const check = spawnSync('redis-check-aof', [manifestPath(dir)], { encoding: 'utf8' });
      expect(check.stdout).toContain('All AOF files and manifest are valid');
    }
  });

  it('logs writes to one key from many connections in the order they were applied', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-'));
    const final = await withServer(transport, dir, async (client) => {
      const writers = await Promise.all([client(), client(), client(), client()]);
      await Promise.all(
        writers.map(async (c, w) => {
          for (let i = 0; i < 200; i++) {
            await c.set('shared', `${w}:${i}`);
            await c.rpush('list', `${w}:${i}`);
          }
        }),
      );
      const c = writers[0];
      return { value: await c.get('shared'), list: await c.lrange('list', 0, -1) };
    });
    await withServer(transport, dir, async (client) => {
      const c = await client();
      expect(await c.get('shared')).toBe(final.value);
      expect(await c.lrange('list', 0, -1)).toEqual(final.list);
    });
  });

  it('logs a blocked client served by another client as the pop it did, in its place among the pushes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-'));
    await withServer(transport, dir, async (client) => {
      const [blocked, pusher] = [await client(), await client()];
      const served = blocked.blpop('queue', 0);
      await pusher.ping(); // BLPOP has reached the server before the push
      while ((await pusher.info('clients')).includes('blocked_clients:0')) await pusher.ping();
      await pusher.rpush('queue', 'first', 'second');
      expect(await served).toEqual(['queue', 'first']);
      await pusher.rpush('queue', 'third');
    });
    await withServer(transport, dir, async (client) => {
      expect(await (await client()).lrange('queue', 0, -1)).toEqual(['second', 'third']);
    });
  });

  it('BGREWRITEAOF: an RDB base and the writes since in a new incremental file, while others keep writing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-'));
    const expected = await withServer(transport, dir, async (client) => {
      const c = await client();
      for (let i = 0; i < 300; i++) await c.set('counter', String(i)); // history the rewrite compacts
      await c.rpush('list', 'a', 'b');
      await c.hset('h', 'f', 'v');
      await c.set('ttl', 'x', 'EX', 1000);
      await c.select(2);
      await c.set('in2', 'two');
      await c.select(0);
      const before = manifestIn(dir);
      const history = [before.base, ...before.incr].map((f) => f?.name);
      const writers = await Promise.all([client(), client()]);
      let writing = true;
      const load = writers.map(async (w, n) => {
        let i = 0;
        while (writing) await w.rpush(`during:${n}`, String(i++));
      });
      expect(await c.bgrewriteaof()).toBe('Background append only file rewriting started');
      await c.set('after', 'yes');
      await c.select(2);
      await c.set('after2', 'yes');
      writing = false;
      await Promise.all(load);
      expect((await untilRewriteIdle(c)).get('aof_last_bgrewrite_status')).toBe('ok');
      // Redis 7.0's names: the next base (an RDB), the incremental file opened at the cut; the old ones deleted.
      const after = manifestIn(dir);
      expect(after.base?.name).toBe('appendonly.aof.2.base.rdb');
      expect(after.incr.map((f) => f.name)).toEqual(['appendonly.aof.2.incr.aof']);
      expect(after.history).toEqual([]);
      expect(readFileSync(basePath(dir)).subarray(0, 5).toString()).toBe('REDIS');
      expect(readdirSync(path.join(dir, AOF_DIR)).sort()).toEqual(
        ['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof', MANIFEST].sort(),
      );
      expect(history.every((name) => !existsSync(path.join(dir, AOF_DIR, name ?? '')))).toBe(true);
      return {
        d0: await writers[0].lrange('during:0', 0, -1),
        d1: await writers[1].lrange('during:1', 0, -1),
      };
    });
    await withServer(transport, dir, async (client) => {
      const c = await client();
      expect(await c.mget('counter', 'after')).toEqual(['299', 'yes']);
      expect(await c.lrange('list', 0, -1)).toEqual(['a', 'b']);
      expect(await c.hgetall('h')).toEqual({ f: 'v' });
      expect(await c.ttl('ttl')).toBeGreaterThan(900);
      expect(await c.lrange('during:0', 0, -1)).toEqual(expected.d0);
      expect(await c.lrange('during:1', 0, -1)).toEqual(expected.d1);
      await c.select(2);
      expect(await c.mget('in2', 'after2')).toEqual(['two', 'yes']);
    });
    if (onPath('redis-check-aof')) {
      const check = spawnSync('redis-check-aof', [manifestPath(dir)], { encoding: 'utf8' });
      expect(check.stdout).toContain('All AOF files and manifest are valid');
    }
  });

  it('logs each key maxmemory evicts as a DEL: a restart without the cap does not bring them back', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-'));
    const kept = await withServer(transport, dir, async (client) => {
      const c = await client();
      const pipeline = c.pipeline();
      for (let i = 0; i < 200; i++) pipeline.set(`k${i}`, 'v'.repeat(1000));
      await pipeline.exec();
      const used = Number(/^used_memory_dataset:(\d+)/m.exec(await c.info('memory'))![1]);
      await c.config('SET', 'maxmemory-policy', 'allkeys-lru');
      await c.config('SET', 'maxmemory-eviction-tenacity', '100'); // no time limit: down to the cap at once
      await c.config('SET', 'maxmemory', String(Math.floor(used / 2)));
      await c.set('after', 'x'); // evicts first
      expect(Number(/^evicted_keys:(\d+)/m.exec(await c.info('stats'))![1])).toBeGreaterThan(50);
      return (await c.keys('*')).sort();
    });
    expect(readFileSync(lastIncrPath(dir), 'latin1')).toMatch(/\*2\r\n\$3\r\nDEL\r\n/);
    await withServer(transport, dir, async (client) => {
      expect((await (await client()).keys('*')).sort()).toEqual(kept);
    });
  });

  it('loads a file cut short without its last command, and refuses to start on a corrupt one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-'));
    await withServer(transport, dir, async (client) => {
      const c = await client();
      await c.set('a', '1');
      await c.set('b', '2');
    });
    const file = lastIncrPath(dir);
    const whole = readFileSync(file);
    appendFileSync(file, '*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1'); // a write the process died in
    await withServer(transport, dir, async (client, server) => {
      const c = await client();
      expect(await c.mget('a', 'b', 'c')).toEqual(['1', '2', null]);
      expect(server.logs.matching('short read while loading the AOF').length).toBe(1);
    });
    expect(readFileSync(file).subarray(0, whole.length)).toEqual(whole);
    writeFileSync(file, Buffer.concat([whole, Buffer.from('not a command\r\n'), whole]));
    await expect(startTestServer(transport, { config: { appendonly: 'yes', dir } })).rejects.toThrow(
      `Bad file format reading the append only file ${path.basename(file)}: make a backup of your AOF file, ` +
        'then use ./redis-check-aof --fix <filename.manifest>',
    );
  });
});
