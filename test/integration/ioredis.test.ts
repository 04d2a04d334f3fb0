// The Redis ecosystem against every transport: ioredis and node-redis (the `redis` package) round trips,
// binary values, pipelines, MGET, INCR and error replies surfacing as rejected promises.

import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { transports, useTestServer } from '../support/server.js';

describe.each(transports)('%s transport', (transport) => {
  const server = useTestServer(transport);

  describe('ioredis', () => {
    let client: Redis;
    beforeEach(async () => {
      // No retries: a failure to connect must fail the test, not hang it.
      client = new Redis({
        host: server().host,
        port: server().port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
      });
      await client.connect();
    });
    afterEach(async () => {
      await client.quit();
    });

    it('sets and gets', async () => {
      expect(await client.set('greeting', 'hello')).toBe('OK');
      expect(await client.get('greeting')).toBe('hello');
      expect(await client.get('missing')).toBeNull();
      expect(await client.set('greeting', 'x', 'NX')).toBeNull();
    });

    it('keeps binary values intact', async () => {
      const key = Buffer.from([0xde, 0xad, 0x00, 0x0a]);
      const value = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      expect(await client.set(key, value)).toBe('OK');
      expect(await client.getBuffer(key)).toEqual(value);
      const big = Buffer.alloc(3 * 1024 * 1024, 0xab);
      await client.set('big', big);
      // Buffer.equals: vitest's element-by-element toEqual takes tens of seconds on 3 MiB.
      expect((await client.getBuffer('big'))?.equals(big)).toBe(true);
    });

    it('runs a pipeline and MGET', async () => {
      const results = await client.pipeline().set('a', '1').set('b', '2').incr('a').get('a').exec();
      expect(results).toEqual([
        [null, 'OK'],
        [null, 'OK'],
        [null, 2],
        [null, '2'],
      ]);
      expect(await client.mget('a', 'b', 'nope')).toEqual(['2', '2', null]);
    });

    it('INCR counts and errors surface as errors', async () => {
      expect(await client.incr('n')).toBe(1);
      expect(await client.incrby('n', 41)).toBe(42);
      await client.set('s', 'text');
      await expect(client.incr('s')).rejects.toThrow('ERR value is not an integer or out of range');
      await expect(client.call('NOSUCHCOMMAND')).rejects.toThrow(/ERR unknown command 'NOSUCHCOMMAND'/);
      // The connection is still usable after an error reply.
      expect(await client.ping()).toBe('PONG');
    });
  });

  describe('node-redis', () => {
    it('round-trips strings, buffers, pipelines and errors', async () => {
      // The default client, as users create it: node-redis 6 asks for RESP3 (HELLO 3).
      const client = createClient({
        socket: { host: server().host, port: server().port, reconnectStrategy: false },
      });
      client.on('error', () => {}); // connection errors reject the pending commands; the test sees those
      await client.connect();
      try {
        expect(await client.set('k', 'v')).toBe('OK');
        expect(await client.get('k')).toBe('v');
        expect(await client.incr('counter')).toBe(1);
        expect(await client.mGet(['k', 'counter', 'none'])).toEqual(['v', '1', null]);
        const value = Buffer.from([0, 255, 13, 10, 7]);
        await client.set('bin', value);
        const buffers = client.withTypeMapping({ [36 /* RESP bulk string '$' */]: Buffer });
        expect(await buffers.get('bin')).toEqual(value);
        const replies = await client.multi().set('x', '1').incr('x').get('x').execAsPipeline();
        expect(replies).toEqual(['OK', 2, '2']);
        await expect(client.incr('k')).rejects.toThrow('ERR value is not an integer or out of range');
        expect(await client.ping()).toBe('PONG');
      } finally {
        client.destroy();
      }
    });
  });
});
