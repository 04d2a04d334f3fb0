// Conformance with the Node Redis clients people use, against every transport: ioredis (RESP2) and node-redis
// (the `redis` package, v6) both as created by default (`createClient()` asks for RESP3 with HELLO 3) and with
// RESP: 2, over the core commands of issue 2, pipelines, transactions, binary keys and values, SCAN iteration,
// AUTH, RESP3's maps and nulls, and error replies surfacing as errors of each client's own error class while
// the connection stays usable.

import { Redis, ReplyError } from 'ioredis';
import { createClient, ErrorReply, WatchError } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, transports, type TestServer } from '../support/server.js';

const NOT_INTEGER = 'ERR value is not an integer or out of range';

describe.each(transports)('%s transport', (transport) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(transport, { workers: 6 });
  });
  afterAll(async () => {
    await server.close();
  });

  describe('ioredis', () => {
    let client: Redis;
    beforeEach(async () => {
      client = new Redis({
        host: server.host,
        port: server.port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
      });
      await client.connect();
      await client.flushall();
    });
    afterEach(async () => {
      await client.quit();
    });

    it('covers the string commands', async () => {
      expect(await client.set('s', 'hello', 'EX', 1000, 'NX')).toBe('OK');
      expect(await client.set('s', 'x', 'NX')).toBeNull();
      expect(await client.set('s', 'world', 'XX', 'GET')).toBe('hello');
      expect(await client.get('s')).toBe('world');
      expect(await client.append('s', '!')).toBe(6);
      expect(await client.strlen('s')).toBe(6);
      expect(await client.getrange('s', 1, -2)).toBe('orld');
      expect(await client.setrange('s', 5, '?')).toBe(6);
      expect(await client.getset('s', 'new')).toBe('world?');
      expect(await client.getdel('s')).toBe('new');
      expect(await client.get('s')).toBeNull();
      expect(await client.incr('n')).toBe(1);
      expect(await client.incrby('n', 9)).toBe(10);
      expect(await client.decr('n')).toBe(9);
      expect(await client.decrby('n', 10)).toBe(-1);
      expect(await client.incrbyfloat('f', '1.5')).toBe('1.5');
      expect(await client.mset({ a: '1', b: '2' })).toBe('OK');
      expect(await client.msetnx('a', 'x', 'c', '3')).toBe(0);
      expect(await client.mget('a', 'b', 'c')).toEqual(['1', '2', null]);
      expect(await client.setnx('c', '3')).toBe(1);
      expect(await client.setex('e', 100, 'v')).toBe('OK');
      expect(await client.psetex('p', 100_000, 'v')).toBe('OK');
      expect(await client.getex('e', 'PERSIST')).toBe('v');
      expect(await client.ttl('e')).toBe(-1);
    });

    it('covers the keyspace commands', async () => {
      await client.mset('k1', 'a', 'k2', 'b', 'other', 'c');
      expect(await client.exists('k1', 'k2', 'nope', 'k1')).toBe(3);
      expect(await client.del('k1', 'nope')).toBe(1);
      expect(await client.unlink('k2')).toBe(1);
      expect(await client.expire('other', 1000)).toBe(1);
      expect(await client.ttl('other')).toBe(1000);
      expect(await client.pttl('other')).toBeGreaterThan(999_000);
      expect(await client.persist('other')).toBe(1);
      expect(await client.ttl('other')).toBe(-1);
      expect(await client.ttl('nope')).toBe(-2);
      expect(await client.type('other')).toBe('string');
      expect(await client.type('nope')).toBe('none');
      expect(await client.rename('other', 'renamed')).toBe('OK');
      expect(await client.keys('*')).toEqual(['renamed']);
      expect(await client.dbsize()).toBe(1);
      for (let i = 0; i < 50; i++) await client.set(`scan:${i}`, String(i));
      const seen = new Set<string>();
      for await (const batch of client.scanStream({ match: 'scan:*', count: 7 })) {
        for (const k of batch as string[]) seen.add(k);
      }
      expect(seen.size).toBe(50);
      expect(await client.select(0)).toBe('OK');
      expect(await client.ping()).toBe('PONG');
      expect(await client.echo('hi')).toBe('hi');
      expect(await client.flushdb()).toBe('OK');
      expect(await client.dbsize()).toBe(0);
    });

    it('keeps binary keys and values intact', async () => {
      const key = Buffer.from([0, 0xff, 0x0d, 0x0a, 0x20]);
      const value = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      expect(await client.set(key, value)).toBe('OK');
      expect(await client.getBuffer(key)).toEqual(value);
      expect(await client.mgetBuffer(key, 'none')).toEqual([value, null]);
      expect(await client.exists(key)).toBe(1);
    });

    it('runs pipelines, with an error reply in the middle', async () => {
      const results = await client.pipeline().set('a', 'text').incr('a').incr('n').mget('a', 'n').exec();
      expect(results?.map(([e, r]) => (e === null ? r : e.message))).toEqual([
        'OK',
        NOT_INTEGER,
        1,
        ['text', '1'],
      ]);
      const many = client.pipeline();
      for (let i = 0; i < 500; i++) many.incr('many');
      const counted = await many.exec();
      expect(counted?.at(-1)).toEqual([null, 500]);
    });

    it('surfaces error replies as ReplyError and keeps the connection', async () => {
      await client.set('s', 'text');
      await expect(client.incr('s')).rejects.toThrow(ReplyError);
      await expect(client.incr('s')).rejects.toThrow(NOT_INTEGER);
      await expect(client.call('GET')).rejects.toThrow("ERR wrong number of arguments for 'get' command");
      await expect(client.call('NOSUCHCOMMAND', 'x')).rejects.toThrow(/^ERR unknown command 'NOSUCHCOMMAND'/);
      await expect(client.set('s', 'v', 'EX', 0)).rejects.toThrow("ERR invalid expire time in 'set' command");
      expect(await client.ping()).toBe('PONG');
    });
  });

  // RESP undefined: the default client, which asks for RESP3 (HELLO 3) as most users create it.
  describe.each([
    ['node-redis, default client (RESP3)', undefined],
    ['node-redis, RESP: 2', 2 as const],
  ])('%s', (_name, RESP) => {
    type NodeRedis = ReturnType<typeof createClient>;
    let client: NodeRedis;
    beforeEach(async () => {
      client = createClient({
        RESP,
        socket: { host: server.host, port: server.port, reconnectStrategy: false },
      });
      client.on('error', () => undefined); // failures reject the pending commands, which the tests see
      await client.connect();
      await client.flushAll();
    });
    afterEach(() => {
      client.destroy();
    });

    it('covers the core commands', async () => {
      expect(await client.set('s', 'hello', { expiration: { type: 'EX', value: 1000 } })).toBe('OK');
      expect(await client.ttl('s')).toBe(1000);
      expect(await client.get('s')).toBe('hello');
      expect(await client.set('s', 'x', { condition: 'NX' })).toBeNull();
      expect(await client.append('s', ' world')).toBe(11);
      expect(await client.strLen('s')).toBe(11);
      expect(await client.getDel('s')).toBe('hello world');
      expect(await client.exists(['s'])).toBe(0);
      expect(await client.incr('n')).toBe(1);
      expect(await client.incrBy('n', 41)).toBe(42);
      expect(await client.mSet({ a: '1', b: '2' })).toBe('OK');
      expect(await client.mGet(['a', 'b', 'c'])).toEqual(['1', '2', null]);
      expect(await client.expire('a', 500)).toBe(1);
      expect(await client.persist('a')).toBe(1);
      expect(await client.del(['a', 'b', 'c'])).toBe(2);
      expect(await client.keys('*')).toEqual(['n']);
      expect(await client.ping()).toBe('PONG');
    });

    it('keeps binary values intact', async () => {
      const value = Buffer.from([0, 255, 13, 10, 7, 0x80]);
      await client.set(Buffer.from([1, 0, 2]), value);
      const buffers = client.withTypeMapping({ [36 /* RESP bulk '$' */]: Buffer });
      expect(await buffers.get(Buffer.from([1, 0, 2]))).toEqual(value);
    });

    it('speaks the protocol it asked for: HELLO, CONFIG GET as a map, INFO as text', async () => {
      const hello = await client.hello();
      expect(hello).toMatchObject({ server: 'redis', proto: RESP ?? 3, mode: 'standalone', modules: [] });
      expect(await client.configGet('maxclients')).toEqual({ maxclients: '10000' });
      await client.set('k', 'v');
      expect(await client.info('keyspace')).toMatch(/^# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n$/);
      expect(await client.clientInfo()).toMatchObject({ resp: RESP ?? 3 });
      expect(await client.incrByFloat('f', 1.5)).toBe('1.5');
      expect(await client.scan('0')).toEqual({ cursor: '0', keys: expect.arrayContaining(['k', 'f']) });
    });

    it('runs transactions: queued replies, nulls inside, and WatchError when a watched key changed', async () => {
      expect(await client.multi().set('a', '1').incr('a').get('none').exec()).toEqual(['OK', 2, null]);
      const other = client.duplicate();
      other.on('error', () => undefined);
      await other.connect();
      try {
        await client.watch('a');
        await other.set('a', 'changed');
        await expect(client.multi().incr('a').exec()).rejects.toThrow(WatchError);
        expect(await client.get('a')).toBe('changed');
      } finally {
        other.destroy();
      }
    });

    it('runs pipelines and surfaces errors as ErrorReply', async () => {
      const replies = await client.multi().set('x', '1').incr('x').get('x').execAsPipeline();
      expect(replies).toEqual(['OK', 2, '2']);
      await client.set('t', 'text');
      const error = await client.incr('t').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ErrorReply);
      expect((error as Error).message).toBe(NOT_INTEGER);
      expect(await client.ping()).toBe('PONG');
    });
  });

  describe('AUTH', () => {
    it('connects both clients with a password and refuses a wrong one', async () => {
      const secured = await startTestServer(transport, { workers: 4, requirepass: 's3cret' });
      try {
        const io = new Redis({
          port: secured.port,
          password: 's3cret',
          lazyConnect: true,
          maxRetriesPerRequest: 0,
        });
        await io.connect();
        expect(await io.ping()).toBe('PONG');
        await io.quit();
        for (const RESP of [undefined, 2 as const]) {
          // The default client authenticates inside its HELLO 3 (HELLO 3 AUTH default s3cret).
          const nr = createClient({
            RESP,
            password: 's3cret',
            socket: { port: secured.port, reconnectStrategy: false },
          });
          nr.on('error', () => undefined);
          await nr.connect();
          expect(await nr.ping()).toBe('PONG');
          nr.destroy();
        }
        const wrong = new Redis({
          port: secured.port,
          password: 'nope',
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        const errors: Error[] = [];
        wrong.on('error', (e: Error) => errors.push(e));
        await expect(wrong.connect()).rejects.toThrow();
        expect(errors.map((e) => e.message)).toContain(
          'WRONGPASS invalid username-password pair or user is disabled.',
        );
        wrong.disconnect();
      } finally {
        await secured.close();
      }
    });
  });
});
