// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT] on a real process per transport (src/shutdown.ts; Redis 7.0's
// shutdownCommand, replies checked byte for byte against redis-server 7.0.15): it saves when save points are set
// (or SAVE asks; not with NOSAVE), syncs the append-only file, closes the connection without a reply and exits
// 0, and a restart has the data; a failed save answers Redis's error and the server goes on, unless FORCE; the
// dump holds every write other connections (other threads, on the pool and the hybrid) had acknowledged.
// SIGTERM and SIGINT shut down with the flags of shutdown-on-sigterm / shutdown-on-sigint (Redis 7.0), set at
// start-up or by CONFIG SET; a failed final save without FORCE exits 1.

import { existsSync, mkdirSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { launchServer, stopAll, type ServerProcess } from '../support/cli-process.js';
import { RawClient, resp } from '../support/raw-client.js';
import { startTestServer, transports } from '../support/server.js';

afterEach(stopAll);

function freshDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'redis-lite-shutdown-'));
}

function start(transport: string, dir: string, ...args: string[]): Promise<ServerProcess> {
  return launchServer(['--transport', transport, '--workers', '5', '--dir', dir, ...args]);
}

/** Sends SHUTDOWN with `options`: the connection must close with nothing written back, and the process exit 0. */
async function shutDown(server: ServerProcess, ...options: string[]): Promise<void> {
  const client = await RawClient.connect(server.port);
  await client.send(resp('SHUTDOWN', ...options));
  await client.closed;
  expect(client.text()).toBe('');
  expect(await server.exited).toBe(0);
}

async function valuesAfterRestart(transport: string, dir: string, keys: string[], ...args: string[]) {
  const server = await start(transport, dir, ...args);
  const reader = new Redis({ port: server.port, host: '127.0.0.1' });
  try {
    return await reader.mget(keys);
  } finally {
    reader.disconnect();
    server.child.kill('SIGKILL');
  }
}

