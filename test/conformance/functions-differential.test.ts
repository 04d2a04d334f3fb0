// FUNCTION and FCALL against redis-server 7.0.15, on every transport: FUNCTION LOAD's shebang and every error
// Redis gives for it, redis.register_function in both call forms with every flag and every argument error, the
// load-time sandbox (no redis.call, no other global, no global writes), FCALL / FCALL_RO with their key-count
// and no-writes checks, errors raised while a function runs, FUNCTION LIST / STATS / DUMP / RESTORE / DELETE /
// FLUSH / KILL / HELP, sent to both servers in RESP2 and then RESP3, every reply compared byte for byte, and
// INFO errorstats after them. Libraries are listed one at a time: Redis lists several in its hash table's order.
// Skipped with a message when redis-server is not on PATH.

import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { type Arg, showArgv } from '../support/live-harness.js';
import { transports } from '../support/server.js';

const load = (name: string, body: string): Arg[] => ['FUNCTION', 'LOAD', `#!lua name=${name}\n${body}`];
const loadX = (body: string): Arg[][] => [['FUNCTION', 'DELETE', 'x'], load('x', body)];

const LIB = `
redis.register_function('echo_key', function(keys, args) return {keys[1], args[1], #keys, #args} end)
redis.register_function{function_name='setter', callback=function(keys, args) return redis.call('SET', keys[1], args[1]) end,
  description='sets a key'}
redis.register_function{function_name='reader', callback=function(keys, args) return redis.call('GET', keys[1]) end,
  flags={'no-writes'}, description='reads a key'}
redis.register_function{function_name='sneaky', callback=function(keys) return redis.call('DEL', keys[1]) end,
  flags={'no-writes'}}
redis.register_function('failing', function() error('oops') end)
redis.register_function('keys_global', function() return KEYS end)
redis.register_function('version', function() return redis.REDIS_VERSION_NUM end)
redis.register_function('resp3', function() redis.setresp(3); return redis.call('HGETALL', 'h') end)
redis.register_function('handler', function() return __redis__err__handler end)`;

/** One function (Redis lists a library's functions in its hash table's order). */
const SOLO = `redis.register_function{function_name='solo', callback=function() return 'solo' end,
  flags={'allow-stale', 'no-writes'}, description='the only one'}`;

