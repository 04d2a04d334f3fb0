// The pool starts its workers on demand, as Apache's worker MPM does: --workers is the most there may be, a few
// spare ones start before it listens, more as clients arrive (a spare kept ahead of them), and idle ones beyond
// the spare count are retired after the idle timeout. The starvation cliff stays exactly at --workers: with N
// clients connected and idle, client N+1 gets no reply until one leaves. A worker started while the server
// runs does not write its (older) config into the shared store. Real worker threads (the compiled dist/); waits
// on conditions and socket events, never on a sleep.

import { afterEach, describe, expect, it } from 'vitest';
import { loadNative } from '../../src/transport/threadpool/native.js';
import { closeTestPools, startTestPool } from '../support/pool-fixture.js';
import { resp, type RawClient } from '../support/raw-client.js';
import { until } from '../support/wait.js';

const native = loadNative();
const PING = resp('PING');
const PONG = '+PONG\r\n';

afterEach(closeTestPools);

describe.skipIf(native instanceof Error)('thread-pool transport: workers on demand', () => {
  it('starts workers as clients arrive, one spare ahead, never past --workers; client N+1 waits until one leaves', async () => {
    const pool = await startTestPool({ workers: 4, minSpareWorkers: 1 });
    const stats = () => pool.transport.stats();
    expect(stats()).toMatchObject({ workers: 1, workersStarted: 1, workersMax: 4 });

    const clients: RawClient[] = [];
    for (let n = 1; n <= 4; n++) {
      const client = await pool.connect();
      expect(await client.request(PING, PONG)).toBe(PONG);
      clients.push(client);
      // n clients served and one spare ahead of them, within the maximum of 4.
      await until(
        () => stats().workersStarted === Math.min(n + 1, 4),
        `${Math.min(n + 1, 4)} workers started`,
      );
      expect(stats().busyWorkers).toBe(n);
    }
    await until(() => stats().workers === 4, 'all four workers ready');

    // The cliff is still at 4: the fifth client is accepted, queued, and answered by nobody.
    const fifth = await pool.connect();
    await fifth.send(PING);
    await until(() => stats().queuedClients === 1, 'the fifth client is queued');
    expect(fifth.pending.length).toBe(0);
    expect(stats()).toMatchObject({ workers: 4, workersStarted: 4, busyWorkers: 4 });

    clients[0].end();
    expect(await fifth.readText(PONG)).toBe(PONG);
    expect(stats()).toMatchObject({ workersStarted: 4, busyWorkers: 4, queuedClients: 0 });
    // INFO shows the same figures, read on a worker.
    await fifth.send(resp('INFO', 'clients'));
    const info = await fifth.readBulk();
    expect(info).toContain('\r\nworkers:4\r\nworkers_started:4\r\nworkers_max:4\r\n');
  });

  it('a worker started while a CONFIG SET is made does not undo it in the shared store (proto-max-bulk-len)', async () => {
    const pool = await startTestPool({ workers: 8, minSpareWorkers: 4 });
    const stats = () => pool.transport.stats();
    const a = await pool.connect();
    // Serving a starts spares; each takes tens of ms to start, far longer than the next request takes.
    expect(await a.request(PING, PONG)).toBe(PONG);
    expect(await a.request(resp('CONFIG', 'SET', 'proto-max-bulk-len', '1mb'), '+OK\r\n')).toBe('+OK\r\n');
    expect(stats().workersStarted).toBeGreaterThan(stats().workers ?? 0);
    await until(() => stats().workers === stats().workersStarted, 'the spares started meanwhile are ready');
    const tooBig = '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n';
    expect(await a.request(resp('SETRANGE', 'grown', String(1024 * 1024), 'x'), tooBig)).toBe(tooBig);
    const b = await pool.connect();
    expect(await b.request(resp('SETRANGE', 'grown', String(1024 * 1024), 'x'), tooBig)).toBe(tooBig);
  });

  it('retires workers idle past the idle timeout down to the spare count, and starts them again on demand', async () => {
    const pool = await startTestPool({
      workers: 4,
      minSpareWorkers: 1,
      workerIdleTimeoutMs: 200,
      idleCheckIntervalMs: 20,
    });
    const stats = () => pool.transport.stats();
    const clients = await Promise.all([1, 2, 3].map(() => pool.connect()));
    for (const client of clients) expect(await client.request(PING, PONG)).toBe(PONG);
    await until(() => stats().workers === 4, 'three served and one spare');
    for (const client of clients) client.end();
    await Promise.all(clients.map((c) => c.closed));
    await until(() => stats().busyWorkers === 0, 'every worker is idle');
    const idleFrom = Date.now();
    await until(() => stats().workers === 1, 'surplus idle workers retired');
    expect(Date.now() - idleFrom).toBeGreaterThanOrEqual(150);
    expect(stats().workersStarted).toBe(4);

    const again = await Promise.all([1, 2].map(() => pool.connect()));
    for (const client of again) expect(await client.request(PING, PONG)).toBe(PONG);
    await until(() => stats().workers === 3, 'two served and a spare again');
    expect(stats().workersStarted).toBeGreaterThanOrEqual(6);
  });
});
