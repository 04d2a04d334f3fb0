// Streams on real sockets, on every transport: XADD and the reads in RESP2 and RESP3, XREAD BLOCK woken by an XADD
// from another client (on the pool and the hybrid another thread: each pool client has its own worker, the hybrid
// alternates clients between two loops), every client blocked on the key served, one whose ID is past the new
// entry left blocked, the timeout's null reply; keyspace events; a stream surviving a restart from the dump file;
// and maxmemory eviction removing streams under allkeys-lru.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { respFrame } from '../support/live-harness.js';
import { resp, type RawClient } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(condition)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function infoField(client: RawClient, section: string, name: string): Promise<string> {
  await client.send(resp('INFO', section));
  const header = await client.readLine();
  const body = (await client.readText(Number(header.slice(1)) + 2)).slice(0, -2);
  const line = body.split('\r\n').find((l) => l.startsWith(`${name}:`));
  return line?.slice(name.length + 1) ?? '';
}

/** Sends a request and returns its whole reply (one RESP reply, whatever its length), as latin1. */
async function call(client: RawClient, ...argv: string[]): Promise<string> {
  await client.send(resp(...argv));
  return (await client.readFramed((received) => respFrame(received))).toString('latin1');
}

const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
const entry = (id: string, ...fields: string[]): string =>
  `*2\r\n${bulk(id)}*${fields.length}\r\n${fields.map(bulk).join('')}`;
/** XREAD's RESP2 reply for one stream: [[key, [entries]]]. */
const xread2 = (key: string, ...entries: string[]): string =>
  `*1\r\n*2\r\n${bulk(key)}*${entries.length}\r\n${entries.join('')}`;

