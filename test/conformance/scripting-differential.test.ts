// EVAL and its kin against redis-server 7.0.15, on every transport: the same scripts (conversions both ways,
// KEYS and ARGV, redis.call and redis.pcall errors, error replies with the script's line, the globals'
// protection, shebang flags, RESP3 types after redis.setresp and for HELLO 3 callers, SCRIPT LOAD / EXISTS /
// FLUSH, EVALSHA, numkeys errors) sent to both servers, in RESP2 and then RESP3, every reply compared byte for
// byte, and INFO errorstats after them. Skipped with a message when redis-server is not on PATH.

import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { type Arg, showArgv } from '../support/live-harness.js';
import { transports } from '../support/server.js';

const eval0 = (script: string, ...rest: Arg[]): Arg[] => ['EVAL', script, '0', ...rest];

/** Every request; each reply must be Redis's, byte for byte. */
const REQUESTS: readonly Arg[][] = [
  ['CONFIG', 'RESETSTAT'],
  ['FLUSHALL'],
  ['SCRIPT', 'FLUSH'],
  // Lua -> reply conversions
  eval0('return 1'),
  eval0('return 3.99'),
  eval0('return -3.99'),
  eval0('return 1e20'),
  eval0('return "hello"'),
  eval0('return true'),
  eval0('return false'),
  eval0('return nil'),
  eval0('return {1, 2, {3, "four"}, nil, 5}'),
  eval0('return {}'),
  eval0('return {ok="fine"}'),
  eval0('return {err="MYERR something"}'),
  eval0('return {err="no code"}'),
  eval0('return redis.status_reply("STATUS")'),
  eval0('return redis.error_reply("ERR custom")'),
  eval0('return redis.error_reply("plain")'),
  eval0('return {double=3.25}'),
  eval0('return {map={a=1}}'),
  eval0('return {set={a=true}}'),
  eval0('return {big_number="123456789012345678901234567890"}'),
  eval0('return function() end'),
  // KEYS and ARGV, redis.call both ways
  ['EVAL', 'return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}', '2', 'k1', 'k2', 'a1', 'a2'],
  ['EVAL', 'return redis.call("SET", KEYS[1], ARGV[1])', '1', 'str', 'value'],
  ['EVAL', 'return redis.call("GET", KEYS[1])', '1', 'str'],
  ['EVAL', 'return redis.call("GET", KEYS[1])', '1', 'missing'],
  ['EVAL', 'return type(redis.call("GET", KEYS[1]))', '1', 'missing'],
  eval0('return redis.call("INCRBY", "counter", 3.0)'),
  eval0('return redis.call("SET", "f", 0.1)'),
  eval0('return redis.call("GET", "f")'),
  eval0('redis.call("RPUSH", "list", "a", "b", "c"); return redis.call("LRANGE", "list", 0, -1)'),
  eval0('redis.call("HSET", "hash", "f1", "v1"); return redis.call("HGETALL", "hash")'),
  eval0('return redis.call("PING")'),
  eval0('return redis.call("PING")["ok"]'),
  eval0('local t = redis.call("HGETALL", "hash"); return #t'),
  eval0('return redis.call("EXISTS", "str", "nope")'),
  eval0('return redis.call("SELECT", 1)'),
  // A script's SELECT is its own: the caller stays in its database.
  eval0('redis.call("SELECT", 1); return redis.call("SET", "indb1", "x")'),
  ['GET', 'indb1'],
  ['SELECT', '1'],
  ['GET', 'indb1'],
  eval0('return redis.call("GET", "indb1")'),
  ['SELECT', '0'],
  eval0('return redis.call("SMEMBERS", "nosuchset")'),
  eval0('return redis.call("ZSCORE", "nozset", "m")'),
  // errors from commands
  eval0('return redis.call("LPUSH", "str", "x")'),
  eval0('return redis.pcall("LPUSH", "str", "x")'),
  eval0('local r = redis.pcall("LPUSH", "str", "x"); return r["err"]'),
  eval0('return redis.call("nosuch")'),
  eval0('return redis.call("GET")'),
  eval0('return redis.call("GET", "a", "b")'),
  eval0('return redis.call("MULTI")'),
  eval0('return redis.call("EVAL", "return 1", 0)'),
  eval0('return redis.call()'),
  eval0('return redis.call({})'),
  eval0('return redis.call("GET", nil)'),
  eval0('return redis.pcall("nosuch")'),
  eval0('return pcall(function() redis.call("nosuch") end)'),
  eval0('local ok, e = pcall(function() redis.call("nosuch") end); return e'),
  eval0('\n\nerror("boom")'),
  eval0('error({err="TABLE err"})'),
  eval0('error(42)'),
  eval0('return 1 +'),
  eval0('return nosuchvar'),
  eval0('x = 5'),
  eval0('string.upper = nil'),
  eval0('rawset(_G, "x", 1)'),
  eval0('return print'),
  eval0('local t = {}; t.x = 5; return t.x'),
  eval0('return tostring(1/0)'),
  eval0('return string.format("%d %s", 5, "x")'),
  eval0('return redis.sha1hex("abc")'),
  eval0('return redis.REDIS_VERSION'),
  eval0('return math.random(100)'),
  // Redis's cjson and bit (Debian's lua-cjson and lua-bitop here)
  eval0('return cjson.encode({1, 2, {a=1}, "x"})'),
  eval0('return cjson.encode({a=1.5, b=0.1, c=1e300, d="\\u00e9"})'),
  eval0('return cjson.decode("[1, 2.5, \\"x\\", null, {\\"k\\": [true]}]")[3]'),
  eval0('return cjson.decode("{bad")'),
  eval0('cjson.encode = nil'),
  eval0('return {bit.band(7, 3), bit.bor(1, 2), bit.bxor(5, 1), bit.lshift(1, 40), bit.tohex(-1)}'),
  eval0('return redis.setresp(4)'),
  eval0('return redis.log(99, "x")'),
  // shebangs and read-only scripts
  eval0('#!lua\nreturn redis.call("SET", "sb", "1")'),
  eval0('#!lua flags=no-writes\nreturn redis.call("SET", "sb", "1")'),
  eval0('#!lua flags=no-writes\nreturn redis.call("GET", "sb")'),
  eval0('#!lua flags=bogus\nreturn 1'),
  eval0('#!lua name=x\nreturn 1'),
  eval0('#!python\nreturn 1'),
  eval0('#!lua'),
  ['EVAL_RO', 'return redis.call("GET", "sb")', '0'],
  ['EVAL_RO', 'return redis.call("DEL", "sb")', '0'],
  ['EVAL_RO', '#!lua\nreturn 1', '0'],
  ['EVAL_RO', 'return redis.call("PUBLISH", "channel", "m")', '0'],
  ['EVAL_RO', 'return redis.call("PFCOUNT", "hll")', '0'],
  eval0('#!lua flags=no-writes\nreturn redis.call("PUBLISH", "channel", "m")'),
  eval0('return redis.call("PUBLISH", "channel", "m")'),
  // PFCOUNT may write its cached cardinality (may_replicate): Redis counts it a write in a read-only script.
  ['EVAL', 'redis.call("PFADD", "hll", "a", "b") return redis.call("PFCOUNT", "hll")', '0'],
  ['EVAL_RO', 'return redis.call("PFCOUNT", "hll")', '0'],
  ['EVAL', 'return redis.call("GET", "hll")', '0'],
  // RESP3 inside the script
  eval0('redis.setresp(3); return redis.call("HGETALL", "hash")'),
  eval0('redis.setresp(3); local r = redis.call("HGETALL", "hash"); return r["map"]["f1"]'),
  eval0('redis.setresp(3); return redis.call("GET", "missing") == nil'),
  eval0('redis.setresp(3); return true'),
  eval0('redis.setresp(3); return false'),
  eval0('redis.setresp(3); return redis.call("ZSCORE", "nozset", "m")'),
  // numkeys and EVALSHA, SCRIPT
  ['EVAL', 'return 1', '2', 'a'],
  ['EVAL', 'return 1', '-1'],
  ['EVAL', 'return 1', 'x'],
  ['EVALSHA', 'abc', '0'],
  ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'],
  ['EVALSHA', 'abc', 'x'],
  ['SCRIPT', 'LOAD', 'return "loaded"'],
  ['EVALSHA', 'b6c2e93c5e40a0e83ad7ff3d3f3e4e4c1c4b1a5e', '0'],
  [
    'SCRIPT',
    'EXISTS',
    'e0e1f9fabfc9d4800c877a703b823ac0578ff8db',
    'ffffffffffffffffffffffffffffffffffffffff',
  ],
  ['SCRIPT', 'LOAD', 'return +'],
  ['SCRIPT', 'FLUSH', 'BOGUS'],
  ['SCRIPT', 'FLUSH', 'ASYNC'],
  ['SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'],
  ['SCRIPT', 'HELP'],
  ['SCRIPT', 'NOPE'],
  ['EVAL'],
];