describe.each(transports)('%s transport: SHUTDOWN', (transport) => {
  it('answers as Redis 7.0 when refused, then saves (save points set), closes without a reply, exits 0', async () => {
    const dir = freshDir();
    const server = await start(transport, dir, '--save', '3600 1');
    const c = await RawClient.connect(server.port);
    await c.request(resp('SET', 'k', 'v'), '+OK\r\n');
    await c.request(resp('SHUTDOWN', 'abort'), '-ERR No shutdown in progress.\r\n');
    await c.request(resp('SHUTDOWN', 'ABORT', 'NOW'), '-ERR syntax error\r\n');
    await c.request(resp('SHUTDOWN', 'SAVE', 'NOSAVE'), '-ERR syntax error\r\n');
    await c.request(resp('SHUTDOWN', 'later'), '-ERR syntax error\r\n');
    await c.request(
      Buffer.concat([resp('MULTI'), resp('SHUTDOWN'), resp('EXEC')]),
      '+OK\r\n-ERR Command not allowed inside a transaction\r\n' +
        '-EXECABORT Transaction discarded because of previous errors.\r\n',
    );
    await c.request(resp('GET', 'k'), '$1\r\nv\r\n'); // still up
    c.destroy();
    expect(existsSync(path.join(dir, 'dump.rdb'))).toBe(false);
    await shutDown(server);
    expect(existsSync(path.join(dir, 'dump.rdb'))).toBe(true);
    expect(await valuesAfterRestart(transport, dir, ['k'])).toEqual(['v']);
  });

  it('NOSAVE skips the save points; SAVE saves without any', async () => {
    const dir = freshDir();
    const first = await start(transport, dir, '--save', '3600 1');
    const a = new Redis({ port: first.port, host: '127.0.0.1' });
    await a.set('k', 'not saved');
    a.disconnect();
    await shutDown(first, 'NOSAVE', 'NOW');
    expect(existsSync(path.join(dir, 'dump.rdb'))).toBe(false);

    const second = await start(transport, dir, '--save', '');
    const b = new Redis({ port: second.port, host: '127.0.0.1' });
    await b.set('k', 'saved');
    b.disconnect();
    await shutDown(second, 'save');
    expect(await valuesAfterRestart(transport, dir, ['k'])).toEqual(['saved']);
  });

  it('a failed save is refused with Redis 7.0 error and the server goes on; FORCE exits anyway', async () => {
    const parent = freshDir();
    const dir = path.join(parent, 'data');
    mkdirSync(dir);
    const server = await start(transport, dir, '--save', '3600 1');
    rmdirSync(dir); // the save's temporary file cannot be created
    const c = await RawClient.connect(server.port);
    await c.request(resp('SET', 'k', 'v'), '+OK\r\n');
    await c.request(resp('SHUTDOWN'), '-ERR Errors trying to SHUTDOWN. Check logs.\r\n');
    await c.request(resp('SHUTDOWN', 'SAVE', 'NOW'), '-ERR Errors trying to SHUTDOWN. Check logs.\r\n');
    // Writers were held off during the attempt, and are not any more.
    await c.request(resp('SET', 'k', 'still served'), '+OK\r\n');
    expect(server.child.exitCode).toBe(null);
    await c.send(resp('SHUTDOWN', 'FORCE'));
    await c.closed;
    expect(c.text()).toBe('');
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(
      /Error trying to save the DB, can't exit\..*Error trying to save the DB\. Exit anyway\./s,
    );
  });

  it("appendonly just turned on: SHUTDOWN waits for the rewrite that writes the data, FORCE doesn't", async () => {
    const dir = freshDir();
    const server = await start(transport, dir);
    const writer = new Redis({ port: server.port, host: '127.0.0.1' });
    const pipeline = writer.pipeline();
    for (let i = 0; i < 300; i++) {
      pipeline.mset(...Array.from({ length: 1000 }, (_, j) => [`k:${i}:${j}`, 'v'.repeat(50)]).flat());
    }
    await pipeline.exec();
    writer.disconnect();
    const c = await RawClient.connect(server.port);
    // Redis 7.0.15 answers the same (its log: "Writing initial AOF, can't exit.").
    await c.request(
      Buffer.concat([resp('CONFIG', 'SET', 'appendonly', 'yes'), resp('SHUTDOWN')]),
      '+OK\r\n-ERR Errors trying to SHUTDOWN. Check logs.\r\n',
    );
    expect(server.child.exitCode).toBe(null);
    await c.send(resp('SHUTDOWN', 'FORCE'));
    await c.closed;
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(
      /Writing initial AOF, can't exit\..*Writing initial AOF\. Exit anyway\./s,
    );
  });

  it('the dump holds every write other connections had acknowledged', async () => {
    const dir = freshDir();
    const server = await start(transport, dir, '--save', '3600 1');
    const writers = [0, 1, 2].map(
      () =>
        new Redis({
          port: server.port,
          host: '127.0.0.1',
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          enableOfflineQueue: false,
          retryStrategy: () => null,
        }),
    );
    for (const w of writers) w.on('error', () => undefined); // dropped at the exit: expected
    await Promise.all(writers.map((w) => w.connect()));
    const acked: string[] = [];
    let stop = false;
    const load = writers.map(async (w, n) => {
      for (let i = 0; !stop; i++) {
        try {
          await w.set(`k:${n}:${i}`, String(i));
          acked.push(`k:${n}:${i}`);
        } catch {
          return;
        }
      }
    });
    const enough = new Promise<void>((resolve) => {
      const check = (): void => void (acked.length >= 300 ? resolve() : setTimeout(check, 5));
      check();
    });
    await Promise.race([enough, Promise.all(load)]);
    expect(acked.length).toBeGreaterThanOrEqual(300); // the writers did not stop on their own
    await shutDown(server);
    stop = true;
    await Promise.all(load);
    writers.forEach((w) => w.disconnect());
    const values = await valuesAfterRestart(transport, dir, acked);
    expect(acked.filter((_, i) => values[i] === null)).toEqual([]);
  });

  it('with appendonly on, the append-only file has every write when it exits', async () => {
    const dir = freshDir();
    const flags = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'no'];
    const server = await start(transport, dir, ...flags);
    const c = new Redis({ port: server.port, host: '127.0.0.1' });
    await c.mset('a', '1', 'b', '2');
    await c.incr('a');
    c.disconnect();
    await shutDown(server);
    expect(existsSync(path.join(dir, 'dump.rdb'))).toBe(false); // no save points: no dump
    expect(await valuesAfterRestart(transport, dir, ['a', 'b'], ...flags)).toEqual(['2', '2']);
  });

  it('embedded (no onShutdown): closes the server itself, and close() makes no second save', async () => {
    const dir = freshDir();
    const test = await startTestServer(transport, { config: { dir, save: '3600 1' } });
    const c = await test.connect();
    await c.request(resp('SET', 'k', 'v'), '+OK\r\n');
    await c.send(resp('SHUTDOWN', 'NOSAVE'));
    await c.closed;
    expect(c.text()).toBe('');
    await test.server.close(); // the close SHUTDOWN began
    await expect(RawClient.connect(test.port)).rejects.toThrow(/ECONNREFUSED/);
    expect(existsSync(path.join(dir, 'dump.rdb'))).toBe(false);
  });
});

