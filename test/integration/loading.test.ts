// Start-up loading as Redis 7.0 (server.c processCommand, rdb.c loading_process_events_interval_bytes): the
// server accepts connections before the dataset is loaded; meanwhile INFO persistence says loading:1 with its
// progress, commands without the `loading` flag answer -LOADING (those with it, such as ECHO, are served), and SHUTDOWN exits without saving half the data.
// A real process on a dump of 500,000 keys (a few seconds to load here), polled until the load ends.

import { copyFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchServer, stopAll, type ServerProcess } from '../support/cli-process.js';
import { RawClient, resp } from '../support/raw-client.js';
import { transports } from '../support/server.js';

afterEach(stopAll);

const KEYS = 500_000;
const LOADING = '-LOADING Redis is loading the dataset in memory\r\n';
let dumpFile = '';

/** A dump of KEYS keys, written once by a server of our own (MSET batches, then SAVE). */
beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-loading-src-'));
  const server = await launchServer(['--dir', dir, '--save', '']);
  const c = new Redis({ port: server.port, host: '127.0.0.1' });
  for (let at = 0; at < KEYS; at += 2000) {
    const pairs: string[] = [];
    for (let i = at; i < at + 2000; i++) pairs.push(`key:${i}`, `value:${i}:${'x'.repeat(40)}`);
    await c.mset(pairs);
  }
  await c.save();
  c.disconnect();
  server.child.kill('SIGKILL');
  dumpFile = path.join(dir, 'dump.rdb');
}, 120_000);

/**
 * The dump copied to a fresh dir, and a server started on it; resolves once it listens (still loading). The load
 * answers clients after every 1 KB of the dump (Redis's smallest step), some 30,000 turns of its loop: however
 * the machine schedules the test's client, the load is still running when the client's first requests arrive.
 */
async function startLoading(transport: string): Promise<{ server: ServerProcess; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-loading-'));
  copyFileSync(dumpFile, path.join(dir, 'dump.rdb'));
  const server = await launchServer(
    [
      ...['--transport', transport, '--workers', '3', '--dir', dir, '--save', '3600 1'],
      ...['--loading-process-events-interval-bytes', '1024'],
    ],
    /Loading the dataset/,
  );
  return { server, dir };
}

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)\\r$`, 'm').exec(info)?.[1];
}

describe.each(transports)('%s transport: loading at start-up', (transport) => {
  it('answers -LOADING and INFO loading:1 until the dataset is in, then serves it', async () => {
    const { server } = await startLoading(transport);
    const c = await RawClient.connect(server.port);
    await c.request(resp('PING'), LOADING);
    await c.request(resp('SET', 'k', 'v'), LOADING);
    await c.request(resp('GET', 'key:1'), LOADING);
    await c.request(resp('ECHO', 'hi'), '$2\r\nhi\r\n'); // ECHO is flagged loading in Redis 7.0
    await c.send(resp('INFO', 'persistence'));
    const info = await c.readBulk();
    expect(field(info, 'loading')).toBe('1');
    expect(Number(field(info, 'loading_total_bytes'))).toBe(statSync(dumpFile).size);
    expect(field(info, 'loading_loaded_perc')).toMatch(/^\d+\.\d\d$/);
    expect(field(info, 'loading_eta_seconds')).toMatch(/^\d+$/);
    // Polled: the load's end is no event a client can wait on (Redis's clients poll the same way).
    for (;;) {
      await c.send(resp('DBSIZE'));
      const reply = await c.readLine();
      if (reply === LOADING) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      expect(reply).toBe(`:${KEYS}\r\n`);
      break;
    }
    await c.request(resp('GET', 'key:7'), `$48\r\nvalue:7:${'x'.repeat(40)}\r\n`);
    await c.send(resp('INFO', 'persistence'));
    const after = await c.readBulk();
    expect(field(after, 'loading')).toBe('0');
    expect(field(after, 'loading_total_bytes')).toBeUndefined();
    expect(field(after, 'rdb_last_load_keys_loaded')).toBe(String(KEYS));
    c.destroy();
  });

  it('SHUTDOWN SAVE while loading exits without saving over the dump', async () => {
    const { server, dir } = await startLoading(transport);
    const before = statSync(path.join(dir, 'dump.rdb'));
    const c = await RawClient.connect(server.port);
    await c.request(resp('PING'), LOADING); // still loading
    await c.send(resp('SHUTDOWN', 'SAVE'));
    await c.closed;
    expect(await server.exited).toBe(0);
    const after = statSync(path.join(dir, 'dump.rdb'));
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
  });
});
