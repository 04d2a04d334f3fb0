// RDB persistence on a real server, on every transport: SAVE then a restart loads every type back; BGSAVE
// while clients write is point-in-time (MSET pairs both in or both out); save points and the final save on
// close; a failed BGSAVE makes writes answer MISCONF while save points are set; DUMP/RESTORE's options and
// Redis 7.0's errors.

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { captureKeyspace, fillEveryType } from '../support/dataset.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';
import type { ServerOptions } from '../../src/server.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rdb-persistence-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function client(server: TestServer): Promise<Redis> {
  const c = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 0 });
  await c.connect();
  cleanup.push(async () => void c.disconnect());
  return c;
}

function infoField(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info)?.[1]?.trim();
}

/** Resolves once INFO says no save is running (the save's end is not an event a client can subscribe to). */
async function bgsaveDone(c: Redis): Promise<void> {
  while (infoField(await c.info('persistence'), 'rdb_bgsave_in_progress') !== '0') {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe.each(transports)('%s transport: RDB persistence', (transport) => {
  const start = async (dir: string, options: Partial<ServerOptions> = {}): Promise<TestServer> => {
    const server = await startTestServer(transport, {
      workers: 4,
      ...options,
      config: { dir, ...options.config },
    });
    cleanup.push(() => server.close());
    return server;
  };

  it('SAVE writes every type and a restart loads it back, TTLs included', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const c = await client(first);
    await fillEveryType(c);
    const before = await captureKeyspace(c);
    const info = await c.info('persistence');
    expect(Number(infoField(info, 'rdb_changes_since_last_save'))).toBeGreaterThan(10);
    expect(await c.save()).toBe('OK');
    expect(infoField(await c.info('persistence'), 'rdb_changes_since_last_save')).toBe('0');
    expect(Math.abs((await c.lastsave()) - Date.now() / 1000)).toBeLessThan(5);
    expect(readdirSync(dir)).toEqual(['dump.rdb']); // the temp file was renamed
    c.disconnect();
    await first.close();
    const second = await start(dir);
    const d = await client(second);
    expect(await captureKeyspace(d)).toEqual(before);
    expect(second.logs.matching('DB loaded from disk')).toHaveLength(1);
    const loaded = await d.info('persistence');
    expect(infoField(loaded, 'rdb_last_load_keys_loaded')).toBe(String(Object.keys(before).length));
    expect(infoField(loaded, 'rdb_last_load_keys_expired')).toBe('0');
  });

  it('BGSAVE while clients write keeps MSET pairs together and answers meanwhile', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const c = await client(first);
    const writer = await client(first);
    const filler = Array.from({ length: 20_000 }, (_, i) => [`fill:${i}`, 'x'.repeat(100)]).flat();
    await c.mset(...filler);
    let writing = true;
    let written = 0;
    const writes = (async () => {
      while (writing) {
        await writer.mset(`a:${written}`, String(written), `b:${written}`, String(written));
        written++;
      }
    })();
    while (written < 20) await new Promise((resolve) => setImmediate(resolve));
    expect(await c.bgsave()).toBe('Background saving started');
    await bgsaveDone(c);
    writing = false;
    await writes;
    const info = await c.info('persistence');
    expect(infoField(info, 'rdb_last_bgsave_status')).toBe('ok');
    expect(Number(infoField(await c.info('stats'), 'latest_fork_usec'))).toBeGreaterThan(0);
    c.disconnect();
    writer.disconnect();
    await first.close();
    const second = await start(dir);
    const d = await client(second);
    expect(await d.dbsize()).toBeGreaterThan(20_000);
    for (let i = 0; i < written; i++) {
      const [a, b] = await d.mget(`a:${i}`, `b:${i}`);
      expect(a).toBe(b);
    }
    // Written before BGSAVE: in the snapshot.
    expect(await d.get('a:0')).toBe('0');
  });

  it('with save points, a save is made when one is due and when the server closes', async () => {
    const dir = tempDir();
    let now = Date.now();
    const first = await start(dir, { clock: () => now, config: { save: '10 1' } });
    const c = await client(first);
    const last = await c.lastsave();
    await c.set('k', 'v');
    now += 11_000;
    while ((await c.lastsave()) === last) await new Promise((resolve) => setImmediate(resolve));
    expect(existsSync(join(dir, 'dump.rdb'))).toBe(true);
    await c.set('after', 'the save point');
    c.disconnect();
    await first.close(); // saves again: save points are set
    const second = await start(dir);
    const d = await client(second);
    expect(await d.mget('k', 'after')).toEqual(['v', 'the save point']);
  });

  it('a failed BGSAVE leaves the previous dump whole and turns writes away with MISCONF', async () => {
    const dir = tempDir();
    // CONFIG SET dir is protected, as in Redis 7.0: allowed here for this loopback client.
    const server = await start(dir, { config: { save: '3600 1', 'enable-protected-configs': 'local' } });
    const c = await client(server);
    await c.set('k', 'saved');
    expect(await c.save()).toBe('OK');
    await c.set('k', 'not saved');
    await c.config('SET', 'dir', join(dir, 'no-such-directory'));
    expect(await c.bgsave()).toBe('Background saving started');
    await bgsaveDone(c);
    expect(infoField(await c.info('persistence'), 'rdb_last_bgsave_status')).toBe('err');
    await expect(c.set('k', 'refused')).rejects.toThrow(/^MISCONF Redis is configured to save RDB snapshots/);
    expect(await c.get('k')).toBe('not saved'); // reads go on
    await c.config('SET', 'stop-writes-on-bgsave-error', 'no');
    expect(await c.set('k', 'allowed')).toBe('OK');
    await c.config('SET', 'dir', dir);
    await c.config('SET', 'stop-writes-on-bgsave-error', 'yes');
    expect(await c.save()).toBe('OK'); // a good save clears the error
    expect(await c.set('k', 'fine')).toBe('OK');
    expect(readdirSync(dir)).toEqual(['dump.rdb']);
  });

  it('BGSAVE inside EXEC snapshots after the transaction; SAVE is refused inside MULTI', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const c = await client(first);
    await c.set('before', '1');
    const replies = await c.multi().set('in-exec', '2').bgsave().exec();
    expect(replies).toEqual([
      [null, 'OK'],
      [null, 'Background saving scheduled'], // Redis 7.0's answer inside EXEC (server.in_exec)
    ]);
    await bgsaveDone(c);
    expect(infoField(await c.info('persistence'), 'rdb_last_bgsave_status')).toBe('ok');
    await c.call('MULTI');
    await expect(c.call('SAVE')).rejects.toThrow('ERR Command not allowed inside a transaction');
    await expect(c.call('EXEC')).rejects.toThrow(/^EXECABORT/);
    c.disconnect();
    await first.close();
    const second = await start(dir);
    const d = await client(second);
    expect(await d.mget('before', 'in-exec')).toEqual(['1', '2']);
  });

  it('INFO shows a BGSAVE going through its keys, counts saves and forks, and RESETSTAT zeroes the counts', async () => {
    const server = await start(tempDir());
    const saver = await client(server);
    const watcher = await client(server); // on the pool and the hybrid, another thread than the save's
    for (let i = 0; i < 20; i++) await saver.set(`key:${i}`, 'v');
    await saver.save();
    await saver.config('SET', 'rdb-key-save-delay', '10000'); // 10 ms after each key: the save takes 200 ms
    // On the pool and the hybrid the BGSAVE answers once written (its thread encodes it): watch meanwhile.
    const saving = saver.bgsave();
    const seen: string[] = [];
    for (;;) {
      const info = await watcher.info('persistence');
      if (infoField(info, 'rdb_saves') === '2') break;
      if (infoField(info, 'rdb_bgsave_in_progress') !== '1') continue;
      const done = infoField(info, 'current_save_keys_processed');
      seen.push(
        `${done}/${infoField(info, 'current_save_keys_total')} ${infoField(info, 'current_fork_perc')}`,
      );
    }
    await saving;
    // 0/0 only while the snapshot is being taken, before it knows its keys.
    for (const progress of seen) expect(progress).toMatch(/^(0\/0 0\.00|([0-9]|1[0-9]|20)\/20 \d+\.\d\d)$/);
    expect(seen.filter((progress) => progress.includes('/20')).length).toBeGreaterThan(0);
    const after = await watcher.info();
    expect([infoField(after, 'rdb_saves'), infoField(after, 'total_forks')]).toEqual(['2', '1']);
    expect([
      infoField(after, 'current_save_keys_processed'),
      infoField(after, 'current_save_keys_total'),
    ]).toEqual(['0', '0']);
    await watcher.config('RESETSTAT');
    const reset = await saver.info();
    expect([infoField(reset, 'rdb_saves'), infoField(reset, 'total_forks')]).toEqual(['0', '0']);
  });

  it("RESTORE and a restart keep a list's quicklist nodes as the payload splits them", async () => {
    const dir = tempDir();
    const first = await start(dir, { config: { 'list-max-listpack-size': '5' } });
    const c = await client(first);
    // LPUSH fills the head: nodes of 2 and 5 elements, where pushes at the tail would make 5 and 2.
    await c.lpush('l', '1', '2', '3', '4', '5', '6', '7');
    const payload = await c.dumpBuffer('l');
    expect(await c.restore('same-fill', 0, payload)).toBe('OK');
    await c.config('SET', 'list-max-listpack-size', '-2'); // one 8 KB node would hold all seven
    expect(await c.restore('other-fill', 0, payload)).toBe('OK');
    for (const key of ['same-fill', 'other-fill']) expect(await c.dumpBuffer(key)).toEqual(payload);
    expect(await c.save()).toBe('OK');
    c.disconnect();
    await first.close();
    const second = await start(dir);
    const d = await client(second);
    for (const key of ['l', 'same-fill', 'other-fill']) expect(await d.dumpBuffer(key)).toEqual(payload);
    expect(await d.lrange('other-fill', 0, -1)).toEqual(['7', '6', '5', '4', '3', '2', '1']);
  });

  it('RESTORE keeps a listpack hash or sorted set within the entries limit, however long its values', async () => {
    const server = await start(tempDir());
    const c = await client(server);
    const long = 'v'.repeat(100);
    await c.config('SET', 'hash-max-listpack-value', '1000');
    await c.config('SET', 'zset-max-listpack-value', '1000');
    await c.hset('h', 'f', long);
    await c.zadd('z', 1, long);
    const payloads = { h: await c.dumpBuffer('h'), z: await c.dumpBuffer('z') };
    await c.config('SET', 'hash-max-listpack-value', '64');
    await c.config('SET', 'zset-max-listpack-value', '64');
    for (const [key, payload] of Object.entries(payloads)) {
      expect(await c.restore(`${key}2`, 0, payload)).toBe('OK');
      expect(await c.object('ENCODING', `${key}2`)).toBe('listpack');
      expect(await c.dumpBuffer(`${key}2`)).toEqual(payload);
    }
    await c.hset('h2', 'g', 'short'); // a short write keeps it a listpack, as in Redis
    expect(await c.object('ENCODING', 'h2')).toBe('listpack');
    await c.config('SET', 'zset-max-listpack-entries', '0'); // past the entries limit it converts on load
    expect(await c.restore('z3', 0, payloads.z)).toBe('OK');
    expect(await c.object('ENCODING', 'z3')).toBe('skiplist');
  });

  it('DUMP and RESTORE with Redis 7.0 options and errors', async () => {
    const server = await start(tempDir());
    const c = await client(server);
    await c.rpush('list', 'a', 'b', 'c');
    const payload = await c.dumpBuffer('list');
    expect(await c.dumpBuffer('missing')).toBeNull();
    await expect(c.restore('list', 0, payload)).rejects.toThrow('BUSYKEY Target key name already exists.');
    expect(await c.restore('list', 0, payload, 'REPLACE')).toBe('OK');
    expect(await c.restore('copy', 5000, payload)).toBe('OK');
    expect(await c.lrange('copy', 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await c.pttl('copy')).toBeGreaterThan(4000);
    expect(await c.restore('abs', Date.now() + 60_000, payload, 'ABSTTL', 'IDLETIME', 10)).toBe('OK');
    expect(await c.pttl('abs')).toBeGreaterThan(50_000);
    expect(await c.restore('idle', 0, payload, 'IDLETIME', 1000)).toBe('OK');
    const idle = Number(await c.object('IDLETIME', 'idle'));
    expect(idle).toBeGreaterThanOrEqual(1000);
    expect(idle).toBeLessThan(1100);
    await c.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    expect(await c.restore('freq', 0, payload, 'FREQ', 100)).toBe('OK');
    expect(await c.object('FREQ', 'freq')).toBe(100);
    await c.config('SET', 'maxmemory-policy', 'noeviction');
    expect(await c.restore('past', 1, payload, 'ABSTTL')).toBe('OK'); // already expired: not created
    expect(await c.exists('past')).toBe(0);
    const damaged = Buffer.from(payload);
    damaged[2] ^= 0xff;
    await expect(c.restore('x', 0, damaged)).rejects.toThrow(
      'ERR DUMP payload version or checksum are wrong',
    );
    await expect(c.restore('x', -1, payload)).rejects.toThrow('ERR Invalid TTL value, must be >= 0');
    await expect(c.restore('x', 0, payload, 'FREQ', 300)).rejects.toThrow(
      'ERR Invalid FREQ value, must be >= 0 and <= 255',
    );
    await expect(c.restore('x', 0, payload, 'IDLETIME', 1, 'FREQ', 1)).rejects.toThrow('ERR syntax error');
    await expect(c.call('RESTORE', 'x', '0', payload, 'BOGUS')).rejects.toThrow('ERR syntax error');
    expect(await c.exists('x')).toBe(0);
  });
});
