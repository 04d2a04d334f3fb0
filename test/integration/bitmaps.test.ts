// Bitmaps and LCS on real sockets with the real clients (ioredis, node-redis's default RESP3 client, redis-cli), on
// every transport (issue 10). On the pool each connection is served by its own worker thread and the hybrid
// spreads them over its loops, so concurrent SETBITs on one key from several clients test that an in-place edit
// under the key's lock loses no other thread's bit, and BITOP that its sources and destination are one instant.

import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { onPath, runTool } from '../support/live-tools.js';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

const CONNECTIONS = 4;

describe.each(transports)('%s transport: bitmaps and LCS', (transport) => {
  const fixture = useIoredisServer(transport, CONNECTIONS + 3);
  const ioredis = fixture.ioredis;

  it('answers SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and LCS (ioredis)', async () => {
    const [a, b] = [await ioredis(), await ioredis()];
    await a.flushall();
    expect(await a.setbit('bits', 7, 1)).toBe(0);
    expect(await b.getbit('bits', 7)).toBe(1);
    expect(await b.bitcount('bits')).toBe(1);
    expect(await b.bitpos('bits', 1)).toBe(7);
    await a.set('x', 'foobar');
    expect(await b.bitcount('x', 5, 30, 'BIT')).toBe(17);
    expect(await b.bitop('XOR', 'd', 'x', 'bits')).toBe(6);
    expect(await a.getBuffer('d')).toEqual(Buffer.from('goobar'));
    expect(
      await a.call('BITFIELD', 'f', 'SET', 'u8', '0', '250', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '10'),
    ).toEqual([0, null]);
    expect(await b.call('BITFIELD_RO', 'f', 'GET', 'u8', '0')).toEqual([250]);
    await a.mset('l1', 'ohmytext', 'l2', 'mynewtext');
    expect(await b.call('LCS', 'l1', 'l2')).toBe('mytext');
    expect(await b.call('LCS', 'l1', 'l2', 'IDX', 'MINMATCHLEN', '4')).toEqual([
      'matches',
      [
        [
          [4, 7],
          [5, 8],
        ],
      ],
      'len',
      6,
    ]);
    await expect(a.setbit('bits', -1, 1)).rejects.toThrow('ERR bit offset is not an integer or out of range');
  });

  it('loses no bit when clients on different threads set bits of one key at once', async () => {
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => ioredis()));
    await clients[0].del('shared');
    const perClient = 500;
    await Promise.all(
      clients.map((c, i) => {
        const pipeline = c.pipeline();
        for (let n = 0; n < perClient; n++) pipeline.setbit('shared', n * CONNECTIONS + i, 1);
        return pipeline.exec();
      }),
    );
    expect(await clients[0].bitcount('shared')).toBe(perClient * CONNECTIONS);
    expect(await clients[1].bitpos('shared', 0)).toBe(perClient * CONNECTIONS);
  });

  it('answers LCS IDX as a map and BITFIELD FAIL as a null in RESP3 (node-redis default client)', async () => {
    const client = createClient({
      socket: { host: fixture.server().host, port: fixture.server().port, reconnectStrategy: false },
    });
    await client.connect();
    try {
      await client.mSet({ l1: 'ohmytext', l2: 'mynewtext' });
      const idx = (await client.sendCommand(['LCS', 'l1', 'l2', 'IDX', 'WITHMATCHLEN'])) as unknown;
      expect(idx).toEqual({
        matches: [
          [[4, 7], [5, 8], 4],
          [[2, 3], [0, 1], 2],
        ],
        len: 6,
      });
      expect(
        await client.sendCommand(['BITFIELD', 'g', 'OVERFLOW', 'FAIL', 'INCRBY', 'i4', '0', '9']),
      ).toEqual([null]);
      expect(await client.setBit('g2', 3, 1)).toBe(0);
      expect(await client.bitCount('g2')).toBe(1);
    } finally {
      await client.quit();
    }
  });

  it.skipIf(!onPath('redis-cli'))('redis-cli', async () => {
    const cli = (...args: string[]) => runTool('redis-cli', ['-p', String(fixture.server().port), ...args]);
    expect((await cli('SETBIT', 'cli', '1', '1')).stdout.toString()).toBe('0\n');
    expect((await cli('GET', 'cli')).stdout.toString()).toBe('@\n');
    expect((await cli('BITFIELD', 'cli', 'GET', 'i8', '0', 'GET', 'u2', '0')).stdout.toString()).toBe(
      '64\n1\n',
    );
    // redis-cli prints an error and then an empty line, as it does for redis-server 7.0.
    expect((await cli('BITPOS', 'cli', '2')).stdout.toString()).toBe(
      'ERR The bit argument must be 1 or 0.\n\n',
    );
  });
});
