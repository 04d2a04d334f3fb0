// The thread-pool transport on real sockets and real worker threads: workers counted ready, starvation
// (every worker pinned by an idle client leaves the next client queued, unanswered), worker replacement,
// maxclients, idle timeout, CONFIG SET relayed between workers, and graceful close with idle, half-sent, busy,
// non-reading and queued clients. Workers run the compiled dist/ (run `npm run build` first).
// Waits are on conditions and socket events; no sleep is ever the proof of anything.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNative } from '../../src/transport/threadpool/native.js';
import { type TestPool, closeTestPools, startTestPool } from '../support/pool-fixture.js';
import { RawClient, resp } from '../support/raw-client.js';
import { startTestServer } from '../support/server.js';
import { THROW_IN_WORKER } from '../support/throwing-pool-worker-marker.js';
import { until } from '../support/wait.js';

const native = loadNative();

afterEach(closeTestPools);

/** The id the pool gave a raw client, found by its address. */
function idOf(pool: TestPool, client: RawClient): number {
  const addr = `127.0.0.1:${client.socket.localPort}`;
  const info = pool.transport.clients().find((c) => c.addr === addr);
  if (info === undefined) throw new Error(`client ${addr} is not known to the pool`);
  return info.id;
}

const PING = resp('PING');
/** The production worker wrapped so that a request holding THROW_IN_WORKER throws (built into dist/test/). */
const THROWING_WORKER = new URL('../../dist/test/support/throwing-pool-worker.js', import.meta.url);
const PONG = '+PONG\r\n';

