// Redis as a cache on real sockets, on every transport (issue 16): with maxmemory set, an allkeys policy keeps
// memory at the cap however much is written and every write succeeds, with evicted_keys and `evicted` events to
// show for it; noeviction refuses writes with Redis's OOM error while reads and DEL go on (a MULTI queueing a
// write is aborted); volatile-* evict only keys with a TTL; OBJECT FREQ/IDLETIME follow the policy. Several
// connections write at once, so on the pool and the hybrid the threads evict in parallel.
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

const VALUE = 'v'.repeat(1000);
const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

function infoField(info: string, name: string): number {
  const match = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  if (match === null) throw new Error(`no ${name} in INFO`);
  return Number(match[1]);
}

/** Caps the store (used_memory_dataset) at what it holds now plus `headroom` bytes; returns the cap. */
async function capAt(client: Redis, headroom: number, policy: string): Promise<number> {
  const used = infoField(await client.info('memory'), 'used_memory_dataset');
  const cap = used + headroom;
  await client.config('SET', 'maxmemory-policy', policy);
  await client.config('SET', 'maxmemory', String(cap));
  return cap;
}

describe.each(transports)('%s transport: maxmemory', (transport) => {
  const fixture = useIoredisServer(transport, 8);
  const { ioredis } = fixture;

  afterEach(async () => {
    const c = await ioredis();
    await c.config('SET', 'maxmemory', '0');
    await c.config('SET', 'maxmemory-policy', 'noeviction');
    await c.config('SET', 'maxmemory-eviction-tenacity', '10');
    await c.config('SET', 'notify-keyspace-events', '');
    await c.flushall();
    await c.config('RESETSTAT');
  });

  it('allkeys-lru: every write succeeds and the store stays at the cap, evicting as it goes', async () => {
    const writers = await Promise.all([ioredis(), ioredis(), ioredis(), ioredis()]);
    const watcher = await ioredis();
    const subscriber = await ioredis();
    await watcher.config('SET', 'notify-keyspace-events', 'Ee');
    let events = 0;
    subscriber.on('message', () => events++);
    await subscriber.subscribe('__keyevent@0__:evicted');
    // No time limit per eviction: each command leaves the store under the cap, so the figures below agree.
    await watcher.config('SET', 'maxmemory-eviction-tenacity', '100');
    const cap = await capAt(watcher, 2 * 1024 * 1024, 'allkeys-lru');
    // 8 MB written over four connections at once, four times the room there is.
    await Promise.all(
      writers.map(async (client, w) => {
        for (let batch = 0; batch < 20; batch++) {
          const pipeline = client.pipeline();
          for (let i = 0; i < 100; i++) pipeline.set(`w${w}:${batch}:${i}`, VALUE);
          const replies = (await pipeline.exec()) ?? [];
          for (const [error, reply] of replies) expect([error, reply]).toEqual([null, 'OK']);
        }
      }),
    );
    const info = await watcher.info();
    expect(infoField(info, 'used_memory_dataset')).toBeLessThanOrEqual(cap);
    expect(infoField(info, 'used_memory')).toBe(
      infoField(info, 'used_memory_dataset') + infoField(info, 'used_memory_startup'),
    );
    const evicted = infoField(info, 'evicted_keys');
    expect(evicted).toBeGreaterThan(3000);
    expect(evicted + (await watcher.dbsize())).toBe(8000);
    expect(info).toContain('maxmemory_policy:allkeys-lru');
    // The arena as Redis reports its allocator: every byte the bump pointer handed out is live (allocated) or
    // a freed block waiting on a segment's own lists or the shared ones; unit 0 is neither.
    const allocated = infoField(info, 'allocator_allocated');
    const active = infoField(info, 'allocator_active');
    expect(allocated).toBe(infoField(info, 'used_memory_dataset'));
    expect(infoField(info, 'allocator_frag_bytes')).toBe(active - allocated);
    expect(infoField(info, 'arena_free_segments') + infoField(info, 'arena_free_shared') + 8).toBe(
      active - allocated,
    );
    expect(info).toMatch(/^allocator_frag_ratio:1\.\d\d\r$/m);
    expect(info).toMatch(/^mem_fragmentation_ratio:\d+\.\d\d\r$/m);
    await watcher.ping(); // the events were published before the replies of the writes that caused them
    await subscriber.ping();
    expect(events).toBe(evicted);
  });

  it('noeviction: writes get the OOM error, reads and DEL go on, MULTI with a write is aborted', async () => {
    const client = await ioredis();
    for (let i = 0; i < 200; i++) await client.set(`k${i}`, VALUE);
    await capAt(client, -50_000, 'noeviction');
    await expect(client.set('more', VALUE)).rejects.toThrow(OOM);
    expect(await client.get('k1')).toBe(VALUE);
    expect(await client.dbsize()).toBe(200);
    const multi = await client
      .multi()
      .get('k1')
      .set('more', VALUE)
      .exec()
      .catch((error: Error) => error);
    expect(String(multi)).toContain('EXECABORT');
    for (let i = 0; i < 100; i++) await client.del(`k${i}`);
    expect(await client.set('more', VALUE)).toBe('OK');
    expect(infoField(await client.info('stats'), 'evicted_keys')).toBe(0);
  });

  it('volatile-lru evicts only keys with a TTL, then refuses writes', async () => {
    const client = await ioredis();
    for (let i = 0; i < 200; i++) await client.set(`keep${i}`, VALUE);
    for (let i = 0; i < 200; i++) await client.set(`ttl${i}`, VALUE, 'EX', 1000);
    await capAt(client, -250_000, 'volatile-lru');
    expect(await client.set('trigger', 'x')).toBe('OK');
    for (let i = 0; i < 200; i++) expect(await client.exists(`keep${i}`)).toBe(1);
    expect(infoField(await client.info('stats'), 'evicted_keys')).toBeGreaterThan(100);
    await client.config('SET', 'maxmemory', '1'); // below what the keys without a TTL alone take
    await expect(client.set('more', VALUE)).rejects.toThrow(OOM);
    expect(await client.exists('keep0')).toBe(1);
  });

  it('OBJECT FREQ answers under an LFU policy, IDLETIME under the others', async () => {
    const client = await ioredis();
    await client.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    await client.set('k', 'v');
    for (let i = 0; i < 20; i++) await client.get('k');
    expect(Number(await client.object('FREQ', 'k'))).toBeGreaterThan(5);
    await expect(client.object('IDLETIME', 'k')).rejects.toThrow('An LFU maxmemory policy is selected');
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await client.get('k'); // its LFU bits become an access time again (Redis: "will take some time to adjust")
    expect(await client.object('IDLETIME', 'k')).toBe(0);
    await expect(client.object('FREQ', 'k')).rejects.toThrow('An LFU maxmemory policy is not selected');
  });
});
