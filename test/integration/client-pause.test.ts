// CLIENT PAUSE and CLIENT UNPAUSE on real sockets, on every transport. On the pool each client has its own worker
// thread and on the hybrid clients alternate between two loops, so the client that pauses or unpauses and the
// clients held are on different threads there: one pause for all of them, held clients blocked (INFO
// blocked_clients, CLIENT LIST flags=b) with their pipelined requests waiting behind the held one, and run in
// order once UNPAUSE comes from any thread or the pause's end passes; no key expires while paused. Ordered by
// waiting for INFO blocked_clients, never by sleeping.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resp, type RawClient } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

/** Resolves once `condition` holds (checked every few ms); fails after `timeoutMs`. */
async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(condition)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `name:value` of an INFO field, read with one request. */
async function infoField(client: RawClient, section: string, name: string): Promise<string> {
  await client.send(resp('INFO', section));
  const header = await client.readLine(); // $<length>
  const body = (await client.readText(Number(header.slice(1)) + 2)).slice(0, -2);
  const line = body.split('\r\n').find((l) => l.startsWith(`${name}:`));
  return line?.slice(name.length + 1) ?? '';
}

async function clientId(client: RawClient): Promise<number> {
  await client.send(resp('CLIENT', 'ID'));
  return Number((await client.readLine()).slice(1));
}

const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

