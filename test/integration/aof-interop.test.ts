// The multi-part append-only file between redis-lite and Redis 7.0 (/usr/bin/redis-server 7.0.15), both ways, so
// redis-lite drops in where Redis 7.0 ran: a directory Redis wrote (several types, databases, TTLs, writes before,
// during and after a BGREWRITEAOF) loads into redis-lite key for key, and one redis-lite wrote the same way loads
// into Redis and passes redis-check-aof (given the manifest, as in 7.0). Also the upgrade from a single old file,
// the temporary files a killed process left, and a cut-short file that is not the last one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { infoFields, untilRewriteIdle } from '../support/info-wait.js';
import { onPath, startRedisServer } from '../support/live-tools.js';
import { withIoredisServer } from '../support/ioredis-fixture.js';
import { startTestServer, transports } from '../support/server.js';
import { AOF_DIR, manifestIn, manifestPath } from '../support/aof-dir.js';

const haveRedis = onPath('redis-server') && onPath('redis-check-aof');

/** Every key of every database, by type, in a form two servers can be compared by (TTLs: whether one is set). */
async function everyKey(c: Redis): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const keyspace = infoFields(await c.info('keyspace'));
  for (const name of keyspace.keys()) {
    const db = Number(name.slice(2));
    await c.select(db);
    for (const key of (await c.keys('*')).sort()) {
      const type = await c.type(key);
      let value: unknown;
      if (type === 'string') value = await c.get(key);
      else if (type === 'list') value = await c.lrange(key, 0, -1);
      else if (type === 'hash') value = await c.hgetall(key);
      else if (type === 'set') value = (await c.smembers(key)).sort();
      else if (type === 'zset') value = await c.zrange(key, '0', '-1', 'WITHSCORES');
      else value = `unexpected type ${type}`;
      out[`${db}:${key}`] = { type, value, ttl: (await c.pttl(key)) > 0 };
    }
  }
  await c.select(0);
  return out;
}

/** Writes of every type on `c`, some on database 5; `tag` keeps two rounds' keys apart. */
async function writeTypes(c: Redis, tag: string): Promise<void> {
  await c.set(`s:${tag}`, `value ${tag}`);
  await c.set(`ttl:${tag}`, 'x', 'EX', 3600);
  await c.incrby(`n:${tag}`, 41);
  await c.incr(`n:${tag}`);
  await c.rpush(`l:${tag}`, 'a', 'b', 'c', 'd');
  await c.lpop(`l:${tag}`);
  await c.hset(`h:${tag}`, 'f1', '1', 'f2', 'two');
  await c.sadd(`set:${tag}`, 'x', 'y', 'z', '1', '2');
  await c.srem(`set:${tag}`, 'y');
  await c.zadd(`z:${tag}`, 1.5, 'one', 2, 'two', -3, 'minus');
  await c.multi().set(`m:${tag}`, '1').incr(`m:${tag}`).exec();
  await c.append(`s:${tag}`, '!');
  await c.select(5);
  await c.set(`in5:${tag}`, 'five');
  await c.select(0);
}

/** Writers of counters and lists on their own connections until stopped, with a BGREWRITEAOF amid them. */
async function writeAroundRewrite(connect: () => Promise<Redis>, c: Redis): Promise<void> {
  const writers = await Promise.all([connect(), connect()]);
  let writing = true;
  let written = 0;
  const load = writers.map(async (w, n) => {
    for (let i = 0; writing; i++, written++) {
      await w.rpush(`during:${n}`, String(i));
      await w.incr(`count:${n}`);
    }
  });
  for (let i = 0; i < 2000; i++) await c.set(`k:${i}`, 'x'.repeat(i % 50)); // something for the base to hold
  expect(await c.bgrewriteaof()).toBe('Background append only file rewriting started');
  await writeTypes(c, 'during');
  const done = await untilRewriteIdle(c);
  expect(done.get('aof_last_bgrewrite_status')).toBe('ok');
  const after = written;
  while (written < after + 20) await new Promise((resolve) => setImmediate(resolve));
  writing = false;
  await Promise.all(load);
  await writeTypes(c, 'after');
  await Promise.all(writers.map((w) => w.quit()));
}

