// Function libraries outlive a restart, on every transport: DEBUG RELOAD keeps them; SAVE writes them into the dump (as Redis 7.0 writes
// them: RDB_OPCODE_FUNCTION2 before the databases) and the next start loads them; a dump redis-server 7.0 wrote
// with functions loads here and one written here loads in redis-server (and passes redis-check-rdb); with
// appendonly, FUNCTION LOAD / DELETE are logged and replayed, and a rewrite's base (an RDB preamble, or commands
// with aof-use-rdb-preamble no) carries the libraries. redis-server parts are skipped when it is not on PATH.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { basePath, lastIncrPath } from '../support/aof-dir.js';
import { onPath, runTool, startRedisServer } from '../support/live-tools.js';
import { startTestServer, transports, type TestServer, type TransportName } from '../support/server.js';

const haveRedis = onPath('redis-server');

const LIBRARY = `#!lua name=kept
redis.register_function{function_name='kept_get', callback=function(keys) return redis.call('GET', keys[1]) end,
  flags={'no-writes'}, description='reads one key'}`;
const OTHER = `#!lua name=other\nredis.register_function('other_fn', function() return 'other' end)`;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'functions-persistence-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function client(port: number): Promise<Redis> {
  const c = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  await c.connect();
  cleanup.push(async () => void c.disconnect());
  return c;
}

/** A server on `dir`; closed by the caller (to restart on the same files) or after the test. */
async function lite(
  transport: TransportName,
  dir: string,
  config: Record<string, string> = {},
): Promise<TestServer> {
  const server = await startTestServer(transport, { workers: 2, config: { dir, ...config } });
  let closed = false;
  cleanup.push(async () => {
    if (!closed) await server.close();
  });
  const close = server.close.bind(server);
  return Object.assign(server, {
    close: async () => {
      closed = true;
      await close();
    },
  });
}

/** FUNCTION LIST WITHCODE (one function a library: Redis lists several in a random order) and an FCALL. */
async function keptState(c: Redis): Promise<unknown> {
  await c.set('k', 'v');
  return [
    await c.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'kept', 'WITHCODE'),
    await c.call('FCALL_RO', 'kept_get', '1', 'k'),
  ];
}

