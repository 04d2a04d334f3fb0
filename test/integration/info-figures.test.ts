// INFO's traffic, rates and latency figures on real sockets, on every transport: the bytes a client sends and
// receives are counted where each transport reads and writes (the event loop's socket, the pool's blocking
// read(2)/write(2), the hybrid's native loop), once per read and per write; the instantaneous rates come from
// the main thread's sampler; latency-tracking and its percentiles set on one connection apply to the others
// (on the pool and the hybrid, other threads).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { infoFields, untilInfo } from '../support/info-wait.js';
import { resp, type RawClient } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

/** INFO <section> over a raw connection: the bulk's text. */
async function info(client: RawClient, section: string): Promise<string> {
  await client.send(resp('INFO', section));
  return client.readBulk();
}

describe.each(transports)('%s transport: INFO traffic, rates and latencies', (transport) => {
  let server: TestServer;
  beforeEach(async () => {
    // The clients' buffers are sampled at each idle check (Redis's clientsCron): often, so tests wait little.
    server = await startTestServer(transport, { workers: 2, idleCheckIntervalMs: 50 });
  });
  afterEach(async () => {
    await server.close();
  });

  it('counts the bytes read and written and the read and write calls, from CONFIG RESETSTAT on', async () => {
    const client = await server.connect();
    await client.request(resp('CONFIG', 'RESETSTAT'), '+OK\r\n'); // its reply: 5 bytes, 1 write after the reset
    const set = resp('SET', 'key', 'x'.repeat(1000));
    await client.request(set, '+OK\r\n');
    const get = resp('GET', 'key');
    await client.request(get, `$1000\r\n${'x'.repeat(1000)}\r\n`);
    const infoRequest = resp('INFO', 'stats');
    const stats = infoFields(await info(client, 'stats'));
    expect(Number(stats.get('total_net_input_bytes'))).toBe(set.length + get.length + infoRequest.length);
    expect(Number(stats.get('total_net_output_bytes'))).toBe(5 + 5 + 1009);
    expect(Number(stats.get('total_reads_processed'))).toBe(3);
    expect(Number(stats.get('total_writes_processed'))).toBe(3);
    // A second client's traffic adds up with the first's (another thread on the pool and the hybrid).
    const other = await server.connect();
    await other.request(resp('PING'), '+PONG\r\n');
    const after = infoFields(await info(client, 'stats'));
    expect(Number(after.get('total_net_input_bytes'))).toBe(
      set.length + get.length + 2 * infoRequest.length + resp('PING').length,
    );
  });

  it("shows the largest query buffer among the clients and adds the clients' buffers to mem_clients_normal", async () => {
    const partial = await server.connect();
    const watcher = await server.connect();
    // An unfinished request waits in its client's query buffer (on the pool and the hybrid, another thread's).
    await partial.send(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n${'x'.repeat(5000)}`);
    const clients = await untilInfo(
      { info: (section: string) => info(watcher, section) },
      'clients',
      (f) => Number(f.get('client_recent_max_input_buffer')) >= 5000,
      'the unfinished request in its query buffer',
    );
    expect(Number(clients.get('client_recent_max_output_buffer'))).toBeGreaterThanOrEqual(0);
    const memory = infoFields(await info(watcher, 'memory'));
    expect(Number(memory.get('mem_clients_normal'))).toBeGreaterThanOrEqual(5000);
  });

  it("keeps reporting a client's large query buffer for seconds after the client left, as Redis's ring of slots", async () => {
    const partial = await server.connect();
    const watcher = await server.connect();
    const source = { info: (section: string) => info(watcher, section) };
    await partial.send(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n${'x'.repeat(5000)}`);
    await untilInfo(
      source,
      'memory',
      (f) => Number(f.get('mem_clients_normal')) >= 5000,
      "the unfinished request sampled by the transport's cron",
    );
    partial.destroy();
    // The next samples see the client gone (its buffer is out of the total); the recent peak stays.
    await untilInfo(
      source,
      'memory',
      (f) => Number(f.get('mem_clients_normal')) < 5000,
      'a sample taken after the client left',
    );
    const clients = infoFields(await info(watcher, 'clients'));
    expect(Number(clients.get('client_recent_max_input_buffer'))).toBeGreaterThanOrEqual(5000);
  });

  it('samples the commands and bytes per second every 100 ms', async () => {
    const client = await server.connect();
    const ioredisLike = { info: (section: string) => info(client, section) };
    const stats = await untilInfo(
      ioredisLike,
      'stats',
      (f) => Number(f.get('instantaneous_ops_per_sec')) > 0 && f.get('instantaneous_input_kbps') !== '0.00',
      'a rate above 0',
    );
    expect(stats.get('instantaneous_output_kbps')).toMatch(/^\d+\.\d\d$/);
  });

  it('applies latency-tracking and its percentiles set on one connection to the others', async () => {
    const setter = await server.connect();
    const reader = await server.connect();
    await reader.request(resp('SET', 'k', 'v'), '+OK\r\n');
    await setter.request(resp('CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 90.5'), '+OK\r\n');
    const tracked = infoFields(await info(reader, 'latencystats'));
    expect(tracked.get('latency_percentiles_usec_set')).toMatch(/^p50=\d+\.\d{3},p90\.5=\d+\.\d{3}$/);
    await setter.request(resp('CONFIG', 'SET', 'latency-tracking', 'no'), '+OK\r\n');
    await reader.request(resp('GET', 'k'), '$1\r\nv\r\n');
    expect(await info(reader, 'latencystats')).toBe('# Latencystats\r\n');
    await setter.request(resp('CONFIG', 'SET', 'latency-tracking', 'yes'), '+OK\r\n');
    await reader.request(resp('GET', 'k'), '$1\r\nv\r\n');
    expect(infoFields(await info(reader, 'latencystats')).has('latency_percentiles_usec_get')).toBe(true);
  });
});