describe.skipIf(!haveRedis)('Redis 7.0 and redis-lite read each other’s append-only directory', () => {
  it('a directory redis-server 7.0 wrote, around a BGREWRITEAOF, loads into redis-lite on every transport', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-interop-'));
    const redis = await startRedisServer(['--dir', dir, '--appendonly', 'yes']);
    let expected: Record<string, unknown>;
    const clients: Redis[] = [];
    try {
      const connect = async (): Promise<Redis> => {
        const client = new Redis({ port: redis.port, host: '127.0.0.1' });
        clients.push(client);
        return client;
      };
      const c = await connect();
      await writeTypes(c, 'before');
      await writeAroundRewrite(connect, c);
      expected = await everyKey(c);
      await c.quit(); // the writers quit already
    } finally {
      await redis.stop();
    }
    // Redis's own layout: a base from the rewrite, the incremental file it opened at its start.
    expect(manifestIn(dir).base?.name).toBe('appendonly.aof.2.base.rdb');
    expect(manifestIn(dir).incr.length).toBe(1);
    expect(Object.keys(expected).length).toBeGreaterThan(2000);
    for (const transport of transports) {
      await withIoredisServer(transport, { config: { dir, appendonly: 'yes' } }, async (client) => {
        expect(await everyKey(await client())).toEqual(expected);
      });
    }
  });

  it.each(transports)(
    'a directory redis-lite (%s) wrote, around a BGREWRITEAOF, loads into Redis 7.0',
    async (transport) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-interop-'));
      const expected = await withIoredisServer(
        transport,
        { workers: 6, config: { dir, appendonly: 'yes' } },
        async (client) => {
          const c = await client();
          await writeTypes(c, 'before');
          await writeAroundRewrite(client, c);
          return everyKey(c);
        },
      );
      const check = spawnSync('redis-check-aof', [manifestPath(dir)], { encoding: 'utf8' });
      expect(check.stdout).toContain('All AOF files and manifest are valid');
      const redis = await startRedisServer(['--dir', dir, '--appendonly', 'yes']);
      const c = new Redis({ port: redis.port, host: '127.0.0.1' });
      try {
        expect(await everyKey(c)).toEqual(expected);
      } finally {
        await c.quit();
        await redis.stop();
      }
    },
  );
});

describe.each(transports)('%s transport: the append-only directory at start-up', (transport) => {
  it('adopts a single old appendonly.aof as the base, and removes the temporary files a kill left', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-upgrade-'));
    const old = '*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nvalue\r\n*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n';
    writeFileSync(path.join(dir, 'appendonly.aof'), old);
    const temps = [
      path.join(dir, 'temp-rewriteaof-bg-99999.aof'),
      path.join(dir, AOF_DIR, 'temp-appendonly.aof.incr'),
    ];
    mkdirSync(path.join(dir, AOF_DIR));
    for (const temp of temps) writeFileSync(temp, 'half written');
    await withIoredisServer(transport, { config: { dir, appendonly: 'yes' } }, async (client, server) => {
      const c = await client();
      expect(await c.get('old')).toBe('value');
      await c.rpush('l', 'b');
      expect(server.logs.matching('Successfully migrated an old-style AOF file').length).toBe(1);
      expect(Number(infoFields(await c.info('persistence')).get('aof_base_size'))).toBe(old.length);
    });
    expect(existsSync(path.join(dir, 'appendonly.aof'))).toBe(false);
    expect(temps.filter((temp) => existsSync(temp))).toEqual([]);
    expect(manifestIn(dir).base?.name).toBe('appendonly.aof'); // as Redis names the adopted file
    expect(manifestIn(dir).incr.map((f) => f.name)).toEqual(['appendonly.aof.1.incr.aof']);
    await withIoredisServer(transport, { config: { dir, appendonly: 'yes' } }, async (client) => {
      expect(await (await client()).lrange('l', 0, -1)).toEqual(['a', 'b']);
    });
  });

  it('refuses a command cut short in an incremental file that is not the last', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-cut-'));
    mkdirSync(path.join(dir, AOF_DIR));
    const aof = (name: string, text: string) => writeFileSync(path.join(dir, AOF_DIR, name), text);
    aof('appendonly.aof.1.incr.aof', '*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*3\r\n$3\r\nSET\r\n$1');
    aof('appendonly.aof.2.incr.aof', '*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n');
    aof(
      'appendonly.aof.manifest',
      'file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
    );
    await expect(startTestServer(transport, { config: { dir, appendonly: 'yes' } })).rejects.toThrow(
      'Fatal error: the truncated file is not the last file',
    );
    // The same cut in the last file loads (aof-load-truncated yes), after every file before it.
    aof(
      'appendonly.aof.manifest',
      'file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.1.incr.aof seq 3 type i\n',
    );
    await withIoredisServer(transport, { config: { dir, appendonly: 'yes' } }, async (client) => {
      expect(await (await client()).mget('a', 'b')).toEqual(['1', '2']);
    });
    expect(readdirSync(path.join(dir, AOF_DIR)).filter((n) => n.startsWith('temp-'))).toEqual([]);
  });
});
