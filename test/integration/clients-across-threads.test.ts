// What every transport must do for clients that are not on the caller's thread (on the pool, each client is
// on its own worker; on the hybrid, clients are spread over its loop threads): CLIENT LIST lists them all,
// CLIENT KILL closes one wherever it is, and descriptors come back after many abrupt disconnects. Plus the
// hybrid's reason to exist: idle clients never keep an active one waiting.

import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveClient } from '../support/live-harness.js';
import { type RawClient, resp } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

const CLIENTS = 6;

/** The ids in a CLIENT LIST reply (RESP bulk). */
function listedIds(list: string): number[] {
  return [...list.matchAll(/(?:^|\n)id=(\d+) /g)].map((m) => Number(m[1]));
}

async function clientId(c: RawClient): Promise<number> {
  const reply = await new LiveClient(c).value(['CLIENT', 'ID']);
  if (reply.type !== 'integer') throw new Error(`CLIENT ID answered ${JSON.stringify(reply)}`);
  return Number(reply.value);
}

const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

describe.each(transports)('%s transport: clients across threads', (transport) => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('lists every connected client in CLIENT LIST, from any of them, and kills one wherever it is', async () => {
    server = await startTestServer(transport, { workers: CLIENTS + 1 });
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => server!.connect()));
    const ids = await Promise.all(clients.map(clientId));
    for (const asker of [clients[0], clients[CLIENTS - 1]]) {
      await asker.send(resp('CLIENT', 'LIST'));
      const list = await asker.readBulk();
      expect(listedIds(list).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    }
    // The victim is likely on another thread than the killer (the hybrid spreads clients over its loops).
    const [killer, victim] = [clients[0], clients[CLIENTS - 1]];
    expect(await killer.request(resp('CLIENT', 'KILL', 'ID', String(ids[CLIENTS - 1])), ':1\r\n')).toBe(
      ':1\r\n',
    );
    await victim.closed;
    // The victim's thread lets go of it just after its socket closes (a pool worker frees its slot once its
    // read returns): the list below is taken once the server counts it gone.
    await until(() => server!.server.stats().connectedClients === CLIENTS - 1, 'the victim is let go');
    expect(await killer.request(resp('CLIENT', 'KILL', 'ID', '999999'), ':0\r\n')).toBe(':0\r\n');
    await killer.send(resp('CLIENT', 'LIST'));
    expect(listedIds(await killer.readBulk())).not.toContain(ids[CLIENTS - 1]);
  });

  it('gives every descriptor back after many abrupt disconnects', async () => {
    // The pool serves as many at once as it has workers: the others would wait in its queue unanswered.
    const [batchSize, rounds] = transport === 'pool' ? [4, 50] : [100, 10];
    // Every pool worker started before the baseline: each holds descriptors of its own (its eventfd, its loop's),
    // and workers start on demand, so the rounds below would otherwise start some after it.
    server = await startTestServer(transport, { workers: 4, minSpareWorkers: 4 });
    if (transport === 'pool')
      await until(() => server!.server.stats().workers === 4, 'every worker is ready');
    const baseline = openDescriptors();
    for (let round = 0; round < rounds; round++) {
      const batch = await Promise.all(Array.from({ length: batchSize }, () => server!.connect()));
      // Half have spoken (a session exists), half not; then each is reset, not closed.
      const speaking = batch.slice(0, batchSize / 2);
      await Promise.all(speaking.map((c) => c.request(resp('PING'), '+PONG\r\n')));
      for (const c of batch) c.socket.resetAndDestroy();
      await Promise.all(batch.map((c) => c.closed));
    }
    await until(() => server!.server.stats().connectedClients === 0, 'every client is released');
    await until(() => openDescriptors() <= baseline, `descriptors back to ${baseline}`);
    const c = await server.connect();
    expect(await c.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
  });
});

describe.each(transports.filter((t) => t !== 'pool'))('%s transport: idle clients', (transport) => {
  it('answers an active client at once while hundreds of idle ones stay connected (no starvation)', async () => {
    const server = await startTestServer(transport, { workers: 2 });
    try {
      const idle = await Promise.all(Array.from({ length: 300 }, () => server.connect()));
      const active = await server.connect();
      expect(await active.request(resp('SET', 'k', 'v'), '+OK\r\n')).toBe('+OK\r\n');
      expect(await active.request(resp('GET', 'k'), '$1\r\nv\r\n')).toBe('$1\r\nv\r\n');
      expect(server.server.stats().connectedClients).toBe(idle.length + 1);
    } finally {
      await server.close();
    }
  });

  it('loses no increment: 50 clients x 4,000 pipelined INCR on one key end at exactly 200,000', async () => {
    const server = await startTestServer(transport, { workers: 2 });
    try {
      const clients = await Promise.all(Array.from({ length: 50 }, () => server.connect()));
      const batch = Buffer.concat(Array.from({ length: 100 }, () => resp('INCR', 'counter')));
      await Promise.all(
        clients.map(async (c) => {
          for (let round = 0; round < 40; round++) {
            await c.send(batch);
            await c.readFramed((received) => (countReplies(received) >= 100 ? received.length : -1));
          }
        }),
      );
      expect(await clients[0].request(resp('GET', 'counter'), '$6\r\n200000\r\n')).toBe('$6\r\n200000\r\n');
    } finally {
      await server.close();
    }
  });
});

/** Integer replies (":n\r\n") complete in `received`. */
function countReplies(received: Buffer): number {
  let count = 0;
  for (let i = received.indexOf(10); i >= 0; i = received.indexOf(10, i + 1)) count++;
  return count;
}