/** Every request; each reply must be Redis's, byte for byte. */
const REQUESTS: readonly Arg[][] = [
  ['CONFIG', 'RESETSTAT'],
  ['FLUSHALL'],
  ['FUNCTION', 'FLUSH'],
  ['FUNCTION', 'LIST'],
  ['FUNCTION', 'STATS'],
  ['FUNCTION', 'DUMP'],
  load('solo', SOLO),
  ['FUNCTION', 'LIST'],
  ['FUNCTION', 'LIST', 'WITHCODE'],
  ['FUNCTION', 'LIST', 'LIBRARYNAME', 's*', 'WITHCODE'],
  ['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'SOLO'],
  ['FUNCTION', 'LIST', 'LIBRARYNAME', 'nomatch'],
  ['FUNCTION', 'LIST', 'LIBRARYNAME'],
  ['FUNCTION', 'LIST', 'bogus'],
  ['FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE'],
  ['FUNCTION', 'STATS'],
  ['FUNCTION', 'DUMP'],
  load('lib', LIB),
  load('lib', LIB),
  ['FUNCTION', 'LOAD', 'REPLACE', `#!lua name=lib\n${LIB}`],
  ['FUNCTION', 'STATS'],
  ['FUNCTION', 'DELETE', 'solo'],
  ['FUNCTION', 'DUMP'],
  ['HSET', 'h', 'f', 'v'],
  ['FCALL', 'echo_key', '1', 'k', 'a'],
  ['FCALL', 'ECHO_KEY', '0'],
  ['FCALL', 'echo_key', '2', 'k'],
  ['FCALL', 'echo_key', '-1'],
  ['FCALL', 'echo_key', 'x'],
  ['FCALL', 'echo_key', '99999999999999999999'],
  ['FCALL', 'nosuch', '0'],
  ['FCALL', 'setter', '1', 'key', 'value'],
  ['FCALL_RO', 'setter', '1', 'key', 'value'],
  ['FCALL_RO', 'reader', '1', 'key'],
  ['FCALL', 'reader', '1', 'key'],
  ['FCALL', 'sneaky', '1', 'key'],
  ['FCALL', 'failing', '0'],
  ['FCALL', 'keys_global', '0'],
  ['FCALL', 'version', '0'],
  ['FCALL', 'resp3', '0'],
  ['FCALL', 'handler', '0'],
  ['FCALL'],
  // inside MULTI: queued, run by EXEC under its locks
  ['MULTI'],
  ['FCALL', 'setter', '1', 'inmulti', 'x'],
  ['FCALL', 'reader', '1', 'inmulti'],
  ['FCALL', 'nosuch', '0'],
  ['EXEC'],
  ['FUNCTION', 'LOAD', `#!lua name=other\nredis.register_function('echo_key', function() return 1 end)`],
  ['FUNCTION', 'LOAD', `#!lua name=other\nredis.register_function('Echo_Key', function() return 1 end)`],
  ['FUNCTION', 'DELETE', 'lib'],
  // the shebang
  ['FUNCTION', 'LOAD', 'return 1'],
  ['FUNCTION', 'LOAD', '#!lua'],
  ['FUNCTION', 'LOAD', '#!lua name=x'],
  ['FUNCTION', 'LOAD', '#!lua names=x\n'],
  ['FUNCTION', 'LOAD', '#!py name=x\n'],
  ['FUNCTION', 'LOAD', '#!lua name=x name=y\n'],
  ['FUNCTION', 'LOAD', '#!lua name=a-b\n'],
  ['FUNCTION', 'LOAD', '#!lua name=\n'],
  ['FUNCTION', 'LOAD', '#!lua name="q q\nreturn 1'],
  ['FUNCTION', 'LOAD', '#!lua name="qq"\nreturn 1'],
  ['FUNCTION', 'LOAD', '#!LUA NAME=upper\nredis.register_function("upper_fn", function() return 1 end)'],
  ['FUNCTION', 'DELETE', 'upper'],
  ['FUNCTION', 'LOAD', 'foo', 'bar'],
  ['FUNCTION', 'LOAD', 'REPLACE'],
  ['FUNCTION', 'LOAD'],
  // what a library's code may do while it loads
  ...loadX('return 1'),
  ...loadX("string.format('a')"),
  ...loadX("redis.call('ping')"),
  ...loadX('local x = redis.setresp'),
  ...loadX('foo = 1'),
  ...loadX('local a = KEYS'),
  ...loadX('while true do end'), // stopped after 500 ms
  ...loadX('syntax error here'),
  ...loadX("error('boom')"),
  ...loadX("redis.register_function('f 3', function() end)"),
  ...loadX("redis.register_function('', function() end)"),
  ...loadX("redis.register_function('f3', 'a')"),
  ...loadX('redis.register_function(1, function() end)'),
  ...loadX('redis.register_function({}, function() end)'),
  ...loadX('redis.register_function(1, 2, 3)'),
  ...loadX('redis.register_function()'),
  ...loadX("redis.register_function('a')"),
  ...loadX("redis.register_function{function_name='a', callback=function() end, flags={'bad'}}"),
  ...loadX("redis.register_function{function_name='a', callback=function() end, flags={1}}"),
  ...loadX("redis.register_function{function_name='a', callback=function() end, flags='no-writes'}"),
  ...loadX("redis.register_function{function_name='a', callback=function() end, foo=1}"),
  ...loadX('redis.register_function{callback=function() end}'),
  ...loadX("redis.register_function{function_name='a'}"),
  ...loadX("redis.register_function{function_name='a', callback=1}"),
  ...loadX("redis.register_function{function_name='a', callback=function() end, description=function() end}"),
  ...loadX('redis.register_function{function_name=function() end, callback=function() end}'),
  ...loadX('redis.register_function{[true]=1, callback=function() end}'),
  ...loadX("redis.register_function('a', function() end)\nredis.register_function('a', function() end)"),
  ...loadX(
    "redis.register_function{function_name='flagged', callback=function() return 1 end, " +
      "flags={'NO-WRITES','allow-oom','allow-stale','no-cluster','allow-cross-slot-keys'}, description=42}",
  ),
  ['FUNCTION', 'LIST', 'LIBRARYNAME', 'x'],
  ...loadX(
    "redis.log(redis.LOG_WARNING, 'loading', redis.REDIS_VERSION)\nredis.register_function('v', function() return 1 end)",
  ),
  ...loadX(
    "local r = redis\nredis.register_function('late', function() return r.register_function('z', function() end) end)",
  ),
  ['FCALL', 'late', '0'],
  ...loadX("redis.register_function('reg', function() return redis.register_function end)"),
  ['FCALL', 'reg', '0'],
  ...loadX("redis.register_function('n', function(keys, args) return tonumber(args[1]) * 2 end)"),
  ['FCALL', 'n', '0', '21'],
  // DELETE, RESTORE, FLUSH, KILL, HELP
  ['FUNCTION', 'DELETE', 'nosuch'],
  ['FUNCTION', 'DELETE', 'X'],
  ['FUNCTION', 'DELETE', 'a', 'b'],
  ['FUNCTION', 'RESTORE', 'abc'],
  ['FUNCTION', 'RESTORE', 'abc', 'bogus'],
  ['FUNCTION', 'RESTORE', 'abc', 'flush', 'extra'],
  ['FUNCTION', 'FLUSH', 'bogus'],
  ['FUNCTION', 'FLUSH', 'ASYNC'],
  ['FUNCTION', 'FLUSH', 'SYNC', 'extra'],
  ['FCALL', 'echo_key', '0'],
  ['FUNCTION', 'STATS'],
  ['FUNCTION', 'STATS', 'x'],
  ['FUNCTION', 'DUMP', 'x'],
  ['FUNCTION', 'KILL'],
  ['FUNCTION', 'HELP'],
  ['FUNCTION', 'NOPE'],
  ['FUNCTION'],
];

/** Over maxmemory (1 byte: always over on both): what may still run, by the function's flags. */
const OVER_MAXMEMORY: readonly Arg[][] = [
  load('oom', "redis.register_function('oom_fn', function() return 1 end)"),
  ['FUNCTION', 'RESTORE', 'x'],
  ['FUNCTION', 'DELETE', 'nosuch'],
  ['FCALL', 'writes', '1', 'a'],
  ['FCALL', 'allowed', '1', 'a'],
  ['FCALL', 'reads', '1', 'a'],
  ['FCALL_RO', 'reads', '1', 'a'],
  ['FCALL', 'nosuch', '0'],
];

const OOM_LIBRARY = `#!lua name=oomlib
redis.register_function('writes', function(keys) return redis.call('SET', keys[1], 'v') end)
redis.register_function{function_name='allowed', callback=function(keys) return redis.pcall('SET', keys[1], 'v') end,
  flags={'allow-oom'}}
redis.register_function{function_name='reads', callback=function(keys) return redis.call('GET', keys[1]) end,
  flags={'no-writes'}}`;

describe.skipIf(!haveRedisServer)('functions over maxmemory against redis-server 7.0.15', () => {
  describe.each(transports)('%s', (transport) => {
    const both = useBothServers(transport);

    it('refuses and allows what Redis does', async () => {
      for (const client of [both.lite, both.real]) {
        await client.call(['FUNCTION', 'FLUSH']);
        await client.call(['FUNCTION', 'LOAD', OOM_LIBRARY]);
        await client.call(['CONFIG', 'SET', 'maxmemory', '1']);
      }
      try {
        for (const argv of OVER_MAXMEMORY) {
          const theirs = (await both.real.call(argv)).toString('latin1');
          const mine = (await both.lite.call(argv)).toString('latin1');
          expect(mine, showArgv(argv)).toBe(theirs);
        }
      } finally {
        for (const client of [both.lite, both.real]) await client.call(['CONFIG', 'SET', 'maxmemory', '0']);
      }
    });
  });
});

describe.skipIf(!haveRedisServer)('functions against redis-server 7.0.15', () => {
  describe.each(transports)('%s', (transport) => {
    const both = useBothServers(transport);

    it.each([2, 3] as const)('replies as Redis does in RESP%i', async (protocol) => {
      if (protocol === 3) {
        await both.lite.value(['HELLO', '3']);
        await both.real.value(['HELLO', '3']);
      }
      for (const argv of REQUESTS) {
        const theirs = (await both.real.call(argv)).toString('latin1');
        const mine = (await both.lite.call(argv)).toString('latin1');
        expect(mine, showArgv(argv)).toBe(theirs);
      }
      const errorstats = async (client: typeof both.lite): Promise<string> =>
        (await client.call(['INFO', 'errorstats'])).toString('latin1');
      expect(await errorstats(both.lite)).toBe(await errorstats(both.real));
    });

    it('restores what redis-server dumped, with every policy', async () => {
      await both.real.call(['FUNCTION', 'FLUSH']);
      await both.lite.call(['FUNCTION', 'FLUSH']);
      await both.real.call(load('one', "redis.register_function('f_one', function() return 'one' end)"));
      const dumped = await both.real.value(['FUNCTION', 'DUMP']);
      if (dumped.type !== 'bulk') throw new Error(`FUNCTION DUMP replied ${dumped.type}`);
      const payload = dumped.bytes;
      const restores: Arg[][] = [
        ['FUNCTION', 'RESTORE', payload],
        ['FUNCTION', 'RESTORE', payload],
        ['FUNCTION', 'RESTORE', payload, 'APPEND'],
        ['FUNCTION', 'RESTORE', payload, 'REPLACE'],
        ['FCALL', 'f_one', '0'],
        load('two', "redis.register_function('f_two', function() return 'two' end)"),
        ['FUNCTION', 'RESTORE', payload, 'FLUSH'],
        ['FUNCTION', 'LIST'],
        ['FUNCTION', 'DELETE', 'one'],
        load('clash', "redis.register_function('f_one', function() return 'clash' end)"),
        ['FUNCTION', 'RESTORE', payload, 'REPLACE'],
        ['FCALL', 'f_one', '0'],
        ['FUNCTION', 'DUMP'],
        ['FUNCTION', 'RESTORE', Buffer.concat([payload.subarray(0, 5), Buffer.alloc(10)])],
      ];
      await both.real.call(['FUNCTION', 'FLUSH']);
      for (const argv of restores) {
        const theirs = (await both.real.call(argv)).toString('latin1');
        const mine = (await both.lite.call(argv)).toString('latin1');
        expect(mine, showArgv(argv)).toBe(theirs);
      }
    });
  });
});
