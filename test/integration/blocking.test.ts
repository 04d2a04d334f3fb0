// Blocking operations (BLPOP and kin) on real sockets, on every transport. On the pool each client has its own
// worker thread (a blocked one waits in Atomics.wait), on the hybrid clients alternate between two loops, so a
// blocked client and the client whose push serves it are on different threads there: served at once, in the
// order clients blocked, with the pusher's next command seeing the list already popped; unblocked by timeout,
// CLIENT UNBLOCK, CLIENT KILL and a hang-up; never blocking inside MULTI; BLMOVE moving atomically and serving
// the clients blocked on its destination in turn.

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
async function infoField(client: RawClient, name: string): Promise<string> {
  await client.send(resp('INFO', 'clients'));
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
const pair = (key: string, value: string): string => `*2\r\n${bulk(key)}${bulk(value)}`;

describe.each(transports)('%s transport: blocking operations', (transport) => {
  let server: TestServer;
  let control: RawClient;

  beforeAll(async () => {
    server = await startTestServer(transport, { workers: transport === 'hybrid' ? 2 : 8 });
  });
  afterAll(async () => {
    await server.close();
  });
  let opened: RawClient[] = [];
  afterEach(async () => {
    // Every test starts with nobody blocked and an empty keyspace: its clients leave (and leave the registry).
    for (const client of opened) client.destroy();
    opened = [];
    control = await server.connect();
    await blockedCount(0);
    await control.request(resp('FLUSHALL'), '+OK\r\n');
    control.destroy();
  });

  /** Opens the control client (INFO, pushes) and `n` others. */
  async function clients(n: number): Promise<RawClient[]> {
    control = await server.connect();
    const out: RawClient[] = [];
    for (let i = 0; i < n; i++) out.push(await server.connect());
    opened = [control, ...out];
    return out;
  }

  const blockedCount = (n: number) =>
    waitFor(async () => (await infoField(control, 'blocked_clients')) === `${n}`);

  it('serves a blocked BLPOP from a push on another thread, before the pusher sees the list', async () => {
    const [waiter, pusher] = await clients(2);
    await waiter.send(resp('BLPOP', 'empty', 'q', '0'));
    await blockedCount(1);
    expect(await pusher.request(resp('RPUSH', 'q', 'job'), ':1\r\n')).toBe(':1\r\n');
    expect(await pusher.request(resp('LLEN', 'q'), ':0\r\n')).toBe(':0\r\n');
    expect(await waiter.readText(pair('q', 'job'))).toBe(pair('q', 'job'));
    expect(await infoField(control, 'blocked_clients')).toBe('0');
  });

  it('serves the clients blocked on one key in the order they blocked', async () => {
    const waiters = await clients(3);
    for (const [i, waiter] of waiters.entries()) {
      await waiter.send(resp('BRPOP', 'q', '0'));
      await blockedCount(i + 1);
    }
    expect(await control.request(resp('LPUSH', 'q', 'a', 'b', 'c'), ':3\r\n')).toBe(':3\r\n');
    // BRPOP pops the tail: a, then b, then c, to the first, second and third client to block.
    expect(await waiters[0].readText(pair('q', 'a'))).toBe(pair('q', 'a'));
    expect(await waiters[1].readText(pair('q', 'b'))).toBe(pair('q', 'b'));
    expect(await waiters[2].readText(pair('q', 'c'))).toBe(pair('q', 'c'));
  });

  it('times out with a null array, and runs the requests sent meanwhile afterwards', async () => {
    const [waiter] = await clients(1);
    const started = Date.now();
    await waiter.send(Buffer.concat([resp('BLPOP', 'q', '0.2'), resp('PING')]));
    expect(await waiter.readText('*-1\r\n+PONG\r\n')).toBe('*-1\r\n+PONG\r\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('holds pipelined requests until served, then answers them in order', async () => {
    const [waiter] = await clients(1);
    await waiter.send(Buffer.concat([resp('BLPOP', 'q', '0'), resp('ECHO', 'after')]));
    await blockedCount(1);
    expect(waiter.pending.length).toBe(0);
    await control.request(resp('RPUSH', 'q', 'x'), ':1\r\n');
    const expected = pair('q', 'x') + bulk('after');
    expect(await waiter.readText(expected)).toBe(expected);
  });

  it('shows a blocked client in CLIENT LIST (flags=b, cmd=blpop) and INFO', async () => {
    const [waiter] = await clients(1);
    const id = await clientId(waiter);
    await waiter.send(resp('BLPOP', 'q', '100'));
    await blockedCount(1);
    expect(await infoField(control, 'clients_in_timeout_table')).toBe('1');
    await control.send(resp('CLIENT', 'LIST', 'ID', String(id)));
    const header = await control.readLine();
    const line = await control.readText(Number(header.slice(1)) + 2);
    expect(line).toContain(' flags=b ');
    expect(line).toContain(' cmd=blpop ');
  });

  it('CLIENT UNBLOCK from another thread: the timeout reply, or the UNBLOCKED error', async () => {
    const [waiter] = await clients(1);
    const id = await clientId(waiter);
    expect(await control.request(resp('CLIENT', 'UNBLOCK', String(id)), ':0\r\n')).toBe(':0\r\n');
    await waiter.send(resp('BLPOP', 'q', '0'));
    await blockedCount(1);
    expect(await control.request(resp('CLIENT', 'UNBLOCK', String(id)), ':1\r\n')).toBe(':1\r\n');
    expect(await waiter.readText('*-1\r\n')).toBe('*-1\r\n');
    await waiter.send(resp('BLMOVE', 'q', 'd', 'LEFT', 'LEFT', '0'));
    await blockedCount(1);
    expect(await control.request(resp('CLIENT', 'UNBLOCK', String(id), 'ERROR'), ':1\r\n')).toBe(':1\r\n');
    const error = '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n';
    expect(await waiter.readText(error)).toBe(error);
    expect(await waiter.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
  });

  it('a client killed or gone while blocked is served nothing: the element stays', async () => {
    const [killed, gone] = await clients(2);
    const id = await clientId(killed);
    await killed.send(resp('BLPOP', 'q', '0'));
    await gone.send(resp('BLPOP', 'q', '0'));
    await blockedCount(2);
    expect(await control.request(resp('CLIENT', 'KILL', 'ID', String(id)), ':1\r\n')).toBe(':1\r\n');
    await killed.closed;
    gone.destroy();
    await blockedCount(0);
    await control.request(resp('RPUSH', 'q', 'kept'), ':1\r\n');
    expect(await control.request(resp('LLEN', 'q'), ':1\r\n')).toBe(':1\r\n');
  });

  it('does not block inside MULTI: nil and null arrays at once', async () => {
    const [client] = await clients(1);
    await client.send(
      Buffer.concat([
        resp('MULTI'),
        resp('BLPOP', 'q', '0'),
        resp('BLMOVE', 'q', 'd', 'LEFT', 'RIGHT', '0'),
        resp('BRPOPLPUSH', 'q', 'd', '0'),
        resp('BLMPOP', '0', '1', 'q', 'LEFT'),
        resp('EXEC'),
      ]),
    );
    const expected = '+OK\r\n' + '+QUEUED\r\n'.repeat(4) + '*4\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n';
    expect(await client.readText(expected)).toBe(expected);
  });

  it('BLMOVE moves atomically and its push serves the clients blocked on the destination', async () => {
    const [mover, downstream] = await clients(2);
    await mover.send(resp('BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', '0'));
    await blockedCount(1);
    await downstream.send(resp('BLPOP', 'dst', '0'));
    await blockedCount(2);
    await control.request(resp('RPUSH', 'src', 'x'), ':1\r\n');
    expect(await control.request(resp('EXISTS', 'src', 'dst'), ':0\r\n')).toBe(':0\r\n');
    expect(await mover.readText(bulk('x'))).toBe(bulk('x'));
    expect(await downstream.readText(pair('dst', 'x'))).toBe(pair('dst', 'x'));
  });

  it('BLMPOP with COUNT takes up to count elements from the first key that has some', async () => {
    const [waiter] = await clients(1);
    await waiter.send(resp('BLMPOP', '0', '2', 'a', 'b', 'RIGHT', 'COUNT', '2'));
    await blockedCount(1);
    await control.request(resp('RPUSH', 'b', '1', '2', '3'), ':3\r\n');
    const expected = `*2\r\n${bulk('b')}*2\r\n${bulk('3')}${bulk('2')}`;
    expect(await waiter.readText(expected)).toBe(expected);
    expect(await control.request(resp('LLEN', 'b'), ':1\r\n')).toBe(':1\r\n');
  });

  it('serves a client blocked in another database only from that database', async () => {
    const [waiter] = await clients(1);
    await waiter.request(resp('SELECT', '3'), '+OK\r\n');
    await waiter.send(resp('BLPOP', 'q', '0'));
    await blockedCount(1);
    await control.request(resp('RPUSH', 'q', 'db0'), ':1\r\n');
    await control.request(resp('SELECT', '3'), '+OK\r\n');
    await control.request(resp('RPUSH', 'q', 'db3'), ':1\r\n');
    expect(await waiter.readText(pair('q', 'db3'))).toBe(pair('q', 'db3'));
    await control.request(resp('SELECT', '0'), '+OK\r\n');
    expect(await control.request(resp('LLEN', 'q'), ':1\r\n')).toBe(':1\r\n');
  });

  it('SWAPDB serves the clients blocked in both databases on the keys it brings in', async () => {
    const [listWaiter, zsetWaiter, stringWaiter] = await clients(3);
    await listWaiter.request(resp('SELECT', '1'), '+OK\r\n');
    await listWaiter.send(resp('BLPOP', 'k', '0'));
    await blockedCount(1);
    await zsetWaiter.send(resp('BZPOPMIN', 'z', '0'));
    await blockedCount(2);
    await stringWaiter.request(resp('SELECT', '1'), '+OK\r\n');
    await stringWaiter.send(resp('BLPOP', 's', '0'));
    await blockedCount(3);
    // Database 0 gets the list k and the string s, database 1 the sorted set z: nobody waits there on them.
    await control.request(resp('RPUSH', 'k', 'a', 'b'), ':2\r\n');
    await control.request(resp('SET', 's', 'v'), '+OK\r\n');
    await control.request(resp('SELECT', '1'), '+OK\r\n');
    await control.request(resp('ZADD', 'z', '1', 'm'), ':1\r\n');
    expect(await infoField(control, 'blocked_clients')).toBe('3');
    expect(await control.request(resp('SWAPDB', '0', '1'), '+OK\r\n')).toBe('+OK\r\n');
    // Served before SWAPDB's client runs its next command, as after any write (db.c dbSwapDatabases ->
    // scanDatabaseForReadyKeys); the client blocked for a list on what is now a string waits on.
    expect(await control.request(resp('LLEN', 'k'), ':1\r\n')).toBe(':1\r\n');
    expect(await listWaiter.readText(pair('k', 'a'))).toBe(pair('k', 'a'));
    const zsetReply = `*3\r\n${bulk('z')}${bulk('m')}${bulk('1')}`;
    expect(await zsetWaiter.readText(zsetReply)).toBe(zsetReply);
    expect(await infoField(control, 'blocked_clients')).toBe('1');
    await control.request(resp('SELECT', '0'), '+OK\r\n');
    expect(await control.request(resp('EXISTS', 'z'), ':0\r\n')).toBe(':0\r\n');
  });

  it('a store command serves the clients blocked on its destination, named by its key specs', async () => {
    const [unionWaiter, rangeWaiter] = await clients(2);
    await unionWaiter.send(resp('BZPOPMIN', 'union', '0'));
    await blockedCount(1);
    await rangeWaiter.send(resp('BZPOPMAX', 'range', '0'));
    await blockedCount(2);
    await control.request(resp('ZADD', 'src', '1', 'x', '2', 'y'), ':2\r\n');
    expect(await control.request(resp('ZUNIONSTORE', 'union', '1', 'src'), ':2\r\n')).toBe(':2\r\n');
    expect(await control.request(resp('ZCARD', 'union'), ':1\r\n')).toBe(':1\r\n');
    const unionReply = `*3\r\n${bulk('union')}${bulk('x')}${bulk('1')}`;
    expect(await unionWaiter.readText(unionReply)).toBe(unionReply);
    expect(await control.request(resp('ZRANGESTORE', 'range', 'src', '0', '-1'), ':2\r\n')).toBe(':2\r\n');
    const rangeReply = `*3\r\n${bulk('range')}${bulk('y')}${bulk('2')}`;
    expect(await rangeWaiter.readText(rangeReply)).toBe(rangeReply);
  });

  it('a MOVE or COPY refused for its database index, while a client is blocked, is only an error reply', async () => {
    const [waiter] = await clients(1);
    await waiter.send(resp('BLPOP', 'q', '0'));
    await blockedCount(1);
    await control.request(resp('RPUSH', 'k', 'v'), ':1\r\n');
    const outOfRange = '-ERR DB index is out of range\r\n';
    const notInteger = '-ERR value is not an integer or out of range\r\n';
    expect(await control.request(resp('MOVE', 'k', '99'), outOfRange)).toBe(outOfRange);
    expect(await control.request(resp('COPY', 'k', 'q', 'DB', '99'), outOfRange)).toBe(outOfRange);
    expect(await control.request(resp('MOVE', 'k', '1e3'), notInteger)).toBe(notInteger);
    await control.request(resp('RENAME', 'k', 'q'), '+OK\r\n');
    expect(await waiter.readText(pair('q', 'v'))).toBe(pair('q', 'v'));
  });

  it('BZPOPMIN / BZMPOP are served by a ZADD on another thread, lowest scores first', async () => {
    const [single, multi] = await clients(2);
    await single.send(resp('BZPOPMIN', 'z', '0'));
    await blockedCount(1);
    await multi.send(resp('BZMPOP', '0', '1', 'z', 'MAX', 'COUNT', '5'));
    await blockedCount(2);
    expect(await control.request(resp('ZADD', 'z', '2', 'b', '1', 'a', '3', 'c'), ':3\r\n')).toBe(':3\r\n');
    const first = `*3\r\n${bulk('z')}${bulk('a')}${bulk('1')}`;
    expect(await single.readText(first)).toBe(first);
    const rest = `*2\r\n${bulk('z')}*2\r\n*2\r\n${bulk('c')}${bulk('3')}*2\r\n${bulk('b')}${bulk('2')}`;
    expect(await multi.readText(rest)).toBe(rest);
    expect(await control.request(resp('EXISTS', 'z'), ':0\r\n')).toBe(':0\r\n');
  });

  it('a client blocked for a sorted set is passed over by a list push on its key, and waits on', async () => {
    const [zsetWaiter, listWaiter] = await clients(2);
    await zsetWaiter.send(resp('BZPOPMIN', 'k', '0'));
    await blockedCount(1);
    await listWaiter.send(resp('BLPOP', 'k', '0'));
    await blockedCount(2);
    await control.request(resp('RPUSH', 'k', 'v'), ':1\r\n');
    expect(await listWaiter.readText(pair('k', 'v'))).toBe(pair('k', 'v'));
    expect(await infoField(control, 'blocked_clients')).toBe('1');
  });

  it('never times a blocked client out (timeout 1), as Redis; an idle client is, twice over meanwhile', async () => {
    const own = await startTestServer(transport, {
      timeout: 1,
      idleCheckIntervalMs: 50,
      workers: transport === 'hybrid' ? 2 : 4,
    });
    try {
      const waiter = await own.connect();
      await waiter.send(resp('BLPOP', 'q', '0'));
      const probe = await own.connect();
      await waitFor(async () => (await infoField(probe, 'blocked_clients')) === '1');
      // Each idle client is closed once it has been idle past the timeout: two of them, one after the other,
      // measure over 2 s in which the blocked client stays.
      for (let round = 0; round < 2; round++) {
        const idle = await own.connect();
        await idle.request(resp('PING'), '+PONG\r\n');
        expect((await idle.readToEnd()).length).toBe(0);
      }
      expect(waiter.isClosed).toBe(false);
      const pusher = await own.connect();
      await pusher.request(resp('RPUSH', 'q', 'v'), ':1\r\n');
      expect(await waiter.readText(pair('q', 'v'))).toBe(pair('q', 'v'));
    } finally {
      await own.close();
    }
  });

  it('a graceful shutdown ends a blocked client promptly', async () => {
    const own = await startTestServer(transport, { workers: 2 });
    try {
      const waiter = await own.connect();
      await waiter.send(resp('BLPOP', 'q', '0'));
      const probe = await own.connect();
      await waitFor(async () => (await infoField(probe, 'blocked_clients')) === '1');
      probe.destroy();
      const started = Date.now();
      await own.server.close();
      await waiter.closed;
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await own.close();
    }
  });
});
