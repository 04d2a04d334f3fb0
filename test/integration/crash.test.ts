// Real processes killed with SIGKILL (issue 17's crash tests; appendfsync always is aof-crash.test.ts):
// - appendfsync everysec under concurrent write load: after a restart every write acknowledged more than 2 s
//   before the kill is there (everysec's promise: at most the last ~1-2 s are lost);
// - killed in the middle of a BGSAVE (its temporary file half written): the previous dump is whole, a restart
//   loads it, and redis-check-rdb accepts it;
// - killed in the middle of CONFIG SET appendonly yes's rewrite: the append-only manifest is the one from before,
//   a restart loads that whole earlier state (not the writes logged since the switch) and removes the temp files. Bounded: a few seconds of load, a few hundred thousand keys.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { launchServer, stopAll, type ServerProcess } from '../support/cli-process.js';
import { transports } from '../support/server.js';
import { until } from '../support/wait.js';
import { AOF_DIR, manifestPath } from '../support/aof-dir.js';

afterEach(stopAll);

function freshDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'redis-lite-crash-'));
}

/** A client that gives up at once when the server dies (no retries, no offline queue). */
async function connect(port: number): Promise<Redis> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // the kill resets it: expected
  await client.connect();
  return client;
}

async function killed(server: ServerProcess): Promise<void> {
  server.child.kill('SIGKILL');
  expect(await server.exited).toBe('SIGKILL');
}

const EVERYSEC_LOAD_MS = 3500;
const EVERYSEC_LOSS_MS = 2000;

