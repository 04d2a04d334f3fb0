// MEMORY USAGE, STATS and DOCTOR on a real store through the executor: USAGE counts exactly the bytes a key
// holds (what deleting it gives back to used_memory_dataset) for every type and encoding with SAMPLES 0, and
// estimates a big container from its first elements otherwise; STATS's figures add up as Redis's do; DOCTOR's
// text follows the figures (memory-report.ts doctorReport).

import { describe, expect, it } from 'vitest';
import { doctorReport } from '../../src/core/commands/memory-report.js';
import type { MemoryOverhead } from '../../src/core/commands/memory-overhead.js';
import { NIL, type Reply } from '../../src/core/reply.js';
import { createTestContext, type TestContext } from '../support/context.js';

function integerOf(reply: Reply): number {
  if (reply.kind !== 'integer') throw new Error(`not an integer: ${JSON.stringify(reply)}`);
  return Number(reply.value);
}

const dataset = (ctx: TestContext): number => ctx.store.stats().usedMemory;

/** MEMORY USAGE key SAMPLES 0, then what DEL gives back: they must be equal. */
function usageAndFreed(ctx: TestContext, key: string): [number, number] {
  const usage = integerOf(ctx.run('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
  const before = dataset(ctx);
  ctx.run('DEL', key);
  return [usage, before - dataset(ctx)];
}

/** Fills key `k` with `n` elements of `type` (16-byte members, 16-byte values). */
function fill(ctx: TestContext, type: string, n: number): void {
  const member = (i: number): string => `member:${String(i).padStart(9, '0')}`;
  for (let i = 0; i < n; i += 100) {
    const batch = Array.from({ length: Math.min(100, n - i) }, (_, j) => member(i + j));
    if (type === 'list') ctx.run('RPUSH', 'k', ...batch);
    if (type === 'set') ctx.run('SADD', 'k', ...batch);
    if (type === 'zset') ctx.run('ZADD', 'k', ...batch.flatMap((m, j) => [String(i + j), m]));
    if (type === 'hash') ctx.run('HSET', 'k', ...batch.flatMap((m) => [m, `value:${m.slice(7)}`]));
  }
}

describe('MEMORY USAGE', () => {
  it('is nil for a missing key', () => {
    const ctx = createTestContext();
    expect(ctx.run('MEMORY', 'USAGE', 'nokey')).toEqual(NIL);
  });

  it.each([
    ['a short string', (ctx: TestContext) => ctx.run('SET', 'k', 'v')],
    ['an integer string', (ctx: TestContext) => ctx.run('SET', 'k', '12345')],
    ['a 10 KB string with a TTL', (ctx: TestContext) => ctx.run('SET', 'k', 'x'.repeat(10_000), 'EX', '100')],
    ['a listpack list', (ctx: TestContext) => fill(ctx, 'list', 10)],
    ['a quicklist', (ctx: TestContext) => fill(ctx, 'list', 5000)],
    ['an intset', (ctx: TestContext) => ctx.run('SADD', 'k', '1', '2', '3')],
    ['a hashtable set', (ctx: TestContext) => fill(ctx, 'set', 3000)],
    ['a listpack zset', (ctx: TestContext) => fill(ctx, 'zset', 10)],
    ['a skiplist zset', (ctx: TestContext) => fill(ctx, 'zset', 3000)],
    ['a listpack hash', (ctx: TestContext) => fill(ctx, 'hash', 10)],
    ['a hashtable hash', (ctx: TestContext) => fill(ctx, 'hash', 3000)],
  ])('with SAMPLES 0 is exactly what deleting %s frees', (_name, make) => {
    const ctx = createTestContext();
    for (let i = 0; i < 100; i++) ctx.run('SET', `other:${i}`, 'x'); // the shard's index exists already
    make(ctx);
    const [usage, freed] = usageAndFreed(ctx, 'k');
    expect(usage).toBeGreaterThan(0);
    expect(usage).toBe(freed);
  });

  it.each(['list', 'set', 'zset', 'hash'])(
    'estimates a big %s from 5 sampled elements by default, near the exact figure',
    (type) => {
      const ctx = createTestContext();
      fill(ctx, type, 20_000);
      const exact = integerOf(ctx.run('MEMORY', 'USAGE', 'k', 'SAMPLES', '0'));
      const sampled = integerOf(ctx.run('MEMORY', 'USAGE', 'k'));
      expect(integerOf(ctx.run('MEMORY', 'USAGE', 'k', 'SAMPLES', '5'))).toBe(sampled);
      expect(Math.abs(sampled - exact) / exact).toBeLessThan(0.1);
      // A sample as large as the container is the exact figure.
      expect(integerOf(ctx.run('MEMORY', 'USAGE', 'k', 'SAMPLES', '100000'))).toBe(exact);
    },
  );

  it('reads SAMPLES as Redis does: the last one wins, errors before the lookup', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'k', 'v');
    const plain = integerOf(ctx.run('MEMORY', 'USAGE', 'k'));
    expect(ctx.run('MEMORY', 'USAGE', 'k', 'samples', '1', 'SAMPLES', '9223372036854775807')).toEqual({
      kind: 'integer',
      value: plain,
    });
    const error = (message: string): Reply => ({ kind: 'error', value: message });
    expect(ctx.run('MEMORY', 'USAGE', 'nokey', 'SAMPLES', 'x')).toEqual(
      error('ERR value is not an integer or out of range'),
    );
    expect(ctx.run('MEMORY', 'USAGE', 'k', 'SAMPLES', '-1')).toEqual(error('ERR syntax error'));
    expect(ctx.run('MEMORY', 'USAGE', 'k', 'SAMPLES')).toEqual(error('ERR syntax error'));
    expect(ctx.run('MEMORY', 'USAGE', 'k', 'COUNT', '1')).toEqual(error('ERR syntax error'));
  });
});

