// LATENCY on real sockets, on every transport. On the pool each connection has a worker thread of its own and on
// the hybrid the connections are spread over its loops, so these are the cross-thread guarantees: one latency
// monitor for the server (latency-monitor-threshold set on one thread, an event recorded on another, seen and
// reset from a third), and LATENCY HISTOGRAM adding up every thread's calls of a command. And an eviction cycle
// long past the threshold is an event.

import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, transports, type TestServer } from '../support/server.js';

const CONNECTIONS = 3;
const ROUNDS = 20;

describe.each(transports)('%s transport: one latency monitor across threads', (transport) => {
  let server: TestServer;
  const open: Redis[] = [];

  async function client(): Promise<Redis> {
    const c = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 0 });
    await c.connect();
    open.push(c);
    return c;
  }

  beforeAll(async () => {
    server = await startTestServer(transport, {
      workers: CONNECTIONS + 2,
      config: { 'enable-debug-command': 'yes' },
    });
  });
  // Each test's clients leave with it: the pool has a worker per client, and no more than `workers`.
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.quit()));
  });
  afterAll(async () => {
    await server.close();
  });

  it('records an event on one thread that the others see and reset', async () => {
    const [setter, sleeper, reader] = [await client(), await client(), await client()];
    await setter.config('SET', 'latency-monitor-threshold', '20');
    await setter.call('LATENCY', 'RESET');
    await sleeper.call('DEBUG', 'SLEEP', '0.03');
    const latest = (await reader.call('LATENCY', 'LATEST')) as [string, number, number, number][];
    expect(latest.map(([event]) => event)).toEqual(['command']);
    expect(latest[0][2]).toBeGreaterThanOrEqual(30);
    expect(await setter.call('LATENCY', 'RESET', 'command')).toBe(1);
    expect(await sleeper.call('LATENCY', 'LATEST')).toEqual([]);
    await setter.config('SET', 'latency-monitor-threshold', '0');
  });

  it("adds every thread's calls of a command into its histogram", async () => {
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => client()));
    await clients[0].config('RESETSTAT');
    await Promise.all(
      clients.map(async (c, i) => {
        for (let round = 0; round < ROUNDS; round++) await c.set(`k${i}`, String(round));
      }),
    );
    const [name, body] = (await clients[1].call('LATENCY', 'HISTOGRAM', 'set')) as [string, unknown[]];
    expect(name).toBe('set');
    expect(body.slice(0, 2)).toEqual(['calls', CONNECTIONS * ROUNDS]);
  });
  // The check before a command is the same code on every transport: run once, where filling is quickest.
  it.runIf(transport === 'eventloop')('records an eviction cycle that took past the threshold', async () => {
    const c = await client();
    await c.flushall();
    for (let batch = 0; batch < 30; batch++) {
      const pairs = Array.from({ length: 1000 }, (_, i) => [`key:${batch}:${i}`, 'v'.repeat(64)]).flat();
      await c.mset(...pairs);
    }
    await c.config('SET', 'latency-monitor-threshold', '1');
    await c.call('LATENCY', 'RESET');
    // No time limit on the cycle (tenacity 100): the next command evicts nearly every key, in one cycle.
    await c.config(
      'SET',
      'maxmemory-policy',
      'allkeys-random',
      'maxmemory-eviction-tenacity',
      '100',
      'maxmemory',
      '1mb',
    );
    await c.ping();
    await c.config('SET', 'maxmemory', '0', 'latency-monitor-threshold', '0');
    const events = ((await c.call('LATENCY', 'LATEST')) as [string][]).map(([event]) => event);
    expect(events).toContain('eviction-cycle');
    await c.flushall();
  });
});