describe.skipIf(native instanceof Error)('thread-pool transport', () => {
  it('starts the spare workers (not all of them) before it listens, and serves on a shared store', async () => {
    const pool = await startTestPool({ workers: 3 });
    // listen() resolved once the first was ready; the second spare may still be starting.
    await until(() => pool.transport.stats().workers === 2, 'both spare workers are ready');
    expect(pool.transport.stats()).toEqual({
      transport: 'pool',
      connectedClients: 0,
      totalConnections: 0,
      rejectedConnections: 0,
      workers: 2,
      workersStarted: 2,
      workersMax: 3,
      busyWorkers: 0,
      queuedClients: 0,
      maxclients: 10000,
      buffersReleased: 0,
      memoryTrims: 0,
    });
    const a = await pool.connect();
    const b = await pool.connect();
    expect(await a.request(resp('SET', 'k', Buffer.from([0, 0xff, 13, 10])), '+OK\r\n')).toBe('+OK\r\n');
    // b is pinned to another worker (a still holds its own): the store is shared between threads.
    expect(await b.request(resp('GET', 'k'), '$4\r\n\x00\xff\r\n\r\n')).toBe('$4\r\n\x00\xff\r\n\r\n');
    expect(pool.transport.stats()).toMatchObject({ connectedClients: 2, busyWorkers: 2, queuedClients: 0 });
    expect(pool.store.get(Buffer.from('k'))).toEqual(Buffer.from([0, 0xff, 13, 10]));
  });

  it('starves: with both workers pinned by idle clients, a third waits queued until one leaves', async () => {
    const pool = await startTestPool({ workers: 2 });
    const idle1 = await pool.connect();
    const idle2 = await pool.connect();
    expect(await idle1.request(PING, PONG)).toBe(PONG);
    expect(await idle2.request(PING, PONG)).toBe(PONG);

    const third = await pool.connect();
    await third.send(PING);
    await until(() => pool.transport.stats().queuedClients === 1, 'the third client is queued');
    expect(pool.transport.stats()).toMatchObject({
      workers: 2,
      busyWorkers: 2,
      queuedClients: 1,
      connectedClients: 3,
    });
    expect(third.pending.length).toBe(0);
    const waiting = pool.transport.clients().find((c) => c.id === idOf(pool, third));
    expect(waiting?.lastCommand).toBe('NULL');

    idle1.end();
    expect(await third.readText(PONG)).toBe(PONG);
    expect(pool.transport.stats()).toMatchObject({ busyWorkers: 2, queuedClients: 0, connectedClients: 2 });
    // The worker now serving it reads the same shared counters for INFO.
    await third.send(resp('INFO', 'clients'));
    expect(await third.readBulk()).toContain('busy_workers:2\r\nqueued_clients:0\r\n');
  });

  it('replaces a worker that throws, closes its client, and keeps N workers', async () => {
    const pool = await startTestPool({ workers: 2, workerUrl: THROWING_WORKER });
    const victim = await pool.connect();
    const bystander = await pool.connect();
    expect(await victim.request(PING, PONG)).toBe(PONG);
    expect(await bystander.request(PING, PONG)).toBe(PONG);

    await victim.send(resp(THROW_IN_WORKER)); // the worker throws on this read, before answering
    expect((await victim.readToEnd()).length).toBe(0);
    await until(
      () => pool.transport.stats().workers === 2 && pool.transport.stats().busyWorkers === 1,
      'replaced',
    );
    expect(pool.logs.some((line) => line.includes('pool worker threw'))).toBe(true);

    // The replacement serves new clients; the other worker's client never noticed.
    const next = await pool.connect();
    expect(await next.request(PING, PONG)).toBe(PONG);
    expect(await bystander.request(PING, PONG)).toBe(PONG);
    expect(pool.transport.stats()).toMatchObject({ workers: 2, busyWorkers: 2, queuedClients: 0 });
  });

  it('refuses clients past maxclients (served + queued) with Redis error line, then closes', async () => {
    const pool = await startTestPool({ workers: 1, settings: { maxclients: '2' } });
    const served = await pool.connect();
    expect(await served.request(PING, PONG)).toBe(PONG);
    const queued = await pool.connect();
    await until(() => pool.transport.stats().queuedClients === 1, 'the second client is queued');
    const refused = await pool.connect();
    expect((await refused.readToEnd()).toString()).toBe('-ERR max number of clients reached\r\n');
    expect(pool.transport.stats()).toMatchObject({ rejectedConnections: 1, connectedClients: 2 });
    served.end();
    expect(await queued.request(PING, PONG)).toBe(PONG);
  });

  it('relays CONFIG SET made on one worker to the main thread and the other workers', async () => {
    const pool = await startTestPool({ workers: 2 });
    const a = await pool.connect();
    const b = await pool.connect();
    expect(await b.request(PING, PONG)).toBe(PONG); // b is pinned to the other worker
    expect(await a.request(resp('CONFIG', 'SET', 'maxclients', '7'), '+OK\r\n')).toBe('+OK\r\n');
    await until(() => pool.config.string('maxclients') === '7', 'the main thread applied it');
    const reply = '*2\r\n$10\r\nmaxclients\r\n$1\r\n7\r\n';
    expect(await b.request(resp('CONFIG', 'GET', 'maxclients'), reply)).toBe(reply);
  });

  it('CLIENT KILL on one worker closes a client served by another', async () => {
    const pool = await startTestPool({ workers: 2 });
    const killer = await pool.connect();
    const victim = await pool.connect();
    expect(await victim.request(PING, PONG)).toBe(PONG);
    const id = idOf(pool, victim);
    expect(await killer.request(resp('CLIENT', 'KILL', 'ID', String(id)), ':1\r\n')).toBe(':1\r\n');
    await victim.closed;
    await until(() => pool.transport.stats().busyWorkers === 1, 'the victim’s worker is free');
  });

  it('closes clients idle past `timeout`: served ones, and a queued one once served and idle as long', async () => {
    const pool = await startTestPool({ workers: 1, settings: { timeout: '1' }, idleCheckIntervalMs: 20 });
    const idle = await pool.connect();
    expect(await idle.request(PING, PONG)).toBe(PONG);
    const queued = await pool.connect();
    const startedAt = Date.now();
    expect((await idle.readToEnd()).length).toBe(0);
    const freedAt = Date.now();
    expect((await queued.readToEnd()).length).toBe(0);
    expect(freedAt - startedAt).toBeGreaterThanOrEqual(900);
    expect(Date.now() - freedAt).toBeGreaterThanOrEqual(900); // its idle time began when a worker took it
    await until(() => pool.transport.stats().connectedClients === 0, 'no client is left');
    const fresh = await pool.connect();
    expect(await fresh.request(PING, PONG)).toBe(PONG);
  });

  it('never times out a queued client: its request is answered once a worker frees up, however long it waited', async () => {
    // The one worker is held by a client blocked in BLPOP (never timed out, as in Redis): a whole server, whose
    // workers can block a client.
    const server = await startTestServer('pool', { workers: 1, timeout: 1, idleCheckIntervalMs: 20 });
    try {
      const blocked = await server.connect();
      await blocked.send(resp('BLPOP', 'q', '0'));
      await until(() => server.server.stats().busyWorkers === 1, 'the blocked client is served');
      const queued = await server.connect();
      await queued.send(PING);
      await until(() => server.server.stats().queuedClients === 1, 'the second client is queued');
      // A window past the timeout, with the request waiting unread in the queue (not a wait for an event).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect([blocked.isClosed, queued.isClosed]).toEqual([false, false]);
      blocked.destroy();
      expect(await queued.readText(PONG)).toBe(PONG);
    } finally {
      await server.close();
    }
  });

  it('closes gracefully with idle, half-sent, busy, non-reading and queued clients (answered, as Redis would)', async () => {
    const pool = await startTestPool({ workers: 4, closeGraceMs: 200 });
    pool.store.set(Buffer.from('big'), Buffer.alloc(1 << 20, 0x61));
    const idle = await pool.connect();
    expect(await idle.request(PING, PONG)).toBe(PONG);
    const half = await pool.connect();
    await half.send('*1\r\n$4\r\nPI');
    const halfAddr = `127.0.0.1:${half.socket.localPort}`;
    await until(
      () => pool.transport.clients().some((c) => c.addr === halfAddr && c.queryBuffer === 10),
      'the half-sent request is in its query buffer',
    );
    const stuck = await pool.connect({ paused: true });
    // 32 MiB of replies to a client that reads none: its worker blocks in write(2).
    await stuck.send(Buffer.concat(Array.from({ length: 32 }, () => resp('GET', 'big'))));
    const busy = await pool.connect();
    await until(() => pool.transport.stats().busyWorkers === 4, 'four workers are busy');
    const queued = await pool.connect();
    const queuedSilent = await pool.connect();
    await until(() => pool.transport.stats().queuedClients === 2, 'the fifth and sixth clients are queued');
    await queued.send(PING);

    await busy.send(PING); // received before close() starts: it must be answered
    const closed = pool.transport.close();
    expect((await busy.readToEnd()).toString()).toBe(PONG);
    expect((await idle.readToEnd()).length).toBe(0);
    expect((await half.readToEnd()).length).toBe(0);
    // Queued clients are served what they already sent once workers free up, then see a clean close (no reset,
    // which closing a socket with unread input would send).
    expect((await queued.readToEnd()).toString()).toBe(PONG);
    expect((await queuedSilent.readToEnd()).length).toBe(0);
    expect((await queued.closed).error).toBeNull();
    expect((await queuedSilent.closed).error).toBeNull();
    await closed;
    await stuck.readToEnd(); // SHUT_RDWR after the grace freed its worker; the connection ends
    expect(pool.transport.stats()).toMatchObject({ workers: 0, busyWorkers: 0, queuedClients: 0 });
    await expect(RawClient.connect(pool.port)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe.skipIf(native instanceof Error)('thread-pool transport abort (second signal)', () => {
  it('abort() shuts every client down at once, so process.exit() does not hang on a pinned worker', async () => {
    const root = new URL('../../', import.meta.url);
    const dist = (path: string): string => new URL(`dist/src/${path}`, root).href;
    // Without abort() this child never exits: its worker sits in read(2) and exit waits for the thread.
    const script = `
      import net from 'node:net';
      import { pino } from 'pino';
      import { Config } from '${dist('core/config.js')}';
      import { SharedStore } from '${dist('core/store/store.js')}';
      import { ThreadPoolTransport } from '${dist('transport/threadpool/index.js')}';
      const store = SharedStore.create({ clock: Date.now });
      const transport = new ThreadPoolTransport({ host: '127.0.0.1', port: 0, backlog: 511, config: new Config({}),
        logger: pino({ level: 'warn' }), nextClientId: () => 1, workers: 1, storeHandles: store.handles(),
        version: '0.1.0', startedAt: Date.now() });
      const { port } = await transport.listen();
      const client = net.connect(port, '127.0.0.1');
      client.write('PING\\r\\n');
      client.once('data', () => { transport.abort(); process.exit(7); });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(root),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(7);
  });

  it('close() after abort() still resolves once every worker has exited', async () => {
    const pool = await startTestPool({ workers: 2 });
    const pinned = await pool.connect();
    expect(await pinned.request(PING, PONG)).toBe(PONG);
    const queuedA = await pool.connect();
    const queuedB = await pool.connect();
    await until(() => pool.transport.stats().queuedClients === 1, 'one client queued');
    pool.transport.abort();
    await pool.transport.close();
    await Promise.all([pinned.closed, queuedA.closed, queuedB.closed]);
    expect(pool.transport.stats()).toMatchObject({ workers: 0, busyWorkers: 0, queuedClients: 0 });
  });
});

describe.skipIf(native instanceof Error)('thread-pool transport out of descriptors', () => {
  it('survives EMFILE on accept without crashing or spinning, and serves again once clients leave', async () => {
    const root = new URL('../../', import.meta.url);
    const dist = (path: string): string => new URL(`dist/src/${path}`, root).href;
    // The server runs in a child whose descriptor limit is tiny, so a handful of clients exhaust it.
    const script = `
      import { pino } from 'pino';
      import { Config } from '${dist('core/config.js')}';
      import { SharedStore } from '${dist('core/store/store.js')}';
      import { ThreadPoolTransport } from '${dist('transport/threadpool/index.js')}';
      const store = SharedStore.create({ clock: Date.now });
      let id = 0;
      const transport = new ThreadPoolTransport({ host: '127.0.0.1', port: 0, backlog: 511, config: new Config({}),
        logger: pino({ level: 'warn' }), nextClientId: () => ++id, workers: 2, storeHandles: store.handles(),
        version: '0.1.0', startedAt: Date.now() });
      const { port } = await transport.listen();
      console.log(JSON.stringify({ port }));
      process.stdin.on('end', () => transport.close().then(() => process.exit(0)));
      process.stdin.resume();`;
    const child = spawn(
      'bash',
      ['-c', 'ulimit -n 128 && exec "$0" --input-type=module -e "$1"', process.execPath, script],
      {
        cwd: fileURLToPath(root),
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const lines: string[] = [];
    let waiting: (() => void) | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l !== ''),
      );
      waiting?.();
    });
    let exited = false;
    child.once('exit', () => {
      exited = true;
      waiting?.();
    });
    const nextLine = async (match: (line: string) => boolean): Promise<string> => {
      for (;;) {
        if (exited) throw new Error(`the server exited; it printed: ${lines.join('\n')}`);
        const found = lines.find(match);
        if (found !== undefined) return found;
        await new Promise<void>((resolve) => (waiting = resolve));
      }
    };
    try {
      const { port } = JSON.parse(await nextLine((l) => l.includes('"port"'))) as { port: number };
      const flood: RawClient[] = [];
      for (let i = 0; i < 160; i++) flood.push(await RawClient.connect(port));
      await nextLine((l) => l.includes('out of file descriptors'));
      // No spin: with the limit still hit, the server uses (almost) no CPU.
      const cpu = (): number => {
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
      };
      const before = cpu();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(cpu() - before).toBeLessThan(20);
      for (const client of flood) client.destroy();
      await Promise.all(flood.map((c) => c.closed));
      // Served again: a fresh client is accepted and answered once descriptors are free.
      let answered = '';
      while (answered !== PONG) {
        const client = await RawClient.connect(port);
        await client.send(PING);
        answered = await client.readText(PONG).catch(() => '');
        client.destroy();
      }
      expect(answered).toBe(PONG);
    } finally {
      child.stdin.end();
      if (!exited) await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