describe.each(transports)('%s transport: crashes', (transport) => {
  it('appendfsync everysec, SIGKILL under load: every write acknowledged 2 s before the kill is back', async () => {
    const dir = freshDir();
    const flags = ['--transport', transport, '--workers', '4', '--dir', dir, '--save', ''];
    const aof = [...flags, '--appendonly', 'yes', '--appendfsync', 'everysec'];
    const server = await launchServer(aof);
    const writers = await Promise.all([0, 1, 2].map(() => connect(server.port)));
    const acked: { key: string; at: number }[] = [];
    let stop = false;
    const load = writers.map(async (c, w) => {
      for (let i = 0; !stop; i++) {
        try {
          await c.set(`k:${w}:${i}`, String(i));
          acked.push({ key: `k:${w}:${i}`, at: Date.now() });
        } catch {
          return; // the server is gone
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, EVERYSEC_LOAD_MS));
    const killedAt = Date.now();
    await killed(server);
    stop = true;
    await Promise.all(load);
    writers.forEach((c) => c.disconnect());
    const old = acked.filter((a) => a.at < killedAt - EVERYSEC_LOSS_MS).map((a) => a.key);
    expect(old.length).toBeGreaterThan(100); // the load ran long enough for the promise to mean something

    const restarted = await launchServer(aof);
    const reader = new Redis({ port: restarted.port, host: '127.0.0.1' });
    try {
      const values = await reader.mget(old);
      expect(old.filter((_, i) => values[i] === null)).toEqual([]);
    } finally {
      reader.disconnect();
      await killed(restarted);
    }
  });

  it('SIGKILL in the middle of a BGSAVE leaves the previous dump whole', async () => {
    const dir = freshDir();
    const flags = ['--transport', transport, '--workers', '4', '--dir', dir, '--save', ''];
    const server = await launchServer(flags);
    const c = await connect(server.port);
    // Enough data that writing the dump takes a while (incompressible values, so LZF does not shrink them).
    const KEYS = 300_000;
    const value = (i: number): string =>
      `${i}:`.padEnd(100, String.fromCharCode(97 + (i % 26)) + `${i * 7919}`);
    for (let at = 0; at < KEYS; at += 1000) {
      const pairs: string[] = [];
      for (let i = at; i < at + 1000; i++) pairs.push(`key:${i}`, value(i));
      await c.mset(pairs);
    }
    await c.set('generation', 'first');
    expect(await c.save()).toBe('OK');
    const dump = path.join(dir, 'dump.rdb');
    const firstSize = statSync(dump).size;

    await c.set('generation', 'second');
    await c.del('key:0', 'key:1');
    // On the pool and the hybrid BGSAVE answers only once written: do not wait for the reply, watch the file.
    void c.bgsave().catch(() => undefined);
    const temp = (): string | undefined => readdirSync(dir).find((f) => /^temp-.*\.rdb$/.test(f));
    await until(() => {
      const name = temp();
      return name !== undefined && statSync(path.join(dir, name)).size > 0;
    }, 'the BGSAVE writes its temporary file');
    await killed(server);
    c.disconnect();
    // Killed mid-save: the temporary file is still there, and the dump is the first save's.
    expect(temp()).toBeDefined();
    expect(statSync(dump).size).toBe(firstSize);
    const check = spawnSync('redis-check-rdb', [dump], { encoding: 'utf8' });
    if (check.error === undefined) expect(check.stdout).toMatch(/RDB looks OK!/);

    const restarted = await launchServer(flags);
    const reader = new Redis({ port: restarted.port, host: '127.0.0.1' });
    try {
      expect(await reader.get('generation')).toBe('first');
      expect(await reader.dbsize()).toBe(KEYS + 1);
      expect(await reader.get('key:0')).toBe(value(0));
    } finally {
      reader.disconnect();
      await killed(restarted);
    }
    expect(existsSync(dump)).toBe(true);
  });

  it("SIGKILL during CONFIG SET appendonly yes's rewrite leaves the manifest as it was", async () => {
    const dir = freshDir();
    const flags = ['--transport', transport, '--workers', '4', '--dir', dir, '--save', ''];
    const server = await launchServer([...flags, '--appendonly', 'yes']);
    const c = await connect(server.port);
    await c.set('generation', 'first');
    await c.set('old', 'kept');
    expect(await c.config('SET', 'appendonly', 'no')).toBe('OK');
    const manifestBefore = readFileSync(manifestPath(dir), 'latin1');
    // Written while the file is off: only the turn-on's base can hold them. Enough that it takes a while.
    const KEYS = 300_000;
    for (let at = 0; at < KEYS; at += 1000) {
      const pairs: string[] = [];
      for (let i = at; i < at + 1000; i++) pairs.push(`key:${i}`, `${i}:`.padEnd(100, String(i * 7919)));
      await c.mset(pairs);
    }
    await c.set('generation', 'second');
    expect(await c.config('SET', 'appendonly', 'yes')).toBe('OK');
    await c.set('after-switch', 'x'); // logged to the temporary incremental file
    const temp = (): string | undefined =>
      readdirSync(dir).find((f) => /^temp-rewriteaof-bg-\d+\.aof$/.test(f));
    await until(() => {
      const name = temp();
      return name !== undefined && statSync(path.join(dir, name)).size > 0;
    }, 'the rewrite writes its base');
    await killed(server);
    c.disconnect();
    // Killed mid-rewrite: the base unfinished, and the manifest still the one from before the switch, naming
    // files that hold a whole earlier state (the temporary incremental file, without the data, is named nowhere).
    expect(temp()).toBeDefined();
    expect(existsSync(path.join(dir, AOF_DIR, 'temp-appendonly.aof.incr'))).toBe(true);
    expect(readFileSync(manifestPath(dir), 'latin1')).toBe(manifestBefore);
    const check = spawnSync('redis-check-aof', [manifestPath(dir)], { encoding: 'utf8' });
    if (check.error === undefined) expect(check.stdout).toContain('All AOF files and manifest are valid');

    const restarted = await launchServer([...flags, '--appendonly', 'yes']);
    const reader = new Redis({ port: restarted.port, host: '127.0.0.1' });
    try {
      expect(await reader.mget('generation', 'old', 'after-switch', 'key:0')).toEqual([
        'first',
        'kept',
        null,
        null,
      ]);
      expect(await reader.dbsize()).toBe(2);
    } finally {
      reader.disconnect();
      await killed(restarted);
    }
    // The temporary files the kill left are gone after the restart.
    expect(temp()).toBeUndefined();
    expect(readdirSync(path.join(dir, AOF_DIR)).filter((f) => f.startsWith('temp-'))).toEqual([]);
  });
});
