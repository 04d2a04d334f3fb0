// INFO on real sockets, for every transport: keyspace_hits / keyspace_misses made by clients that the pool
// serves on different worker threads add up to one total, and CONFIG RESETSTAT from any of them zeroes it for
// all; the server section describes the process, not the thread that answers. Waits on replies, never sleeps.

import { describe, expect, it } from 'vitest';
import { resp, type RawClient } from '../support/raw-client.js';
import { transports, useTestServer } from '../support/server.js';

async function lookups(client: RawClient): Promise<[hits: number, misses: number]> {
  await client.send(resp('INFO', 'stats'));
  const stats = await client.readBulk();
  const field = (name: string) => Number(new RegExp(`\r\n${name}:(\\d+)\r\n`).exec(stats)?.[1]);
  return [field('keyspace_hits'), field('keyspace_misses')];
}

describe.each(transports)('%s transport', (transport) => {
  const current = useTestServer(transport, { workers: 4 });

  it('adds the keyspace hits and misses of every thread to one total; CONFIG RESETSTAT zeroes it', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => current().connect()));
    const [first] = clients;
    expect(await first.request(resp('SET', 'k', 'v'), '+OK\r\n')).toBe('+OK\r\n');
    for (const c of clients) {
      expect(await c.request(resp('GET', 'k'), '$1\r\nv\r\n')).toBe('$1\r\nv\r\n');
      expect(await c.request(resp('GET', 'missing'), '$-1\r\n')).toBe('$-1\r\n');
      expect(await c.request(resp('MGET', 'k', 'k', 'x'), '*3\r\n$1\r\nv\r\n$1\r\nv\r\n$-1\r\n')).toBe(
        '*3\r\n$1\r\nv\r\n$1\r\nv\r\n$-1\r\n',
      );
    }
    // On the pool each connected client holds its own worker, so the lookups above ran on three threads.
    if (transport === 'pool') expect(current().server.stats().busyWorkers).toBe(3);
    const observer = await current().connect();
    expect(await lookups(observer)).toEqual([9, 6]);
    expect(await clients[2].request(resp('CONFIG', 'RESETSTAT'), '+OK\r\n')).toBe('+OK\r\n');
    expect(await lookups(observer)).toEqual([0, 0]);
    expect(await first.request(resp('EXISTS', 'k', 'x'), ':1\r\n')).toBe(':1\r\n');
    expect(await lookups(observer)).toEqual([1, 1]);
  });

  it("reports the process's id and executable, whichever thread answers INFO", async () => {
    const client = await current().connect();
    await client.send(resp('INFO', 'server'));
    const server = await client.readBulk();
    // The server runs in this process: its main script is this process's (a worker's own would be its bundle).
    expect(server).toContain(`\r\nexecutable:${process.argv[1]}\r\n`);
    expect(server).toContain(`\r\nprocess_id:${process.pid}\r\n`);
  });
});
