// HyperLogLogs on real sockets, on every transport: the commands through ioredis, the value a plain string whose
// bytes GET returns; several clients (threads, on the pool and the hybrid) adding to one key at once lose no
// register; WATCH sees PFCOUNT's cache write; an HLL survives DUMP/RESTORE, an RDB save and restart, and an
// append-only file replay byte for byte, PFCOUNT's cache write included (Redis propagates it).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { useIoredisServer, withIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

const CONNECTIONS = 4;
const elements = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe.each(transports)('%s transport: HyperLogLog', (transport) => {
  const fixture = useIoredisServer(transport, CONNECTIONS + 3);
  const ioredis = fixture.ioredis;

  it('answers PFADD, PFCOUNT, PFMERGE and PFDEBUG, GET giving the HLL bytes (ioredis)', async () => {
    const [a, b] = [await ioredis(), await ioredis()];
    await a.flushall();
    expect(await a.pfadd('h', 'a', 'b', 'c')).toBe(1);
    expect(await b.pfadd('h', 'a')).toBe(0);
    expect(await b.pfcount('h')).toBe(3);
    const value = await a.getBuffer('h');
    expect(value?.subarray(0, 5)).toEqual(Buffer.from('HYLL\x01', 'latin1'));
    expect(value?.readBigUInt64LE(8)).toBe(3n); // the cardinality PFCOUNT cached, valid
    expect(await a.call('PFDEBUG', 'ENCODING', 'h')).toBe('sparse');
    expect(await a.pfadd('g', ...elements('g', 100))).toBe(1);
    expect(await b.pfmerge('u', 'h', 'g', 'missing')).toBe('OK');
    expect(await b.pfcount('u')).toBe(await a.pfcount('h', 'g'));
    await a.config('SET', 'hll-sparse-max-bytes', '100');
    try {
      await a.pfadd('small', ...elements('s', 40));
      expect(await a.call('PFDEBUG', 'ENCODING', 'small')).toBe('dense');
      expect(await a.strlen('small')).toBe(12304);
    } finally {
      await a.config('SET', 'hll-sparse-max-bytes', '3000');
    }
    await a.set('str', 'plain');
    await expect(a.pfadd('str', 'x')).rejects.toThrow(
      'WRONGTYPE Key is not a valid HyperLogLog string value.',
    );
    await a.setrange('h', 16, '\x05'); // a ZERO opcode of 6 registers where XZERO:16384 began
    await expect(a.pfcount('h', 'g')).rejects.toThrow('INVALIDOBJ Corrupted HLL object detected');
  });

  it('loses no register when clients on different threads add to one key at once', async () => {
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => ioredis()));
    await clients[0].del('shared', 'alone');
    const perClient = 1500; // 6000 in all: dense, whose registers do not depend on the order of the adds
    await Promise.all(
      clients.map((c, i) => {
        const pipeline = c.pipeline();
        for (let n = 0; n < perClient; n += 100)
          pipeline.pfadd('shared', ...elements(`${i}:`, perClient).slice(n, n + 100));
        return pipeline.exec();
      }),
    );
    for (let i = 0; i < CONNECTIONS; i++) await clients[0].pfadd('alone', ...elements(`${i}:`, perClient));
    expect(await clients[1].call('PFDEBUG', 'ENCODING', 'shared')).toBe('dense');
    expect(await clients[1].getBuffer('shared')).toEqual(await clients[2].getBuffer('alone'));
  });

  it("lets WATCH see PFCOUNT's cache write, and not a PFCOUNT that only reads the cache", async () => {
    const [watcher, other] = [await ioredis(), await ioredis()];
    await watcher.del('w');
    await watcher.pfadd('w', 'x', 'y');
    await watcher.watch('w');
    expect(await other.pfcount('w')).toBe(2); // computes and stores the cardinality: the value changed
    expect(await watcher.multi().get('w').exec()).toBeNull();
    await watcher.watch('w');
    expect(await other.pfcount('w')).toBe(2); // the cache is valid now: nothing written
    expect(await watcher.multi().pfcount('w').exec()).toEqual([[null, 2]]);
  });

  it("runs PFSELFTEST's checks, failing them as Redis does when the sparse encoding is given up too early", async () => {
    const c = await ioredis();
    await c.config('SET', 'hll-sparse-max-bytes', '30');
    try {
      // Redis's check at 10 elements (10 < 30 / 2): ten registers take more than 30 bytes of opcodes.
      await expect(c.call('PFSELFTEST')).rejects.toThrow(/^ERR TESTFAILED sparse encoding not used$/);
    } finally {
      await c.config('SET', 'hll-sparse-max-bytes', '3000');
    }
  });

  it('keeps an HLL through DUMP and RESTORE byte for byte', async () => {
    const c = await ioredis();
    await c.del('d', 'r');
    await c.pfadd('d', ...elements('d', 3000));
    await c.pfcount('d');
    const dump = await c.dumpBuffer('d');
    expect(await c.restore('r', 0, dump)).toBe('OK');
    expect(await c.getBuffer('r')).toEqual(await c.getBuffer('d'));
    expect(await c.pfcount('r')).toBe(await c.pfcount('d'));
  });
});

/** What a restarted server must give back: each key's bytes and count. */
async function snapshot(c: Redis, keys: readonly string[]): Promise<(Buffer | number | null)[]> {
  const out: (Buffer | number | null)[] = [];
  for (const key of keys) out.push(await c.getBuffer(key));
  return out;
}

describe.each(transports)('%s transport: HyperLogLog persistence', (transport) => {
  /** A sparse HLL with its cache stale, a dense one with its cache written by PFCOUNT, a merged one. */
  async function fill(c: Redis): Promise<void> {
    await c.pfadd('sparse', ...elements('s', 50));
    await c.pfadd('dense', ...elements('d', 5000));
    expect(await c.pfcount('dense')).toBeGreaterThan(4800);
    await c.pfmerge('merged', 'sparse', 'dense');
  }
  const KEYS = ['sparse', 'dense', 'merged'];

  it('loads an HLL back from an RDB save byte for byte', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-hll-rdb-'));
    const before = await withIoredisServer(transport, { config: { dir } }, async (client) => {
      const c = await client();
      await fill(c);
      expect(await c.save()).toBe('OK');
      return snapshot(c, KEYS);
    });
    const after = await withIoredisServer(transport, { config: { dir } }, async (client) =>
      snapshot(await client(), KEYS),
    );
    expect(after).toEqual(before);
  });

  it("replays the append-only file to the same bytes, PFCOUNT's cache write included", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-hll-aof-'));
    const config = { appendonly: 'yes', dir };
    const before = await withIoredisServer(transport, { config }, async (client) => {
      const c = await client();
      await fill(c);
      return snapshot(c, KEYS);
    });
    expect((before[1] as Buffer)[15] & 0x80).toBe(0); // PFCOUNT left the dense one's cache valid
    const after = await withIoredisServer(transport, { config }, async (client) =>
      snapshot(await client(), KEYS),
    );
    expect(after).toEqual(before);
  });
});
