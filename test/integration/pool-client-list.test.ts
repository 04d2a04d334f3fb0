// CLIENT LIST in the thread-pool transport lists every connected client, as Redis does, including those still
// queued for a worker (the queue lives on the main thread; a worker asks for it): from a worker's CLIENT LIST,
// the main thread's clients(), and CLIENT KILL from a worker. Real sockets and worker threads (run
// `npm run build` first); waits are on conditions, never sleeps.

import { pino } from 'pino';
import { MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Config } from '../../src/core/config.js';
import { SharedStore } from '../../src/core/store/store.js';
import { ThreadPoolTransport } from '../../src/transport/threadpool/index.js';
import { loadNative } from '../../src/transport/threadpool/native.js';
import { RawClient, resp } from '../support/raw-client.js';
import { until } from '../support/wait.js';

const native = loadNative();

const open: { transport: ThreadPoolTransport; clients: RawClient[] }[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const { transport, clients } of open.splice(0)) {
    for (const client of clients) client.destroy();
    await transport.close();
  }
});

async function startPool(workers: number) {
  let lastId = 0;
  const transport = new ThreadPoolTransport({
    host: '127.0.0.1',
    port: 0,
    backlog: 511,
    config: new Config({}),
    logger: pino({ level: 'silent' }),
    nextClientId: () => ++lastId,
    workers,
    storeHandles: SharedStore.create({ clock: Date.now }).handles(),
    version: '0.1.0',
    startedAt: Date.now(),
  });
  const entry = { transport, clients: [] as RawClient[] };
  open.push(entry);
  const { port } = await transport.listen();
  return {
    transport,
    connect: async () => {
      const client = await RawClient.connect(port, '127.0.0.1');
      entry.clients.push(client);
      return client;
    },
  };
}

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
