// MULTI/EXEC/WATCH on real sockets with the real clients, on every transport. On the pool each connection is
// served by its own worker thread, so the concurrent tests here are the cross-thread guarantees: a transaction
// is never seen half-applied by another thread, and WATCH-based optimistic locking loses no update.

import { Redis, ReplyError } from 'ioredis';
import { createClient, WatchError } from 'redis';
import { beforeEach, describe, expect, it } from 'vitest';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

const CONNECTIONS = 4;

describe.each(transports)('%s transport: transactions', (transport) => {
  const fixture = useIoredisServer(transport, CONNECTIONS + 3);
  const ioredis = fixture.ioredis;
  beforeEach(async () => {
    const c = await ioredis();
    await c.flushall();
  });

  it('runs an ioredis multi() as one transaction', async () => {
    const c = await ioredis();
    expect(await c.multi().set('a', '1').incr('a').get('a').exec()).toEqual([
      [null, 'OK'],
      [null, 2],
      [null, '2'],
    ]);
    // A runtime error fails alone; the rest is applied (no rollback).
    const [set, incr] = (await c.multi().set('s', 'text').incr('s').exec())!;
    expect(set).toEqual([null, 'OK']);
    expect(incr[0]).toBeInstanceOf(ReplyError);
    expect(await c.get('s')).toBe('text');
  });

  it('applies nothing when ioredis queues a command the server refuses', async () => {
    const c = await ioredis();
    const failed = c.multi().set('a', '1').call('NOSUCHCOMMAND').set('b', '2').exec();
    await expect(failed).rejects.toThrow(/EXECABORT Transaction discarded because of previous errors/);
    expect(await c.exists('a', 'b')).toBe(0);
  });

  it('answers null to a WATCHed transaction another connection got in first', async () => {
    const [c, other] = [await ioredis(), await ioredis()];
    await c.set('balance', '10');
    await c.watch('balance');
    await other.incrby('balance', 5);
    expect(await c.multi().decrby('balance', 10).exec()).toBeNull();
    expect(await c.get('balance')).toBe('15');
    // Without interference the same transaction runs.
    await c.watch('balance');
    expect(await c.multi().decrby('balance', 10).exec()).toEqual([[null, 5]]);
  });

  it("runs node-redis's multi() and raises WatchError when a watched key changed", async () => {
    const c = createClient({
      RESP: 2,
      socket: { host: fixture.server().host, port: fixture.server().port, reconnectStrategy: false },
    });
    c.on('error', () => undefined);
    await c.connect();
    try {
      expect(await c.multi().set('n', '1').incr('n').exec()).toEqual(['OK', 2]);
      await c.watch('n');
      const other = await ioredis();
      await other.set('n', '100');
      await expect(c.multi().incr('n').exec()).rejects.toBeInstanceOf(WatchError);
      expect(await c.get('n')).toBe('100');
    } finally {
      await c.quit();
    }
  });

  it('is never seen half-applied by other connections (other threads on the pool)', async () => {
    const writers = await Promise.all(Array.from({ length: CONNECTIONS / 2 }, () => ioredis()));
    const readers = await Promise.all(Array.from({ length: CONNECTIONS / 2 }, () => ioredis()));
    const keys = ['t:a', 't:b', 't:c'];
    await writers[0].mset(keys.flatMap((k) => [k, '0']));
    let done = false;
    const write = async (c: Redis, id: number) => {
      for (let i = 1; i <= 400; i++) {
        const tx = c.multi();
        for (const k of keys) tx.set(k, `${id}:${i}`); // three separate commands inside one EXEC
        await tx.exec();
      }
    };
    const torn: string[][] = [];
    let reads = 0;
    const read = async (c: Redis) => {
      while (!done) {
        const values = (await c.mget(...keys)) as string[];
        reads++;
        if (new Set(values).size !== 1) torn.push(values);
      }
    };
    const readersDone = readers.map(read);
    await Promise.all(writers.map((c, id) => write(c, id)));
    done = true;
    await Promise.all(readersDone);
    expect(torn).toEqual([]);
    expect(reads).toBeGreaterThan(0);
  });

  it('loses no update under WATCH-based optimistic locking from several connections at once', async () => {
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => ioredis()));
    const perClient = 150;
    let retries = 0;
    await Promise.all(
      clients.map(async (c) => {
        for (let i = 0; i < perClient;) {
          await c.watch('counter');
          const current = Number((await c.get('counter')) ?? '0');
          const result = await c
            .multi()
            .set('counter', String(current + 1))
            .exec();
          if (result === null) retries++;
          else i++;
        }
      }),
    );
    expect(await clients[0].get('counter')).toBe(String(CONNECTIONS * perClient));
    // Not asserted (timing decides it), but worth seeing when the test is run by hand.
    if (process.env.SHOW_RETRIES) console.log(`${transport}: ${retries} WATCH retries`);
  });
});