describe.each(transports)('%s transport: CLIENT PAUSE', (transport) => {
  let server: TestServer;
  let control: RawClient;
  let opened: RawClient[] = [];

  beforeAll(async () => {
    server = await startTestServer(transport, { workers: transport === 'hybrid' ? 2 : 8 });
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(async () => {
    // Every test ends unpaused, with nobody held and an empty keyspace.
    for (const client of opened) client.destroy();
    opened = [];
    control = await server.connect();
    await control.request(resp('CLIENT', 'UNPAUSE'), '+OK\r\n');
    await blockedCount(0);
    await control.request(resp('FLUSHALL'), '+OK\r\n');
    control.destroy();
  });

  /** Opens the control client and `n` others. */
  async function clients(n: number): Promise<RawClient[]> {
    control = await server.connect();
    const out: RawClient[] = [];
    for (let i = 0; i < n; i++) out.push(await server.connect());
    opened = [control, ...out];
    return out;
  }

  const blockedCount = (n: number) =>
    waitFor(async () => (await infoField(control, 'clients', 'blocked_clients')) === `${n}`);

  it('WRITE holds a write and what follows it, not reads, until UNPAUSE from another thread', async () => {
    const [writer] = await clients(1);
    const id = await clientId(writer);
    expect(await control.request(resp('CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n')).toBe('+OK\r\n');
    await writer.send(Buffer.concat([resp('SET', 'k', 'v'), resp('GET', 'k')]));
    await blockedCount(1);
    // Reads, PING and INFO run meanwhile; the write has not.
    expect(await control.request(resp('GET', 'k'), '$-1\r\n')).toBe('$-1\r\n');
    expect(await control.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
    expect(writer.pending.length).toBe(0);
    await control.send(resp('CLIENT', 'LIST', 'ID', String(id)));
    const header = await control.readLine();
    const line = await control.readText(Number(header.slice(1)) + 2);
    expect(line).toContain(' flags=b ');
    expect(line).toContain(' cmd=set ');
    expect(await control.request(resp('CLIENT', 'UNPAUSE'), '+OK\r\n')).toBe('+OK\r\n');
    expect(await writer.readText(`+OK\r\n${bulk('v')}`)).toBe(`+OK\r\n${bulk('v')}`);
    expect(await infoField(control, 'clients', 'blocked_clients')).toBe('0');
  });

  it('WRITE holds PUBLISH and an EXEC with a queued write, not a read-only transaction', async () => {
    const [publisher, transaction, reader] = await clients(3);
    await transaction.request(Buffer.concat([resp('MULTI'), resp('INCR', 'n')]), '+OK\r\n+QUEUED\r\n');
    await control.request(resp('CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n');
    const readOnly = '+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+PONG\r\n$-1\r\n';
    expect(
      await reader.request(
        Buffer.concat([resp('MULTI'), resp('PING'), resp('GET', 'n'), resp('EXEC')]),
        readOnly,
      ),
    ).toBe(readOnly);
    await publisher.send(resp('PUBLISH', 'ch', 'm'));
    await blockedCount(1);
    await transaction.send(resp('EXEC'));
    await blockedCount(2);
    // A write sent inside MULTI is held before it is queued, as processCommand checks the pause first.
    await reader.send(Buffer.concat([resp('MULTI'), resp('SET', 'x', '1')]));
    expect(await reader.readText('+OK\r\n')).toBe('+OK\r\n');
    await blockedCount(3);
    await control.request(resp('CLIENT', 'UNPAUSE'), '+OK\r\n');
    expect(await publisher.readText(':0\r\n')).toBe(':0\r\n');
    expect(await transaction.readText('*1\r\n:1\r\n')).toBe('*1\r\n:1\r\n');
    expect(await reader.readText('+QUEUED\r\n')).toBe('+QUEUED\r\n');
  });

  it('runs several held clients, each with its pipeline in order', async () => {
    const writers = await clients(3);
    await control.request(resp('CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n');
    for (const [i, writer] of writers.entries()) {
      await writer.send(Buffer.concat([resp('INCR', `k${i}`), resp('INCR', `k${i}`), resp('GET', `k${i}`)]));
      await blockedCount(i + 1);
    }
    await control.request(resp('CLIENT', 'UNPAUSE'), '+OK\r\n');
    for (const writer of writers) {
      expect(await writer.readText(`:1\r\n:2\r\n${bulk('2')}`)).toBe(`:1\r\n:2\r\n${bulk('2')}`);
    }
  });

  it('ALL holds every command, CLIENT UNPAUSE too, until the pause ends by time', async () => {
    const [reader] = await clients(1);
    const paused = Date.now();
    await control.request(resp('CLIENT', 'PAUSE', '300'), '+OK\r\n');
    await reader.send(resp('PING'));
    await control.send(resp('CLIENT', 'UNPAUSE'));
    expect(await reader.readText('+PONG\r\n')).toBe('+PONG\r\n');
    expect(await control.readText('+OK\r\n')).toBe('+OK\r\n');
    // The pause ends once its end has passed (end < now): not before 300 ms after it was asked for.
    expect(Date.now() - paused).toBeGreaterThanOrEqual(300);
  });

  it('holds a subscribed RESP3 client too, and runs it at the pause end, not at its loop tick', async () => {
    const [subscriber] = await clients(1);
    await subscriber.send(Buffer.concat([resp('HELLO', '3'), resp('SUBSCRIBE', 'ch')]));
    await subscriber.readFramed((bytes) => {
      const at = bytes.indexOf('>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n');
      return at < 0 ? -1 : at + 31;
    });
    const paused = Date.now();
    await control.request(resp('CLIENT', 'PAUSE', '200', 'WRITE'), '+OK\r\n');
    await subscriber.send(resp('SET', 'k', 'v'));
    expect(await subscriber.readText('+OK\r\n')).toBe('+OK\r\n');
    // Held until the end (200 ms), and run then: a pool worker serving a subscriber wakes for the pause's end,
    // not only at its one-second tick.
    expect(Date.now() - paused).toBeGreaterThanOrEqual(200);
    expect(Date.now() - paused).toBeLessThan(900);
  });

  it('a held client that leaves is forgotten', async () => {
    const [writer] = await clients(1);
    await control.request(resp('CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n');
    await writer.send(resp('SET', 'k', 'v'));
    await blockedCount(1);
    writer.destroy();
    await blockedCount(0);
    await control.request(resp('CLIENT', 'UNPAUSE'), '+OK\r\n');
    expect(await control.request(resp('EXISTS', 'k'), ':0\r\n')).toBe(':0\r\n');
  });

  it('keeps expired keys while paused: reported missing, deleted once the pause ends', async () => {
    await clients(0);
    const expiredBefore = Number(await infoField(control, 'stats', 'expired_keys'));
    // The pause starts after the transaction that asks for it (Redis's test "client pause starts at the end
    // of a transaction"): the key is set, then nothing may expire it.
    const transaction = '+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n+OK\r\n';
    await control.request(
      Buffer.concat([
        resp('MULTI'),
        resp('SET', 'k', 'v', 'PX', '1'),
        resp('CLIENT', 'PAUSE', '100000', 'WRITE'),
        resp('EXEC'),
      ]),
      transaction,
    );
    await waitFor(async () => {
      await control.send(resp('PTTL', 'k'));
      return (await control.readLine()) === ':-2\r\n';
    });
    expect(await control.request(resp('GET', 'k'), '$-1\r\n')).toBe('$-1\r\n');
    expect(await control.request(resp('DBSIZE'), ':1\r\n')).toBe(':1\r\n');
    expect(Number(await infoField(control, 'stats', 'expired_keys'))).toBe(expiredBefore);
    await control.request(resp('CLIENT', 'UNPAUSE'), '+OK\r\n');
    expect(await control.request(resp('GET', 'k'), '$-1\r\n')).toBe('$-1\r\n');
    expect(await control.request(resp('DBSIZE'), ':0\r\n')).toBe(':0\r\n');
    expect(Number(await infoField(control, 'stats', 'expired_keys'))).toBe(expiredBefore + 1);
  });
});