describe.each(transports)('function libraries across restarts on %s', (transport) => {
  it('saves them in the dump and loads them at start-up', async () => {
    const dir = tempDir();
    const first = await lite(transport, dir);
    const a = await client(first.port);
    await a.call('FUNCTION', 'LOAD', LIBRARY);
    const before = await keptState(a);
    expect(await a.save()).toBe('OK');
    await first.close();
    const second = await lite(transport, dir);
    const b = await client(second.port);
    expect(await keptState(b)).toEqual(before);
    expect(await b.call('FUNCTION', 'STATS')).toEqual([
      'running_script',
      null,
      'engines',
      ['LUA', ['libraries_count', 1, 'functions_count', 1]],
    ]);
  });

  it('keeps them through DEBUG RELOAD, which MERGE lets replace the ones of the same name', async () => {
    const dir = tempDir();
    const server = await lite(transport, dir, { 'enable-debug-command': 'yes' });
    const a = await client(server.port);
    await a.call('FUNCTION', 'LOAD', LIBRARY);
    const before = await keptState(a);
    expect(await a.call('DEBUG', 'RELOAD')).toBe('OK');
    expect(await keptState(a)).toEqual(before);
    expect(await a.get('k')).toBe('v');
    await expect(a.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH')).rejects.toThrow(
      'ERR Error trying to load the RDB dump',
    );
    await a.call('FUNCTION', 'LOAD', OTHER);
    expect(await a.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE')).toBe('OK');
    expect(await keptState(a)).toEqual(before);
    expect(await a.call('FCALL', 'other_fn', '0')).toBe('other');
    // Without NOFLUSH, what the dump lacks is gone: the dump was saved before OTHER was loaded.
    expect(await a.call('DEBUG', 'RELOAD', 'NOSAVE')).toBe('OK');
    await expect(a.call('FCALL', 'other_fn', '0')).rejects.toThrow('ERR Function not found');
  });

  it('puts them in the base CONFIG SET appendonly yes writes, which a restart loads', async () => {
    const dir = tempDir();
    const first = await lite(transport, dir);
    const a = await client(first.port);
    await a.call('FUNCTION', 'LOAD', LIBRARY);
    const before = await keptState(a);
    expect(await a.config('SET', 'appendonly', 'yes')).toBe('OK');
    await waitFor(() => {
      try {
        return readFileSync(basePath(dir)).includes('name=kept');
      } catch {
        return false; // no manifest yet
      }
    });
    await first.close();
    const second = await lite(transport, dir, { appendonly: 'yes' });
    expect(await keptState(await client(second.port))).toEqual(before);
  });

  it('logs them in the append-only file, replays them, and a rewrite base carries them', async () => {
    for (const preamble of ['yes', 'no']) {
      const dir = tempDir();
      const config = { appendonly: 'yes', 'aof-use-rdb-preamble': preamble };
      const first = await lite(transport, dir, config);
      const a = await client(first.port);
      await a.call('FUNCTION', 'LOAD', OTHER);
      await a.call('FUNCTION', 'LOAD', LIBRARY);
      await a.call('FUNCTION', 'DELETE', 'other');
      const before = await keptState(a);
      await first.close();
      const second = await lite(transport, dir, config);
      const b = await client(second.port);
      expect(await keptState(b)).toEqual(before);
      await expect(b.call('FCALL', 'other_fn', '0')).rejects.toThrow('ERR Function not found');
      // The rewrite's base holds the library; the log after it is empty of FUNCTION commands.
      await b.call('FUNCTION', 'LOAD', OTHER);
      expect(await b.bgrewriteaof()).toContain('rewriting started');
      // The new base holds both libraries (the old one had none), and the log after it no FUNCTION command.
      await waitFor(() => {
        const base = readFileSync(basePath(dir));
        return base.includes('name=kept') && base.includes('name=other');
      });
      expect(readFileSync(lastIncrPath(dir)).includes('FUNCTION')).toBe(false);
      if (preamble === 'no') {
        expect(readFileSync(basePath(dir)).includes('$8\r\nFUNCTION\r\n$4\r\nLOAD')).toBe(true);
      }
      await second.close();
      const third = await lite(transport, dir, config);
      const c = await client(third.port);
      expect(await keptState(c)).toEqual(before);
      expect(await c.call('FCALL', 'other_fn', '0')).toBe('other');
    }
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the condition never held');
}

describe.skipIf(!haveRedis)('function libraries in RDB files shared with redis-server 7.0', () => {
  it('loads a dump redis-server wrote with functions', async () => {
    const dir = tempDir();
    const redis = await startRedisServer(['--dir', dir, '--dbfilename', 'dump.rdb']);
    cleanup.push(() => redis.stop());
    const there = await client(redis.port);
    await there.call('FUNCTION', 'LOAD', LIBRARY);
    const expected = await keptState(there);
    expect(await there.save()).toBe('OK');
    expect(readFileSync(join(dir, 'dump.rdb')).includes(Buffer.from('#!lua name=kept'))).toBe(true);
    const server = await lite('eventloop', dir);
    expect(await keptState(await client(server.port))).toEqual(expected);
  });

  it('writes a dump redis-server loads, which redis-check-rdb passes', async () => {
    const dir = tempDir();
    const server = await lite('eventloop', dir);
    const here = await client(server.port);
    await here.call('FUNCTION', 'LOAD', LIBRARY);
    await here.call('FUNCTION', 'LOAD', OTHER);
    const dump = (await here.callBuffer('FUNCTION', 'DUMP')) as Buffer;
    expect(await here.save()).toBe('OK');
    const check = await runTool('redis-check-rdb', [join(dir, 'dump.rdb')]);
    expect(check.stdout + check.stderr).toContain('RDB looks OK!');
    const redis = await startRedisServer(['--dir', dir, '--dbfilename', 'dump.rdb']);
    cleanup.push(() => redis.stop());
    const there = await client(redis.port);
    expect(await there.call('FCALL', 'other_fn', '0')).toBe('other');
    expect(await there.call('FUNCTION', 'STATS')).toEqual(await here.call('FUNCTION', 'STATS'));
    // The same libraries: redis-server restores this server's DUMP payload over what it loaded.
    expect(await there.call('FUNCTION', 'RESTORE', dump, 'REPLACE')).toBe('OK');
  });
});