describe.skipIf(!haveRedisServer)('scripting against redis-server 7.0.15', () => {
  describe.each(transports)('%s', (transport) => {
    const both = useBothServers(transport);

    it.each([2, 3] as const)('replies as Redis does in RESP%i', async (protocol) => {
      if (protocol === 3) {
        await both.lite.value(['HELLO', '3']);
        await both.real.value(['HELLO', '3']);
      }
      // SCRIPT LOAD's sha names the script; EVALSHA by it must run it on both.
      const shaOf = (await both.real.call(['SCRIPT', 'LOAD', 'return "loaded"'])).toString('latin1');
      const requests = REQUESTS.map((argv) =>
        argv[0] === 'EVALSHA' && argv[1] === 'b6c2e93c5e40a0e83ad7ff3d3f3e4e4c1c4b1a5e'
          ? ['EVALSHA', shaOf.slice(shaOf.indexOf('\n') + 1, shaOf.indexOf('\n') + 41), '0']
          : argv,
      );
      for (const argv of requests) {
        const theirs = (await both.real.call(argv)).toString('latin1');
        const mine = (await both.lite.call(argv)).toString('latin1');
        expect(mine, showArgv(argv)).toBe(theirs);
      }
      // A command's error a script returns is counted once, when the command replied it.
      const errorstats = async (client: typeof both.lite): Promise<string> =>
        (await client.call(['INFO', 'errorstats'])).toString('latin1');
      expect(await errorstats(both.lite)).toBe(await errorstats(both.real));
    });
  });
});

/** Over maxmemory (1 byte: always over on both): what a script may still do, by its flags. */
const OVER_MAXMEMORY: readonly Arg[][] = [
  eval0('return redis.call("GET", "a")'),
  eval0('return redis.call("SET", "a", "b")'),
  eval0('return redis.pcall("SET", "a", "b")'),
  eval0('#!lua\nreturn 1'),
  eval0('#!lua flags=allow-oom\nreturn redis.call("SET", "a", "b")'),
  eval0('#!lua flags=no-writes\nreturn redis.call("GET", "a")'),
  ['EVAL_RO', 'return redis.call("GET", "a")', '0'],
];

describe.skipIf(!haveRedisServer)('scripting over maxmemory against redis-server 7.0.15', () => {
  describe.each(transports)('%s', (transport) => {
    const both = useBothServers(transport, { settings: { maxmemory: '1' } });

    it('refuses and allows what Redis does', async () => {
      for (const argv of OVER_MAXMEMORY) {
        const theirs = (await both.real.call(argv)).toString('latin1');
        const mine = (await both.lite.call(argv)).toString('latin1');
        expect(mine, showArgv(argv)).toBe(theirs);
      }
    });
  });
});
