// Lists on real sockets, on every transport: every list command through ioredis, the null shapes of LPOP/RPOP,
// LMPOP, LINDEX and LPOS in RESP2 and RESP3 byte for byte on a raw socket, the keyspace events in Redis's order
// (LMOVE's push before its pop, `del` for an emptied list) to a subscriber on another thread, and lists long
// enough to span many quicklist nodes read back through clients on other threads.

import { describe, expect, it } from 'vitest';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';
import { resp, type RawClient } from '../support/raw-client.js';

/** Sends a request and expects exactly these reply bytes. */
async function exact(client: RawClient, request: Buffer, reply: string): Promise<void> {
  expect(await client.request(request, reply)).toBe(reply);
}

describe.each(transports)('%s transport: lists', (transport) => {
  const fixture = useIoredisServer(transport, 6);
  const ioredis = fixture.ioredis;

  it('answers every list command as Redis 7.0 does (ioredis)', async () => {
    const [a, b] = [await ioredis(), await ioredis()];
    await a.flushall();
    expect(await a.rpush('l', 'a', 'b', 'c')).toBe(3);
    expect(await b.lpush('l', 'z')).toBe(4);
    expect(await b.lpushx('none', 'x')).toBe(0);
    expect(await b.rpushx('l', 'd')).toBe(5);
    expect(await a.lrange('l', 0, -1)).toEqual(['z', 'a', 'b', 'c', 'd']);
    expect(await a.llen('l')).toBe(5);
    expect(await a.lindex('l', -1)).toBe('d');
    expect(await a.lindex('l', 99)).toBeNull();
    expect(await a.lset('l', 1, 'A')).toBe('OK');
    await expect(a.lset('l', 9, 'x')).rejects.toThrow('ERR index out of range');
    await expect(a.lset('none', 0, 'x')).rejects.toThrow('ERR no such key');
    expect(await a.linsert('l', 'BEFORE', 'b', 'B')).toBe(6);
    expect(await a.linsert('l', 'AFTER', 'nope', 'x')).toBe(-1);
    expect(await a.lpos('l', 'b')).toBe(3);
    expect(await a.call('LPOS', 'l', 'b', 'COUNT', '0')).toEqual([3]);
    expect(await a.rpush('l', 'b', 'b')).toBe(8);
    expect(await a.lrem('l', -2, 'b')).toBe(2);
    expect(await a.lrange('l', 0, -1)).toEqual(['z', 'A', 'B', 'b', 'c', 'd']);
    expect(await a.ltrim('l', 1, -2)).toBe('OK');
    expect(await a.lrange('l', 0, -1)).toEqual(['A', 'B', 'b', 'c']);
    expect(await a.lmove('l', 'm', 'LEFT', 'RIGHT')).toBe('A');
    expect(await a.rpoplpush('l', 'm')).toBe('c');
    expect(await b.lrange('m', 0, -1)).toEqual(['c', 'A']);
    expect(await a.lpop('l')).toBe('B');
    expect(await a.rpop('l', 5)).toEqual(['b']);
    expect(await a.exists('l')).toBe(0);
    expect(await a.call('LMPOP', '2', 'l', 'm', 'LEFT', 'COUNT', '5')).toEqual(['m', ['c', 'A']]);
    expect(await a.call('LMPOP', '1', 'm', 'RIGHT')).toBeNull();
    await a.set('s', 'v');
    await expect(a.lpush('s', 'x')).rejects.toThrow('WRONGTYPE');
    await expect(a.lpop('l', -1)).rejects.toThrow('ERR value is out of range, must be positive');
    expect(await a.type('m')).toBe('none');
  });

  it("answers LPOP/RPOP/LMPOP/LINDEX/LPOS nulls in RESP2 and RESP3 as Redis 7.0's shared.null[resp]", async () => {
    const c = await fixture.server().connect();
    await exact(c, resp('DEL', 'nothing'), ':0\r\n');
    await exact(c, resp('LPOP', 'nothing'), '$-1\r\n');
    await exact(c, resp('RPOP', 'nothing', '2'), '*-1\r\n');
    await exact(c, resp('LMPOP', '1', 'nothing', 'LEFT'), '*-1\r\n');
    await exact(c, resp('LINDEX', 'nothing', '0'), '$-1\r\n');
    await exact(c, resp('LPOS', 'nothing', 'x'), '$-1\r\n');
    await exact(c, resp('LPOS', 'nothing', 'x', 'COUNT', '1'), '*0\r\n');
    await exact(c, resp('RPUSH', 'one', 'x'), ':1\r\n');
    await exact(c, resp('LPOP', 'one', '0'), '*0\r\n');
    c.destroy();
    const d = await fixture.server().connect();
    await d.send(resp('HELLO', '3'));
    await d.readFramed((got) => (got.includes('modules') ? got.length : -1));
    await exact(d, resp('LPOP', 'nothing'), '_\r\n');
    await exact(d, resp('RPOP', 'nothing', '2'), '_\r\n');
    await exact(d, resp('LMPOP', '1', 'nothing', 'LEFT'), '_\r\n');
    await exact(d, resp('LINDEX', 'one', '5'), '_\r\n');
    await exact(d, resp('LMOVE', 'nothing', 'one', 'LEFT', 'LEFT'), '_\r\n');
    await exact(d, resp('LMPOP', '1', 'one', 'RIGHT'), '*2\r\n$3\r\none\r\n*1\r\n$1\r\nx\r\n');
    d.destroy();
  });

  it('publishes lpush/rpush/lpop/rpop/linsert/lset/lrem/ltrim and del in Redis order', async () => {
    const [sub, writer] = [await ioredis(), await ioredis()];
    await writer.flushall();
    const events: string[] = [];
    const finished = new Promise<void>((resolve) =>
      sub.on('pmessage', (_pattern: string, channel: string, key: string) => {
        events.push(`${channel.slice('__keyevent@0__:'.length)} ${key}`);
        if (key === 'done') resolve();
      }),
    );
    await sub.psubscribe('__keyevent@0__:*');
    await writer.config('SET', 'notify-keyspace-events', 'Elgn');
    try {
      await writer.rpush('src', 'a', 'b');
      await writer.lmove('src', 'dst', 'RIGHT', 'LEFT');
      await writer.linsert('src', 'AFTER', 'a', 'c');
      await writer.lset('src', 0, 'x');
      await writer.lrem('src', 0, 'c');
      await writer.ltrim('src', 0, 0);
      await writer.lmove('src', 'dst', 'LEFT', 'RIGHT');
      await writer.lpop('dst', 2);
      await writer.set('done', '1');
      await finished;
      expect(events).toEqual([
        'new src',
        'rpush src',
        'new dst',
        'lpush dst',
        'rpop src',
        'linsert src',
        'lset src',
        'lrem src',
        'ltrim src',
        'rpush dst',
        'lpop src',
        'del src',
        'lpop dst',
        'del dst',
        'new done',
      ]);
    } finally {
      await writer.config('SET', 'notify-keyspace-events', '');
    }
  });

  it('keeps a list of many nodes whole through clients on other threads', async () => {
    const [a, b] = [await ioredis(), await ioredis()];
    await a.del('long');
    const values = Array.from({ length: 5000 }, (_, i) => `element-${i}`);
    for (let i = 0; i < values.length; i += 500) await a.rpush('long', ...values.slice(i, i + 500));
    expect(await b.llen('long')).toBe(values.length);
    expect(await b.lrange('long', 2000, 2099)).toEqual(values.slice(2000, 2100));
    expect(await b.lindex('long', 4321)).toBe('element-4321');
    expect(await b.lset('long', 3333, 'changed')).toBe('OK');
    expect(await a.lindex('long', 3333)).toBe('changed');
    expect(await b.ltrim('long', 1000, -1001)).toBe('OK');
    expect(await a.lrange('long', 0, 0)).toEqual(['element-1000']);
    expect(await a.llen('long')).toBe(3000);
  });
});
