// CLIENT LIST in the thread-pool transport lists every connected client, as Redis does, including those still
// queued for a worker (the queue lives on the main thread; a worker asks for it): from a worker's CLIENT LIST,
// the main thread's clients(), and CLIENT KILL from a worker. Real sockets and worker threads (run
// `npm run build` first); waits are on conditions, never sleeps.

import { MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadNative } from '../../src/transport/threadpool/native.js';
import { closeTestPools, startTestPool } from '../support/pool-fixture.js';
import { type RawClient, resp } from '../support/raw-client.js';
import { until } from '../support/wait.js';

const native = loadNative();

afterEach(async () => {
  vi.restoreAllMocks();
  await closeTestPools();
});

const startPool = (workers: number) => startTestPool({ workers });

const addrOf = (client: RawClient) => `127.0.0.1:${client.socket.localPort}`;

/** CLIENT LIST's lines as field maps. */
function parseList(bulk: string): Record<string, string>[] {
  return bulk
    .split('\n')
    .filter((line) => line !== '')
    .map((line) =>
      Object.fromEntries(
        line.split(' ').map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]),
      ),
    );
}

describe.skipIf(native instanceof Error)('thread-pool CLIENT LIST with queued clients', () => {
  it('lists queued clients from a worker and from the main thread, as clients that sent nothing yet', async () => {
    const pool = await startPool(1);
    const a = await pool.connect();
    expect(await a.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
    const b = await pool.connect();
    const c = await pool.connect();
    await until(() => pool.transport.stats().queuedClients === 2, 'b and c are queued');

    const fromMain = pool.transport.clients();
    expect(fromMain.map((info) => info.addr)).toEqual([addrOf(a), addrOf(b), addrOf(c)]);
    const [idA, idB, idC] = fromMain.map((info) => info.id);

    await a.send(resp('CLIENT', 'LIST'));
    const lines = parseList(await a.readBulk());
    expect(lines.map((l) => [l.id, l.addr])).toEqual([
      [String(idA), addrOf(a)],
      [String(idB), addrOf(b)],
      [String(idC), addrOf(c)],
    ]);
    expect(lines[0].cmd).toBe('client|list');
    for (const queued of lines.slice(1)) {
      expect(queued).toMatchObject({
        cmd: 'NULL',
        name: '',
        qbuf: '0',
        idle: expect.stringMatching(/^\d+$/),
      });
      expect(queued.laddr).toBe(lines[0].laddr);
      expect(Number(queued.fd)).toBeGreaterThanOrEqual(0); // the descriptor the pool holds for it
    }

    // CLIENT KILL from the worker finds a queued client in that list; the main thread closes it.
    expect(await a.request(resp('CLIENT', 'KILL', 'ID', String(idB)), ':1\r\n')).toBe(':1\r\n');
    await b.readToEnd();
    await until(() => pool.transport.stats().queuedClients === 1, 'b is closed');
    expect(pool.transport.clients().map((info) => info.id)).toEqual([idA, idC]);
    expect(await a.request(resp('CLIENT', 'KILL', 'ADDR', addrOf(c)), ':1\r\n')).toBe(':1\r\n');
    await c.readToEnd();
    expect(pool.transport.clients().map((info) => info.id)).toEqual([idA]);
  });

  it('closes the reply port of every question it answers (each CLIENT LIST brings a new one)', async () => {
    const pool = await startPool(1);
    const a = await pool.connect();
    expect(await a.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
    await pool.connect();
    await until(() => pool.transport.stats().queuedClients === 1, 'the second client is queued');
    // The test process is the pool's main thread: the ports it receives and answers on are of this realm.
    const close = vi.spyOn(MessagePort.prototype, 'close');
    for (let i = 0; i < 5; i++) {
      await a.send(resp('CLIENT', 'LIST'));
      expect(parseList(await a.readBulk())).toHaveLength(2);
    }
    // Left open, each stayed in memory: 10,000 CLIENT LISTs grew the main thread's heap by 12 MB.
    expect(close.mock.calls.length).toBe(5);
  });
});
