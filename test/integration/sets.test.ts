// Sets on real sockets (ioredis), on every transport (issue 12). On the pool each connection is served by its own
// worker thread and the hybrid spreads them over its loops, so the concurrent tests check that SADD from several
// threads loses no member, that SMOVE between two sets is one instant (a member is never in neither or both),
// and that a STORE reads its sources and writes its destination at one instant.

import { describe, expect, it } from 'vitest';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

const CONNECTIONS = 4;

describe.each(transports)('%s transport: sets', (transport) => {
  const fixture = useIoredisServer(transport, CONNECTIONS + 3);
  const ioredis = fixture.ioredis;

  it('answers the set commands, an intset in ascending order, with the encodings Redis gives', async () => {
    const [a, b] = [await ioredis(), await ioredis()];
    await a.flushall();
    expect(await a.sadd('s', '3', '1', '2', '-70000', '3')).toBe(4);
    expect(await b.smembers('s')).toEqual(['-70000', '1', '2', '3']); // an intset's order, as Redis's
    expect(await b.object('ENCODING', 's')).toBe('intset');
    expect(await b.sismember('s', '2')).toBe(1);
    expect(await b.smismember('s', '2', '9')).toEqual([1, 0]);
    expect(await a.sadd('s', 'x')).toBe(1);
    expect(await b.object('ENCODING', 's')).toBe('hashtable');
    expect(await b.scard('s')).toBe(5);
    expect(await a.srem('s', 'x', '1', 'nope')).toBe(2);
    expect((await b.smembers('s')).sort()).toEqual(['-70000', '2', '3']);
    await a.sadd('t', '2', '3', '4');
    expect((await b.sinter('s', 't')).sort()).toEqual(['2', '3']);
    expect(await b.sunion('t', 't')).toEqual(['2', '3', '4']);
    expect(await b.sdiff('t', 's')).toEqual(['4']);
    expect(await b.call('SINTERCARD', '2', 's', 't', 'LIMIT', '1')).toBe(1);
    expect(await a.sinterstore('d', 's', 't')).toBe(2);
    expect(await b.object('ENCODING', 'd')).toBe('intset');
    expect(await a.smove('t', 'd', '4')).toBe(1);
    expect(await b.smembers('d')).toEqual(['2', '3', '4']);
    expect(await a.spop('d', 10)).toHaveLength(3);
    expect(await b.exists('d')).toBe(0);
    expect(await b.srandmember('t', -5)).toHaveLength(5);
    await a.set('str', 'v');
    await expect(a.sadd('str', 'x')).rejects.toThrow('WRONGTYPE');
    await expect(a.call('SPOP', 's', '-1')).rejects.toThrow('ERR value is out of range, must be positive');
    await expect(a.call('SINTERCARD', '0', 's')).rejects.toThrow('ERR numkeys should be greater than 0');
  });

  it('SSCAN walks a hash-table set to cursor 0, returning every member', async () => {
    const a = await ioredis();
    await a.del('big');
    const members = Array.from({ length: 2000 }, (_, i) => `member:${i}`);
    await a.sadd('big', ...members);
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const [next, found] = await a.sscan('big', cursor, 'COUNT', 100);
      for (const m of found) seen.add(m);
      cursor = next;
    } while (cursor !== '0');
    expect(seen.size).toBe(2000);
    const [, matched] = await a.sscan('big', '0', 'MATCH', 'member:1999', 'COUNT', 100000);
    expect(matched).toEqual(['member:1999']);
  });

  it('loses no member when clients on different threads add to one set at once', async () => {
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => ioredis()));
    await clients[0].del('shared');
    const perClient = 1000; // past set-max-intset-entries: the conversion happens under concurrent writers
    await Promise.all(
      clients.map((c, i) => {
        const pipeline = c.pipeline();
        for (let n = 0; n < perClient; n++) pipeline.sadd('shared', String(n * CONNECTIONS + i));
        return pipeline.exec();
      }),
    );
    expect(await clients[0].scard('shared')).toBe(perClient * CONNECTIONS);
    expect(await clients[1].object('ENCODING', 'shared')).toBe('hashtable');
  });

  it('SMOVE between two sets from several threads: every member in exactly one set at every instant', async () => {
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => ioredis()));
    const [first] = clients;
    await first.del('left', 'right', 'both');
    const members = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await first.sadd('left', ...members);
    // Movers shuttle members both ways while a reader takes the union's size at one instant, again and again.
    const movers = clients.slice(1).map((c, k) => {
      const pipeline = c.pipeline();
      for (let round = 0; round < 3; round++) {
        for (const m of members.filter((_, i) => i % 3 === k)) {
          pipeline.smove('left', 'right', m);
          pipeline.smove('right', 'left', m);
        }
      }
      return pipeline.exec();
    });
    const sizes: number[] = [];
    const reading = (async () => {
      for (let i = 0; i < 50; i++) sizes.push(await first.sunionstore('both', 'left', 'right'));
    })();
    await Promise.all([...movers, reading]);
    expect(new Set(sizes)).toEqual(new Set([200]));
    expect((await first.scard('left')) + (await first.scard('right'))).toBe(200);
  });
});