/** MEMORY STATS's RESP2 reply as [name, value] pairs (a database's map kept as its reply). */
function statsOf(ctx: TestContext): Map<string, Reply> {
  const reply = ctx.run('MEMORY', 'STATS');
  if (reply.kind !== 'map') throw new Error(`not a map: ${reply.kind}`);
  return new Map(
    reply.value.map(([name, value]) => {
      if (name.kind !== 'bulk') throw new Error('a name that is not a bulk string');
      return [Buffer.from(name.value).toString(), value];
    }),
  );
}

const numberOf = (reply: Reply | undefined): number =>
  reply?.kind === 'integer' ? Number(reply.value) : reply?.kind === 'double' ? reply.value : NaN;

describe('MEMORY STATS', () => {
  it("adds up as Redis's figures do, with a map per database holding keys", () => {
    const ctx = createTestContext();
    fill(ctx, 'hash', 1000);
    ctx.run('SELECT', '3');
    ctx.run('SET', 'x', 'y');
    const stats = statsOf(ctx);
    const n = (name: string): number => numberOf(stats.get(name));
    const info = ctx.store.stats();
    expect(n('total.allocated')).toBe(info.usedMemory + info.processBaselineBytes);
    expect(n('startup.allocated')).toBe(info.processBaselineBytes);
    expect(n('peak.allocated')).toBeGreaterThanOrEqual(n('total.allocated'));
    expect(n('keys.count')).toBe(2);
    expect([...stats.keys()].filter((k) => k.startsWith('db.'))).toEqual(['db.0', 'db.3']);
    const dbMain = (db: string): number => {
      const value = stats.get(db);
      if (value?.kind !== 'map') throw new Error(`${db} is not a map`);
      return numberOf(value.value[0][1]);
    };
    expect(n('overhead.total')).toBe(n('startup.allocated') + dbMain('db.0') + dbMain('db.3'));
    expect(n('dataset.bytes')).toBe(n('total.allocated') - n('overhead.total'));
    expect(n('keys.bytes-per-key')).toBe(Math.floor((n('total.allocated') - n('startup.allocated')) / 2));
    expect(n('allocator.allocated')).toBe(info.usedMemory);
    expect(n('allocator-fragmentation.bytes')).toBe(n('allocator.active') - n('allocator.allocated'));
    expect(stats.get('dataset.percentage')?.kind).toBe('double');
  });

  it('keeps the peak the server cron recorded after the data went', () => {
    const ctx = createTestContext();
    fill(ctx, 'set', 20_000);
    ctx.store.recordMemoryPeak();
    const high = numberOf(statsOf(ctx).get('total.allocated'));
    ctx.run('FLUSHALL');
    const stats = statsOf(ctx);
    expect(numberOf(stats.get('peak.allocated'))).toBe(high);
    expect(numberOf(stats.get('total.allocated'))).toBeLessThan(high);
    expect(numberOf(stats.get('peak.percentage'))).toBeLessThan(100);
  });
});

describe('MEMORY DOCTOR', () => {
  const MB = 1024 * 1024;
  const healthy: MemoryOverhead = {
    peakAllocated: 60 * MB,
    totalAllocated: 60 * MB,
    startupAllocated: 10 * MB,
    clientsNormal: 0,
    clients: 1,
    aofBuffer: 0,
    databases: [],
    overheadTotal: 11 * MB,
    totalKeys: 1000,
    bytesPerKey: 50_000,
    dataset: 49 * MB,
    storeBytes: 50 * MB,
    datasetPercentage: 98,
    peakPercentage: 100,
    allocatorAllocated: 50 * MB,
    allocatorActive: 51 * MB,
    allocatorResident: 51 * MB,
    processRss: 120 * MB,
  };

  it("says Redis's words for an instance holding little", () => {
    expect(doctorReport({ ...healthy, storeBytes: 4 * MB })).toMatch(/^Hi Sam, this instance is empty /);
  });

  it('finds nothing in a healthy instance', () => {
    expect(doctorReport(healthy)).toBe(
      "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n",
    );
  });

  it('reports a past peak, fragmented free blocks and big client buffers, each in its paragraph', () => {
    const report = doctorReport({
      ...healthy,
      peakAllocated: 100 * MB,
      allocatorActive: 70 * MB,
      clients: 2,
      clientsNormal: 1 * MB,
    });
    expect(
      report.startsWith('Sam, I detected a few issues in this Redis instance memory implants:\n\n'),
    ).toBe(true);
    expect(report).toContain(' * Peak memory: In the past this instance used more than 150%');
    expect(report).toContain(' * High allocator fragmentation: ');
    expect(report).toContain(' * Big client buffers: ');
    expect(report.endsWith("I'm here to keep you safe, Sam. I want to help you.\n")).toBe(true);
    expect(doctorReport({ ...healthy, allocatorActive: 55 * MB })).toMatch(/^Hi Sam, I can't find/); // 1.1x, < 10 MB
  });
});

describe('MEMORY PURGE', () => {
  it("runs the thread's purge and answers OK, as Redis after jemalloc's", () => {
    let purges = 0;
    const ctx = createTestContext({ purgeMemory: () => void purges++ });
    expect(ctx.run('MEMORY', 'PURGE')).toEqual({ kind: 'status', value: 'OK' });
    expect(purges).toBe(1);
  });

  it('answers OK where there is nothing to purge', () => {
    expect(createTestContext().run('MEMORY', 'PURGE')).toEqual({ kind: 'status', value: 'OK' });
  });
});
