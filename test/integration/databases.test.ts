// Databases on real sockets with the real clients (ioredis, node-redis's default RESP3 client, redis-cli -n), on
// every transport (issue 10). On the pool each connection
// is served by its own worker thread and the hybrid spreads them over its loops, so what one client SELECTs,
// SWAPDBs, MOVEs or FLUSHes is seen by clients on other threads: the databases live in the shared store.
// Also: CLIENT LIST db= of clients on other threads, INFO keyspace, --databases, and a key found expired by a
// read is gone at once, whichever thread reads it.

import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { beforeEach, describe, expect, it } from 'vitest';
import { onPath, runTool } from '../support/live-tools.js';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { startTestServer, transports } from '../support/server.js';

const CONNECTIONS = 5;

describe.each(transports)('%s transport: databases', (transport) => {
  const fixture = useIoredisServer(transport, CONNECTIONS + 3);
  const ioredis = fixture.ioredis;
  beforeEach(async () => {
    const c = await ioredis();
    await c.flushall();
  });

  it('keeps each database to itself, and every connection sees the same ones', async () => {
    const [zero, three, threeToo] = [await ioredis(0), await ioredis(3), await ioredis(3)];
    await zero.set('k', 'zero');
    await three.set('k', 'three');
    await three.set('only3', 'x', 'EX', 100);
    expect(await threeToo.get('k')).toBe('three');
    expect(await zero.get('k')).toBe('zero');
    expect(await zero.exists('only3')).toBe(0);
    expect([await zero.dbsize(), await threeToo.dbsize()]).toEqual([1, 2]);
    expect((await threeToo.keys('*')).sort()).toEqual(['k', 'only3']);
    expect(await threeToo.scan('0', 'COUNT', 100)).toEqual(['0', expect.arrayContaining(['k', 'only3'])]);
    expect(await zero.randomkey()).toBe('k');
    expect(await zero.info('keyspace')).toBe(
      '# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb3:keys=2,expires=1,avg_ttl=0\r\n',
    );
    expect(await zero.config('GET', 'databases')).toEqual(['databases', '16']);
  });

  it('SWAPDB, MOVE, COPY ... DB and FLUSHDB by one client are seen by the others at once', async () => {
    const [a, b, c] = [await ioredis(0), await ioredis(1), await ioredis(2)];
    await a.set('k', 'from0');
    await b.set('k', 'from1');
    expect(await c.swapdb(0, 1)).toBe('OK');
    expect(await a.get('k')).toBe('from1');
    expect(await b.get('k')).toBe('from0');
    expect(await a.move('k', 2)).toBe(1);
    expect(await c.get('k')).toBe('from1');
    expect(await a.exists('k')).toBe(0);
    expect(await b.copy('k', 'k', 'DB', 2)).toBe(0); // taken there
    expect(await b.copy('k', 'copied', 'DB', 2)).toBe(1);
    expect(await c.get('copied')).toBe('from0');
    expect(await c.flushdb()).toBe('OK');
    expect([await a.dbsize(), await b.dbsize(), await c.dbsize()]).toEqual([0, 1, 0]);
    expect(await c.flushall()).toBe('OK');
    expect(await b.dbsize()).toBe(0);
  });

  it('runs a MULTI with SELECT inside on the database selected at each point (ioredis)', async () => {
    const c = await ioredis(0);
    expect(await c.multi().select(4).set('k', 'four').select(5).get('k').exec()).toEqual([
      [null, 'OK'],
      [null, 'OK'],
      [null, 'OK'],
      [null, null],
    ]);
    const four = await ioredis(4);
    expect(await four.get('k')).toBe('four');
  });

  it('fails a WATCHed transaction when another connection swaps the key in (node-redis, RESP3)', async () => {
    const watcher = createClient({
      database: 6,
      socket: { host: fixture.server().host, port: fixture.server().port, reconnectStrategy: false },
    });
    await watcher.connect();
    try {
      const other = await ioredis(7);
      await watcher.watch('k');
      await other.set('k', 'live');
      await other.swapdb(6, 7);
      await expect(watcher.multi().set('k', 'mine').exec()).rejects.toThrow();
      expect(await watcher.get('k')).toBe('live');
      // Without a change in either database the same transaction runs.
      await watcher.watch('absent');
      await other.swapdb(8, 9);
      expect(await watcher.multi().set('absent', '1').exec()).toEqual(['OK']);
    } finally {
      await watcher.quit();
    }
  });

  it("lists each client's database in CLIENT LIST, for clients on other threads too", async () => {
    const clients = [await ioredis(0), await ioredis(9), await ioredis(15)];
    const ids = await Promise.all(clients.map((c) => c.client('ID') as Promise<number>));
    // A pool worker publishes its client's record just after writing its replies: asked at once, another
    // thread may still list the previous database for a moment.
    const listedDbs = async (from: Redis): Promise<number[]> => {
      const list = (await from.client('LIST')) as string;
      return ids.map((id) => dbOf(list, id));
    };
    expect(await eventually(() => listedDbs(clients[0]), [0, 9, 15])).toEqual([0, 9, 15]);
    await clients[1].select(2);
    expect(dbOf((await clients[1].client('INFO')) as string, ids[1])).toBe(2);
    expect(await eventually(() => listedDbs(clients[2]), [0, 2, 15])).toEqual([0, 2, 15]);
  });

  it('deletes a key a read finds expired, whichever thread reads it', async () => {
    const [writer, reader] = [await ioredis(1), await ioredis(1)];
    const expiredKeys = async () =>
      Number(/\r\nexpired_keys:(\d+)\r\n/.exec(await reader.info('stats'))?.[1]);
    const before = await expiredKeys();
    await writer.config('SET', 'hz', '1'); // the background cycle rarely gets there first
    try {
      const keys = Array.from({ length: 50 }, (_, i) => `t${i}`);
      for (const k of keys) await writer.set(k, 'v', 'PX', 20);
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(await reader.exists(...keys)).toBe(0);
      expect(await writer.dbsize()).toBe(0);
      expect((await expiredKeys()) - before).toBe(50);
    } finally {
      await writer.config('SET', 'hz', '10');
    }
  });

  it.skipIf(!onPath('redis-cli'))('redis-cli -n selects a database', async () => {
    const cli = (...args: string[]) => runTool('redis-cli', ['-p', String(fixture.server().port), ...args]);
    expect((await cli('-n', '11', 'SET', 'k', 'eleven')).stdout.toString()).toBe('OK\n');
    expect((await cli('-n', '11', 'GET', 'k')).stdout.toString()).toBe('eleven\n');
    expect((await cli('GET', 'k')).stdout.toString()).toBe('\n');
    // As against redis-server 7.0: the SELECT's error on stderr, then the command in database 0.
    const refused = await cli('-n', '16', 'GET', 'k');
    expect(refused.stderr).toBe('SELECT 16 failed: ERR DB index is out of range\n');
    expect(refused.stdout.toString()).toBe('\n');
    expect((await cli('-n', '11', 'DBSIZE')).stdout.toString()).toBe('1\n');
  });
});

/** What `read` answers once it equals `wanted`, or its last answer after 2 s. */
async function eventually<T>(read: () => Promise<T>, wanted: T): Promise<T> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const value = await read();
    if (JSON.stringify(value) === JSON.stringify(wanted) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The db= field of client `id` in a CLIENT LIST reply, or -1. */
function dbOf(list: string, id: number): number {
  const line = list.split('\n').find((l) => l.startsWith(`id=${id} `));
  const match = line === undefined ? null : / db=(\d+) /.exec(line);
  return match === null ? -1 : Number(match[1]);
}

describe('--databases', () => {
  it('sets how many databases there are', async () => {
    const server = await startTestServer('eventloop', { databases: 2 });
    const client = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    try {
      await client.connect();
      expect(await client.select(1)).toBe('OK');
      await expect(client.select(2)).rejects.toThrow('ERR DB index is out of range');
      expect(await client.config('GET', 'databases')).toEqual(['databases', '2']);
    } finally {
      client.disconnect();
      await server.close();
    }
  });
});
