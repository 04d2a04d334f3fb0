// SORT and SORT_RO on real servers, on every transport: SORT ... STORE wakes a client blocked on the
// destination (BLPOP) as a push would, on another thread on the pool and the hybrid; SORT_RO refuses STORE;
// WRONGTYPE for a key of another type; the keyspace events of a STORE; a transaction (EXEC) holding a SORT whose patterns name keys from the
// elements; and SORT ... STORE in the append-only file, there again after a restart (SORT without STORE is
// not logged: replaying it would change nothing).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastIncrPath } from '../support/aof-dir.js';
import { untilInfo } from '../support/info-wait.js';
import { keyEventsOf } from '../support/key-events.js';
import { useIoredisServer, withIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

describe.each(transports)('%s transport: SORT', (transport) => {
  const fixture = useIoredisServer(transport, 4);

  it('SORT ... STORE serves a client blocked on the destination with the stored list', async () => {
    const c = await fixture.ioredis();
    const waiter = await fixture.ioredis();
    await c.rpush('src', '3', '1', '2');
    const popped = waiter.blpop('sorted', 0);
    await untilInfo(c, 'clients', (f) => f.get('blocked_clients') === '1', 'a blocked client');
    expect(await c.sort('src', 'STORE', 'sorted')).toBe(3);
    expect(await popped).toEqual(['sorted', '1']);
    expect(await c.lrange('sorted', 0, -1)).toEqual(['2', '3']);
  });

  it('SORT_RO refuses STORE; a key of another type is WRONGTYPE; a missing key sorts as empty', async () => {
    const c = await fixture.ioredis();
    await c.rpush('l', 'b', 'a');
    await expect(c.call('SORT_RO', 'l', 'STORE', 'd')).rejects.toThrow('ERR syntax error');
    expect(await c.exists('d')).toBe(0);
    expect(await c.call('SORT_RO', 'l', 'ALPHA')).toEqual(['a', 'b']);
    await c.set('str', 'x');
    await expect(c.sort('str')).rejects.toThrow('WRONGTYPE');
    await expect(c.call('SORT_RO', 'str')).rejects.toThrow('WRONGTYPE');
    expect(await c.sort('nothing')).toEqual([]);
  });

  it('publishes new and sortstore for a stored result, del when an empty one removes the destination', async () => {
    const c = await fixture.ioredis();
    const subscriber = await fixture.ioredis();
    await c.config('SET', 'notify-keyspace-events', 'Egln');
    const events = await keyEventsOf(subscriber, c, async () => {
      await c.rpush('ev-src', 'b', 'a');
      await c.sort('ev-src', 'ALPHA', 'STORE', 'ev-dst');
      await c.sort('ev-src', 'ALPHA', 'STORE', 'ev-dst');
      await c.sort('nothing', 'STORE', 'ev-dst');
      await c.sort('nothing', 'STORE', 'ev-dst'); // nothing to delete: no event
    });
    await c.config('SET', 'notify-keyspace-events', '');
    expect(events).toEqual([
      'new ev-src',
      'rpush ev-src',
      'new ev-dst',
      'sortstore ev-dst',
      'sortstore ev-dst',
      'del ev-dst',
    ]);
  });

  it('runs a SORT with BY and GET patterns inside MULTI/EXEC, reading keys it does not name', async () => {
    const c = await fixture.ioredis();
    await c.sadd('ids', '1', '2', '3');
    await c.mset('w_1', '30', 'w_2', '10', 'w_3', '20', 'name_1', 'one', 'name_2', 'two');
    await c.hset('obj_3', 'name', 'three');
    const result = await c
      .multi()
      .sort('ids', 'BY', 'w_*', 'GET', 'name_*', 'GET', 'obj_*->name', 'STORE', 'out')
      .lrange('out', 0, -1)
      .exec();
    expect(result).toEqual([
      [null, 6],
      [null, ['two', '', '', 'three', 'one', '']],
    ]);
  });
});

describe.each(transports)('%s transport: SORT in the append-only file', (transport) => {
  it('logs SORT ... STORE as sent, not a SORT without STORE, and replays it after a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-sort-aof-'));
    const config = { appendonly: 'yes', dir, appendfsync: 'always' };
    await withIoredisServer(transport, { workers: 2, config }, async (client) => {
      const c = await client();
      await c.rpush('l', '10', '2', '33');
      await c.mset('w_10', '3', 'w_2', '2', 'w_33', '1');
      expect(await c.sort('l', 'BY', 'w_*')).toEqual(['33', '2', '10']);
      expect(await c.sort('l', 'BY', 'w_*', 'DESC', 'STORE', 'out')).toBe(3);
    });
    const logged = readFileSync(lastIncrPath(dir), 'latin1').toLowerCase(); // ioredis sends `sort`
    expect(logged).toContain(
      '*7\r\n$4\r\nsort\r\n$1\r\nl\r\n$2\r\nby\r\n$3\r\nw_*\r\n$4\r\ndesc\r\n$5\r\nstore\r\n$3\r\nout\r\n',
    );
    expect(logged.split('sort').length - 1).toBe(1);
    await withIoredisServer(transport, { workers: 2, config }, async (client) => {
      const c = await client();
      expect(await c.lrange('out', 0, -1)).toEqual(['10', '2', '33']);
    });
  });
});