describe.each(transports)('%s transport: streams', (transport) => {
  let server: TestServer;
  let opened: RawClient[] = [];

  beforeAll(async () => {
    server = await startTestServer(transport, { workers: transport === 'hybrid' ? 2 : 8 });
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(async () => {
    for (const client of opened) client.destroy();
    opened = [];
    const control = await server.connect();
    await waitFor(async () => (await infoField(control, 'clients', 'blocked_clients')) === '0');
    await control.request(resp('FLUSHALL'), '+OK\r\n');
    control.destroy();
  });

  async function clients(n: number): Promise<RawClient[]> {
    const out: RawClient[] = [];
    for (let i = 0; i < n; i++) out.push(await server.connect());
    opened.push(...out);
    return out;
  }

  const blocked = (control: RawClient, n: number) =>
    waitFor(async () => (await infoField(control, 'clients', 'blocked_clients')) === `${n}`);

  it('adds and reads entries in RESP2 and RESP3', async () => {
    const [c] = await clients(1);
    expect(await c.request(resp('XADD', 's', '1-1', 'f', 'v'), bulk('1-1'))).toBe(bulk('1-1'));
    expect(await c.request(resp('XADD', 's', 'MAXLEN', '~', '10', '2-*', 'g', 'w'), bulk('2-0'))).toBe(
      bulk('2-0'),
    );
    const range = `*2\r\n${entry('1-1', 'f', 'v')}${entry('2-0', 'g', 'w')}`;
    expect(await c.request(resp('XRANGE', 's', '-', '+'), range)).toBe(range);
    expect(await c.request(resp('XLEN', 's'), ':2\r\n')).toBe(':2\r\n');
    expect(await c.request(resp('TYPE', 's'), '+stream\r\n')).toBe('+stream\r\n');
    await call(c, 'HELLO', '3');
    const map = `%1\r\n${bulk('s')}*1\r\n${entry('2-0', 'g', 'w')}`;
    expect(await c.request(resp('XREAD', 'STREAMS', 's', '1-1'), map)).toBe(map);
  });

  it('XREAD BLOCK $ is woken by an XADD from another client, every waiter on the key served', async () => {
    const [first, second, late, writer, control] = await clients(5);
    await writer.request(resp('XADD', 's', '5-0', 'old', '1'), bulk('5-0'));
    await first.send(resp('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'));
    await second.send(resp('XREAD', 'COUNT', '10', 'BLOCK', '0', 'STREAMS', 'other', 's', '0', '$'));
    await late.send(resp('XREAD', 'BLOCK', '0', 'STREAMS', 's', '100-0')); // past what comes next
    await blocked(control, 3);
    expect(await writer.request(resp('XADD', 's', '6-0', 'new', '2'), bulk('6-0'))).toBe(bulk('6-0'));
    const served = xread2('s', entry('6-0', 'new', '2'));
    expect(await first.readText(served)).toBe(served);
    expect(await second.readText(served)).toBe(served);
    await blocked(control, 1);
    expect(await writer.request(resp('XADD', 's', '101-0', 'x', '3'), bulk('101-0'))).toBe(bulk('101-0'));
    const lateServed = xread2('s', entry('101-0', 'x', '3'));
    expect(await late.readText(lateServed)).toBe(lateServed);
  });

  it('XREADGROUP BLOCK > is served by an XADD from another client and answered NOGROUP when its group goes', async () => {
    const [reader, other, writer, control] = await clients(4);
    await writer.request(resp('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'), '+OK\r\n');
    await reader.send(resp('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>'));
    await blocked(control, 1);
    expect(await writer.request(resp('XADD', 's', '1-0', 'job', '1'), bulk('1-0'))).toBe(bulk('1-0'));
    const served = xread2('s', entry('1-0', 'job', '1'));
    expect(await reader.readText(served)).toBe(served);
    const pending = await call(writer, 'XPENDING', 's', 'g');
    expect(pending).toBe(`*4\r\n:1\r\n${bulk('1-0')}${bulk('1-0')}*1\r\n*2\r\n${bulk('alice')}${bulk('1')}`);
    await other.send(resp('XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '0', 'STREAMS', 's', '>'));
    await blocked(control, 1);
    await writer.request(resp('XGROUP', 'DESTROY', 's', 'g'), ':1\r\n');
    const gone = '-NOGROUP the consumer group this client was blocked on no longer exists\r\n';
    expect(await other.readText(gone)).toBe(gone);
  });

  it('XREAD BLOCK times out with a null array; XREAD without BLOCK does not wait', async () => {
    const [c] = await clients(1);
    expect(await c.request(resp('XREAD', 'STREAMS', 'none', '0'), '*-1\r\n')).toBe('*-1\r\n');
    expect(await c.request(resp('XREAD', 'BLOCK', '30', 'STREAMS', 'none', '$'), '*-1\r\n')).toBe('*-1\r\n');
  });

  it('publishes xadd, xtrim, xdel and xsetid keyspace events', async () => {
    const [subscriber, c] = await clients(2);
    await c.request(resp('CONFIG', 'SET', 'notify-keyspace-events', 'Et'), '+OK\r\n');
    await subscriber.send(resp('PSUBSCRIBE', '__keyevent@0__:*'));
    await subscriber.readText(`*3\r\n${bulk('psubscribe')}${bulk('__keyevent@0__:*')}:1\r\n`);
    await c.request(resp('XADD', 's', '1-1', 'f', 'v'), bulk('1-1'));
    await c.request(resp('XADD', 's', 'MAXLEN', '1', '2-1', 'f', 'v'), bulk('2-1'));
    await c.request(resp('XDEL', 's', '2-1'), ':1\r\n');
    await c.request(resp('XSETID', 's', '9-9'), '+OK\r\n');
    const event = (name: string) =>
      `*4\r\n${bulk('pmessage')}${bulk('__keyevent@0__:*')}${bulk(`__keyevent@0__:${name}`)}${bulk('s')}`;
    const expected = ['xadd', 'xadd', 'xtrim', 'xdel', 'xsetid'].map(event).join('');
    expect(await subscriber.readText(expected)).toBe(expected);
    await c.request(resp('CONFIG', 'SET', 'notify-keyspace-events', ''), '+OK\r\n');
  });
});

describe.each(transports)('%s transport: streams persisted and evicted', (transport) => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'redis-lite-streams-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a stream, its last ID and deletions across a restart from the dump file', async () => {
    const options = { workers: 2, config: { dir, dbfilename: `streams-${transport}.rdb` } };
    const first = await startTestServer(transport, options);
    const c = await first.connect();
    for (let i = 1; i <= 150; i++)
      await c.request(resp('XADD', 's', `${i}-1`, 'f', String(i)), bulk(`${i}-1`));
    await c.request(resp('XDEL', 's', '3-1'), ':1\r\n');
    await c.request(resp('XSETID', 's', '500-0'), '+OK\r\n');
    const before = await call(c, 'XREVRANGE', 's', '+', '-', 'COUNT', '2');
    const dump = await call(c, 'DUMP', 's');
    await c.request(resp('SAVE'), '+OK\r\n');
    c.destroy();
    await first.close();
    const second = await startTestServer(transport, options);
    const d = await second.connect();
    expect(await call(d, 'XREVRANGE', 's', '+', '-', 'COUNT', '2')).toBe(before);
    expect(await call(d, 'DUMP', 's')).toBe(dump);
    expect(await call(d, 'XADD', 's', '400-0', 'f', 'v')).toMatch(/equal or smaller/);
    d.destroy();
    await second.close();
  });

  it('evicts streams under allkeys-lru at maxmemory', async () => {
    const server = await startTestServer(transport, { workers: 2 });
    const c = await server.connect();
    await c.request(resp('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'), '+OK\r\n');
    await c.request(resp('CONFIG', 'SET', 'maxmemory', '2mb'), '+OK\r\n');
    const value = 'x'.repeat(1000);
    for (let k = 0; k < 60; k++) {
      for (let i = 1; i <= 50; i++) await call(c, 'XADD', `s${k}`, `${i}-0`, 'f', value);
    }
    expect(Number(await infoField(c, 'stats', 'evicted_keys'))).toBeGreaterThan(0);
    expect(Number(await infoField(c, 'memory', 'used_memory_dataset'))).toBeLessThanOrEqual(2 * 1024 * 1024);
    c.destroy();
    await server.close();
  });
});
