// The GEO commands on real servers, on every transport: a search that stores (GEORADIUS ... STORE,
// GEOSEARCHSTORE) wakes a client blocked in BZPOPMIN on the destination, on another thread on the pool and the
// hybrid; their keyspace events (new, zadd, georadiusstore, geosearchstore, del); a line storing into a key its
// key specs miss (STORE a STORE b) inside MULTI/EXEC; and the append-only file: GEOADD logged as the ZADD Redis
// propagates, a search logged only when it stores, and the file replayed after a restart.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastIncrPath } from '../support/aof-dir.js';
import { untilInfo } from '../support/info-wait.js';
import { keyEventsOf } from '../support/key-events.js';
import { useIoredisServer, withIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

const PALERMO = ['13.361389', '38.115556', 'Palermo'];
const CATANIA = ['15.087269', '37.502669', 'Catania'];

describe.each(transports)('%s transport: GEO', (transport) => {
  const fixture = useIoredisServer(transport, 4);

  it('a stored search serves a client blocked in BZPOPMIN on the destination', async () => {
    const c = await fixture.ioredis();
    const waiter = await fixture.ioredis();
    await c.call('GEOADD', 'sicily', ...PALERMO, ...CATANIA);
    const popped = waiter.call('BZPOPMIN', 'near', '0');
    await untilInfo(c, 'clients', (f) => f.get('blocked_clients') === '1', 'a blocked client');
    expect(
      await c.call('GEOSEARCHSTORE', 'near', 'sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'),
    ).toBe(2);
    // The nearest to the centre is not the lowest score: BZPOPMIN takes the lowest geohash, Palermo's.
    expect(await popped).toEqual(['near', 'Palermo', '3479099956230698']);
    const again = waiter.call('BZPOPMIN', 'near2', '0');
    await untilInfo(c, 'clients', (f) => f.get('blocked_clients') === '1', 'a blocked client');
    expect(await c.call('GEORADIUS', 'sicily', '15', '37', '200', 'km', 'STOREDIST', 'near2')).toBe(2);
    expect(await again).toEqual(['near2', 'Catania', '56.441257870158204']);
  });

  it('publishes new and zadd for GEOADD, georadiusstore / geosearchstore for a stored result, del for an empty one', async () => {
    const c = await fixture.ioredis();
    const subscriber = await fixture.ioredis();
    await c.config('SET', 'notify-keyspace-events', 'Egzn');
    const events = await keyEventsOf(subscriber, c, async () => {
      await c.call('GEOADD', 'ev', ...PALERMO);
      await c.call('GEOADD', 'ev', 'XX', ...PALERMO); // the same score: no change, no event
      await c.call('GEORADIUS', 'ev', '13', '38', '100', 'km', 'STORE', 'ev-dst');
      await c.call('GEOSEARCHSTORE', 'ev-dst', 'ev', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', '1', 'km');
      await c.call('GEORADIUS', 'ev', '0', '0', '1', 'km', 'STORE', 'ev-dst'); // nothing found: the key goes
      await c.call('GEORADIUS', 'ev', '0', '0', '1', 'km', 'STORE', 'ev-dst'); // nothing to delete: no event
    });
    await c.config('SET', 'notify-keyspace-events', '');
    expect(events).toEqual([
      'new ev',
      'zadd ev',
      'new ev-dst',
      'georadiusstore ev-dst',
      'geosearchstore ev-dst',
      'del ev-dst',
    ]);
  });

  it('runs GEORADIUS ... STORE a STORE b inside MULTI/EXEC: b, which no key spec names, is written', async () => {
    const c = await fixture.ioredis();
    await c.call('GEOADD', 'tx', ...PALERMO, ...CATANIA);
    expect(
      await c.call(
        'COMMAND',
        'GETKEYS',
        'GEORADIUS',
        'tx',
        '15',
        '37',
        '200',
        'km',
        'STORE',
        'a',
        'STORE',
        'b',
      ),
    ).toEqual(['tx', 'a']);
    const result = await c
      .multi()
      .call('GEORADIUS', 'tx', '15', '37', '200', 'km', 'STORE', 'a', 'STORE', 'b')
      .call('ZRANGE', 'b', '0', '-1')
      .exists('a')
      .exec();
    expect(result).toEqual([
      [null, 2],
      [null, ['Palermo', 'Catania']],
      [null, 0],
    ]);
  });
});

describe.each(transports)('%s transport: GEO in the append-only file', (transport) => {
  it('logs GEOADD as its ZADD, a search only when it stores, and replays them after a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-geo-aof-'));
    const config = { appendonly: 'yes', dir, appendfsync: 'always' };
    await withIoredisServer(transport, { workers: 2, config }, async (client) => {
      const c = await client();
      expect(await c.call('GEOADD', 'g', 'CH', ...PALERMO, ...CATANIA)).toBe(2);
      expect(await c.call('GEORADIUS', 'g', '15', '37', '200', 'km')).toEqual(['Palermo', 'Catania']);
      expect(await c.call('GEORADIUS_RO', 'g', '15', '37', '200', 'km')).toEqual(['Palermo', 'Catania']);
      expect(await c.call('GEORADIUS', 'g', '15', '37', '200', 'km', 'COUNT', '1', 'STORE', 'one')).toBe(1);
      expect(
        await c.call(
          'GEOSEARCHSTORE',
          'dists',
          'g',
          'FROMMEMBER',
          'Palermo',
          'BYRADIUS',
          '200',
          'km',
          'STOREDIST',
        ),
      ).toBe(2);
    });
    const logged = readFileSync(lastIncrPath(dir), 'latin1');
    // As redis-server 7.0.15 writes it: "zadd", the options as sent, each point's 52-bit score.
    expect(logged).toContain(
      '*7\r\n$4\r\nzadd\r\n$1\r\ng\r\n$2\r\nCH\r\n$16\r\n3479099956230698\r\n$7\r\nPalermo\r\n' +
        '$16\r\n3479447370796909\r\n$7\r\nCatania\r\n',
    );
    expect(logged.toLowerCase().split('georadius').length - 1).toBe(1);
    expect(logged.toLowerCase()).toContain('$5\r\nstore\r\n$3\r\none\r\n');
    expect(logged.toLowerCase()).toContain('$14\r\ngeosearchstore\r\n');
    await withIoredisServer(transport, { workers: 2, config }, async (client) => {
      const c = await client();
      expect(await c.call('GEOPOS', 'g', 'Palermo')).toEqual([
        ['13.36138933897018433', '38.11555639549629859'],
      ]);
      expect(await c.call('ZRANGE', 'one', '0', '-1')).toEqual(['Catania']);
      expect(((await c.call('ZRANGE', 'dists', '0', '-1', 'WITHSCORES')) as string[][]).flat()).toEqual([
        'Palermo',
        '0',
        'Catania',
        '166.27415156960032',
      ]);
    });
  });
});