/** Sends `signal` to the process; resolves with its exit code. */
async function signalled(server: ServerProcess, signal: 'SIGINT' | 'SIGTERM'): Promise<number | string> {
  server.child.kill(signal);
  return server.exited;
}

async function setKey(server: ServerProcess, value: string): Promise<void> {
  const c = new Redis({ port: server.port, host: '127.0.0.1' });
  await c.set('k', value);
  c.disconnect();
}

describe.each(transports)('%s transport: shutdown-on-sigterm and shutdown-on-sigint', (transport) => {
  it('SIGTERM under "nosave now" skips the save points; under "save" it saves without any', async () => {
    const dir = freshDir();
    const first = await start(transport, dir, '--save', '3600 1', '--shutdown-on-sigterm', 'nosave now');
    await setKey(first, 'not saved');
    expect(await signalled(first, 'SIGTERM')).toBe(0);
    expect(existsSync(path.join(dir, 'dump.rdb'))).toBe(false);

    const second = await start(transport, dir, '--save', '', '--shutdown-on-sigterm', 'save');
    await setKey(second, 'saved');
    expect(await signalled(second, 'SIGTERM')).toBe(0);
    expect(await valuesAfterRestart(transport, dir, ['k'])).toEqual(['saved']);
  });

  it("SIGINT follows shutdown-on-sigint (here default: the save points' save), not shutdown-on-sigterm", async () => {
    const dir = freshDir();
    const server = await start(transport, dir, '--save', '3600 1', '--shutdown-on-sigterm', 'nosave');
    await setKey(server, 'saved on SIGINT');
    expect(await signalled(server, 'SIGINT')).toBe(0);
    expect(await valuesAfterRestart(transport, dir, ['k'])).toEqual(['saved on SIGINT']);
  });
});

describe('shutdown-on-sigterm on a real process (event loop)', () => {
  it('CONFIG SET changes what the next SIGTERM does', async () => {
    const dir = freshDir();
    const server = await start('eventloop', dir, '--save', '3600 1');
    const c = await RawClient.connect(server.port);
    await c.request(resp('SET', 'k', 'v'), '+OK\r\n');
    await c.request(resp('CONFIG', 'SET', 'shutdown-on-sigterm', 'NOW nosave'), '+OK\r\n');
    const shown = '*2\r\n$19\r\nshutdown-on-sigterm\r\n$10\r\nnosave now\r\n';
    await c.request(resp('CONFIG', 'GET', 'shutdown-on-sigterm'), shown);
    c.destroy();
    expect(await signalled(server, 'SIGTERM')).toBe(0);
    expect(existsSync(path.join(dir, 'dump.rdb'))).toBe(false);
  });

  it('a final save that fails exits 1 (Redis would not exit), unless the flags say force', async () => {
    for (const [flags, code] of [
      ['default', 1],
      ['force', 0],
    ] as const) {
      const parent = freshDir();
      const dir = path.join(parent, 'data');
      mkdirSync(dir);
      const server = await start('eventloop', dir, '--save', '3600 1', '--shutdown-on-sigterm', flags);
      rmdirSync(dir); // the save's temporary file cannot be created
      await setKey(server, 'v');
      expect(await signalled(server, 'SIGTERM')).toBe(code);
      expect(server.output()).toContain(
        code === 1 ? "Error trying to save the DB, can't exit." : 'Error trying to save the DB. Exit anyway.',
      );
    }
  });
});
