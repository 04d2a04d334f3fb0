// Functions on a real socket, on every transport: the libraries are shared by every thread (a library loaded on
// one connection is called on others, whichever worker or loop each landed on; REPLACE, DELETE and FLUSH reach
// them all), SCRIPT FLUSH and FLUSHALL leave them, a function's writes are atomic against concurrent callers, and
// node-redis's functions commands (FUNCTION LOAD, FCALL, FCALL_RO, FUNCTION LIST) and ioredis's fcall work.

import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

const library = (name: string, reply: string): string =>
  `#!lua name=${name}\nredis.register_function{function_name='${name}_fn', callback=function() return '${reply}' end,
  flags={'no-writes'}}`;

/** Not atomic by itself: GET, then SET one more. */
const COUNTER = `#!lua name=counter
redis.register_function('bump', function(keys)
  local v = tonumber(redis.call('GET', keys[1]) or '0')
  redis.call('SET', keys[1], v + 1)
  return v + 1
end)`;

describe.each(transports)('functions on %s', (transport) => {
  const fixture = useIoredisServer(transport, 8);

  it('shares libraries across threads: LOAD, REPLACE, DELETE and FLUSH reach every connection', async () => {
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => fixture.ioredis()));
    await a.call('FUNCTION', 'FLUSH');
    expect(await a.call('FUNCTION', 'LOAD', library('shared', 'v1'))).toBe('shared');
    expect(await b.call('FCALL', 'shared_fn', '0')).toBe('v1');
    expect(await c.call('FCALL_RO', 'SHARED_FN', '0')).toBe('v1');
    expect(await c.call('FUNCTION', 'LOAD', 'REPLACE', library('shared', 'v2'))).toBe('shared');
    expect(await a.call('FCALL', 'shared_fn', '0')).toBe('v2');
    expect(await b.call('FCALL', 'shared_fn', '0')).toBe('v2');
    await expect(a.call('FUNCTION', 'LOAD', library('shared', 'v3'))).rejects.toThrow(
      "ERR Library 'shared' already exists",
    );
    expect(await b.call('FUNCTION', 'DELETE', 'shared')).toBe('OK');
    await expect(c.call('FCALL', 'shared_fn', '0')).rejects.toThrow('ERR Function not found');
    await a.call('FUNCTION', 'LOAD', library('again', 'x'));
    expect(await c.call('FUNCTION', 'STATS')).toEqual([
      'running_script',
      null,
      'engines',
      ['LUA', ['libraries_count', 1, 'functions_count', 1]],
    ]);
    // INFO memory counts them on any thread, and the engine that holds them where they ran.
    const memory = await a.info('memory');
    expect(memory).toContain('number_of_functions:1\r\n');
    expect(memory).toContain('number_of_libraries:1\r\n');
    expect(Number(/used_memory_functions:(\d+)/.exec(memory)?.[1])).toBeGreaterThan(
      library('again', 'x').length,
    );
    expect(Number(/used_memory_vm_functions:(\d+)/.exec(memory)?.[1])).toBeGreaterThan(0);
    expect(await b.call('FUNCTION', 'FLUSH')).toBe('OK');
    await expect(a.call('FCALL', 'again_fn', '0')).rejects.toThrow('ERR Function not found');
  });

  it('keeps libraries through SCRIPT FLUSH and FLUSHALL', async () => {
    const [a, b] = await Promise.all([0, 1].map(() => fixture.ioredis()));
    await a.call('FUNCTION', 'FLUSH');
    await a.call('FUNCTION', 'LOAD', library('kept', 'still here'));
    expect(await b.call('SCRIPT', 'FLUSH')).toBe('OK');
    expect(await b.flushall()).toBe('OK');
    expect(await a.call('FCALL', 'kept_fn', '0')).toBe('still here');
    expect(await b.call('FCALL', 'kept_fn', '0')).toBe('still here');
  });

  it('runs a function atomically against callers on every thread (ioredis fcall)', async () => {
    const clients = await Promise.all([0, 1, 2, 3].map(() => fixture.ioredis()));
    await clients[0].call('FUNCTION', 'LOAD', 'REPLACE', COUNTER);
    await clients[0].del('bumped');
    await Promise.all(
      clients.map(async (client) => {
        for (let i = 0; i < 50; i++) await client.fcall('bump', 1, 'bumped');
      }),
    );
    expect(await clients[0].get('bumped')).toBe('200');
  });

  it("works with node-redis's functions commands (RESP3)", async () => {
    const { host, port } = fixture.server();
    const client = createClient({ socket: { host, port }, RESP: 3 } as Parameters<typeof createClient>[0]);
    await client.connect();
    try {
      await client.functionFlush();
      const code = `#!lua name=nr
redis.register_function{function_name='nr_get', callback=function(keys) return redis.call('GET', keys[1]) end,
  flags={'no-writes'}, description='reads'}`;
      expect(await client.functionLoad(code)).toBe('nr');
      await client.set('nr-key', 'hello');
      expect(await client.fCall('nr_get', { keys: ['nr-key'] })).toBe('hello');
      expect(await client.fCallRo('nr_get', { keys: ['nr-key'] })).toBe('hello');
      expect(await client.functionList({ LIBRARYNAME: 'nr' })).toEqual([
        {
          library_name: 'nr',
          engine: 'LUA',
          functions: [{ name: 'nr_get', description: 'reads', flags: ['no-writes'] }],
        },
      ]);
    } finally {
      await client.quit();
    }
  });
});
