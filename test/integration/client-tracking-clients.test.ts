// Client-side caching with real clients, on every transport: node-redis's own client-side cache (RESP3, it sends
// CLIENT TRACKING ON and drops an entry on each invalidation push) answers a GET from memory until another
// client writes the key or flushes, and ioredis follows the RESP2 protocol: a subscriber on __redis__:invalidate
// that a tracking connection redirects to gets each invalidated key as a message. The writer is another
// connection, so on the pool and the hybrid the invalidation crosses threads.

import { once } from 'node:events';
import { Redis } from 'ioredis';
import { BasicClientSideCache, createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

describe.each(transports)('%s transport: client-side caching with node-redis and ioredis', (transport) => {
  const fixture = useIoredisServer(transport, 8);

  it("node-redis's client-side cache answers from memory until the key is written or flushed", async () => {
    const { host, port } = fixture.server();
    const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
    const client = createClient({ RESP: 3, clientSideCache: cache, socket: { host, port } });
    await client.connect();
    try {
      const writer = await fixture.ioredis();
      await writer.set('csc:node', 'v1');
      expect(await client.get('csc:node')).toBe('v1');
      expect(await client.get('csc:node')).toBe('v1');
      expect(cache.stats().hitCount).toBe(1);
      expect(cache.size()).toBe(1);
      const invalidated = once(cache, 'invalidate');
      await writer.set('csc:node', 'v2');
      expect((await invalidated)[0]?.toString()).toBe('csc:node');
      expect(cache.size()).toBe(0);
      expect(await client.get('csc:node')).toBe('v2');
      expect(cache.stats().missCount).toBe(2);
      const flushed = once(cache, 'invalidate');
      await writer.flushall();
      expect((await flushed)[0]).toBeNull();
      expect(await client.get('csc:node')).toBeNull();
    } finally {
      await client.quit();
    }
  });

  it('ioredis: a RESP2 subscriber on __redis__:invalidate gets the keys of the connection redirecting to it', async () => {
    const { host, port } = fixture.server();
    // RESP2 (ioredis 6 speaks RESP3 by default): the protocol where invalidations are Pub/Sub messages.
    const subscriber = new Redis({ host, port, protocol: 2, lazyConnect: true, maxRetriesPerRequest: 0 });
    await subscriber.connect();
    const tracker = await fixture.ioredis();
    const writer = await fixture.ioredis();
    const id = await subscriber.client('ID');
    await subscriber.subscribe('__redis__:invalidate');
    const messages: unknown[] = [];
    const got = new Promise<void>((resolve) => {
      subscriber.on('messageBuffer', (channel: Buffer, keys: Buffer[]) => {
        messages.push([channel.toString(), keys.map(String)]);
        if (messages.length === 2) resolve();
      });
    });
    expect(await tracker.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id))).toBe('OK');
    expect(await tracker.mget('csc:io1', 'csc:io2')).toEqual([null, null]);
    await writer.set('csc:io2', 'v');
    await writer.set('csc:io1', 'x');
    await got;
    expect(messages).toEqual([
      ['__redis__:invalidate', ['csc:io2']],
      ['__redis__:invalidate', ['csc:io1']],
    ]);
    expect(await tracker.call('CLIENT', 'GETREDIR')).toBe(id);
    await subscriber.quit();
  });
});
